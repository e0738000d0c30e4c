"""The durable_rules backend: a translated rule pack as one durable_rules ruleset per watcher.

durable_rules (PyPI `durable-rules`, an optional extra) is imported only here and only when a
watcher asks for it, so `import khenthuong.stream` works where it is missing or broken (Python
3.13). Its hazards and how each is handled (measured in docs/stream.md):

- rulesets live in a process-wide registry and durable's Python API cannot remove one: each
  watcher registers its ruleset once, under a name no other watcher uses (pack digest prefix,
  judged year, a process counter and a random suffix), in a host of this module's own; `close()`
  frees it through the C extension's `delete_ruleset`;
- durable's stock host runs dispatcher threads that may run a rule's action on another thread
  after the call that caused it has returned; this module's host starts none, so every action
  runs inside the call that triggered it;
- one ruleset used from several threads at once returns results to the wrong caller: every call
  into a ruleset holds that ruleset's lock;
- a fact that matches no rule raises `MessageNotHandledException`: here it means "nothing fired",
  i.e. every outcome undetermined, and is not an error;
- an exception raised by an action is swallowed by durable (stored in the session state): every
  action here catches its own errors and the call raises KT705 with them.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import threading
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

from khenthuong.model.vocab import Award
from khenthuong.stream.errors import backend_unavailable, stream_error
from khenthuong.stream.translate import Derived, Term, Translation

PROFILE = "p"
DERIVED = "d"
SESSION = "0"  # one durable session per ruleset: people are told apart by `pid`

_HOSTS: dict[str, Any] = {}  # the one host of this process, made on first use
_HOST_LOCK = threading.Lock()
_SERIAL = itertools.count(1)


def load_durable() -> tuple[ModuleType, ModuleType]:
    """durable_rules' engine module and its C extension.

    Raises:
        StreamError: KT701 when durable_rules is not installed or does not import here.
    """
    try:
        importlib.import_module("durable")
        engine = importlib.import_module("durable.engine")
        extension = importlib.import_module("durable_rules_engine")
    except ImportError as exc:
        raise backend_unavailable(str(exc) or type(exc).__name__) from None
    return engine, extension


def durable_available() -> bool:
    """Whether the durable_rules backend can be used in this interpreter."""
    try:
        load_durable()
    except Exception:
        return False
    return True


def _no_dispatch(self: Any) -> None:
    """Replaces `Host._run`: no dispatcher threads (actions run inside the triggering call)."""


def _host(engine: ModuleType) -> Any:
    with _HOST_LOCK:
        host = _HOSTS.get("host")
        if host is None:
            quiet = type("KhenthuongHost", (engine.Host,), {"_run": _no_dispatch})
            host = _HOSTS["host"] = quiet()
        return host


def ruleset_name(translation: Translation) -> str:
    """A name no other ruleset of this process has (nor, by its random part, of another)."""
    digest = translation.plan.pack.digest.removeprefix("sha256:")[:12]
    return (
        f"khenthuong-{translation.plan.pack.id}-{digest}-{translation.year}-"
        f"{next(_SERIAL)}-{uuid.uuid4().hex[:8]}"
    )


class DurableRuleset:
    """A translation registered as a durable_rules ruleset, deciding one person at a time."""

    def __init__(self, translation: Translation) -> None:
        engine, self._extension = load_durable()
        self._not_handled: type[Exception] = engine.MessageNotHandledException
        self.translation = translation
        self.name = ruleset_name(translation)
        self._lock = threading.Lock()
        self._facts: dict[str, list[dict[str, Any]]] = {}
        self._serial = itertools.count(1)
        self._person: str | None = None
        self._fired: dict[Award, bool] = {}
        self._asserted: set[Award] = set()
        self._errors: list[str] = []
        self.closed = False
        definition = self.definition()
        self._host = _host(engine)
        with _HOST_LOCK:
            self._host.register_rulesets({self.name: definition})
        self._ruleset = self._host.get_ruleset(self.name)

    def definition(self) -> dict[str, Any]:
        """The ruleset in durable_rules' JSON form, with this object's actions attached."""
        rules: dict[str, Any] = {}
        for (award, outcome), terms in self.translation.terms.items():
            for j, term in enumerate(terms):
                verdict = "eligible" if outcome else "ineligible"
                rules[f"{award.value}.{verdict}.{j}"] = {
                    "all": self.patterns(term),
                    "run": self._action(award, outcome),
                }
        return rules

    @staticmethod
    def patterns(term: Term) -> list[dict[str, Any]]:
        """The profile pattern, then one pattern per derived title joined on the person id."""
        profile: dict[str, Any] = {"t": PROFILE}
        if term.cond is not None:
            profile = {"$and": [profile, term.cond]}
        out: list[dict[str, Any]] = [{PROFILE: profile}]
        for i, d in enumerate(term.derived):
            out.append(
                {
                    f"{DERIVED}{i}": {
                        "$and": [
                            {"t": DERIVED},
                            {"a": d.award.value},
                            {"v": int(d.value)},
                            {"pid": {PROFILE: "pid"}},
                        ]
                    }
                }
            )
        return out

    def _action(self, award: Award, outcome: bool) -> Callable[[Any], None]:
        def run(c: Any) -> None:
            try:
                self._fire(str(c.p.pid), award, outcome, c)
            except Exception as exc:  # durable would swallow it into the session state
                self._errors.append(f"{award.value}: {exc!r}")

        return run

    def _fire(self, person: str, award: Award, outcome: bool, c: Any) -> None:
        if person != self._person:
            self._errors.append(f"{award.value} fired for {person} while deciding {self._person}")
            return
        if self._fired.setdefault(award, outcome) != outcome:
            self._errors.append(f"{award.value} fired both eligible and ineligible")
            return
        if Derived(award, outcome) in self.translation.reads and award not in self._asserted:
            self._asserted.add(award)
            fact = {
                "t": DERIVED,
                "a": award.value,
                "v": int(outcome),
                "pid": person,
                "id": f"{DERIVED}|{person}|{award.value}",
                "sid": SESSION,
            }
            self._facts[person].append(fact)
            with contextlib.suppress(self._not_handled):
                c.assert_fact(fact)

    def _call(self, method: Callable[[str, dict[str, Any]], Any], fact: dict[str, Any]) -> None:
        try:
            method(self.name, fact)
        except self._not_handled:
            pass  # no rule matched: nothing fired, which is an answer, not an error
        except Exception as exc:
            raise stream_error(
                "KT705",
                f"durable_rules failed on ruleset {self.name}: {exc!r}",
                'report it with the events that led here; `backend="native"` avoids durable_rules',
            ) from exc

    def decide(self, person: str, profile: dict[str, Any]) -> dict[Award, bool]:
        """Replace `person`'s facts with `profile` and return the outcomes that fired.

        Awards missing from the result are undetermined (neither their eligible nor their
        ineligible rule fired).

        Raises:
            StreamError: KT705 when durable_rules or an action failed; KT706 once closed.
        """
        with self._lock:
            if self.closed:
                raise stream_error("KT706", f"ruleset {self.name} is closed", "open a new watcher")
            self._person = person
            self._fired = {}
            self._asserted = set()
            self._errors = []
            for old in self._facts.pop(person, []):
                self._call(self._host.retract_fact, old)
            fact = {
                "t": PROFILE,
                "pid": person,
                "id": f"{PROFILE}|{person}|{next(self._serial)}",
                "sid": SESSION,
                **profile,
            }
            self._facts[person] = [fact]
            self._call(self._host.assert_fact, fact)
            self._person = None
            if self._errors:
                raise stream_error(
                    "KT705",
                    f"durable_rules actions failed for {person}: " + "; ".join(self._errors),
                    'report it with the events that led here; `backend="native"` avoids '
                    "durable_rules",
                )
            return dict(self._fired)

    def close(self) -> None:
        """Unregister the ruleset and free its network (durable's C `delete_ruleset`)."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            with _HOST_LOCK:
                directory = self._host._ruleset_directory
                if directory.get(self.name) is self._ruleset:
                    del directory[self.name]
                    self._host._ruleset_list.remove(self._ruleset)
            self._extension.delete_ruleset(self._ruleset._handle)
            self._facts.clear()
