"""Event-driven eligibility: post HR events, be told when a person's outcome changes.

The `Watcher` decides the individual titles of a rule pack for one judged year as events arrive.
Its default backend compiles the pack into a durable_rules ruleset (the optional extra
`pip install 'khenthuong[durable]'`, CPython 3.11–3.12); `backend="native"` uses the native
engine and needs nothing more. Either way the native engine explains every outcome
(`Watcher.explain`) and can cross-check all of them (`Watcher.cross_check`). Importing this
package never imports durable_rules. See docs/stream.md.
"""

from khenthuong.stream.durable_backend import durable_available
from khenthuong.stream.errors import StreamError
from khenthuong.stream.events import (
    DisciplineDecided,
    Event,
    InitiativeRecognised,
    PendingCaseClosed,
    PendingCaseOpened,
    PersonRegistered,
    RatingRecorded,
    TitleAwarded,
    parse_event,
)
from khenthuong.stream.watcher import Change, Mismatch, Watcher

__all__ = [
    "Change",
    "DisciplineDecided",
    "Event",
    "InitiativeRecognised",
    "Mismatch",
    "PendingCaseClosed",
    "PendingCaseOpened",
    "PersonRegistered",
    "RatingRecorded",
    "StreamError",
    "TitleAwarded",
    "Watcher",
    "durable_available",
    "parse_event",
]
