"""Find the movements a resolved pack bundles (`<layer>/movements/<id>.yaml`), and check that a
batch's reported results fit the movement it names (`batch.movement`).

Codes (docs/errors.md): KT601 a movement file that does not validate, KT602 an unknown movement,
KT603 a movement of another year than the batch's, KT604 a result for a target the movement does
not have, KT605 a result of the wrong kind (a number for a qualitative target, or yes/no for a
numeric one).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from khenthuong.errors import Diagnostic, EvaluationError, Location, PackError
from khenthuong.model.batch import Batch
from khenthuong.model.movement import Comparison, Movement
from khenthuong.model.types import suggest
from khenthuong.packs.loader import LoadedPack, validation_diagnostics
from khenthuong.packs.registry import ResolvedPack


class MovementFile(BaseModel):
    """A `movements/<id>.yaml` file of a pack: one movement."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    movement: Movement


def _layer_movements(layer: LoadedPack) -> tuple[list[Movement], list[Diagnostic]]:
    """The movements of one pack folder (`movements/*.yaml`), and what is wrong with the others."""
    found: list[Movement] = []
    problems: list[Diagnostic] = []
    for rel, extra in sorted(layer.extras.items()):
        if not rel.startswith("movements/"):
            continue
        data, positions, name = extra
        try:
            found.append(MovementFile.model_validate(data).movement)
        except ValidationError as exc:
            problems += [
                Diagnostic(
                    "KT601",
                    d.message,
                    d.severity,
                    d.location,
                    d.help
                    if "docs/rules.md" not in d.help
                    else "a movement file is `movement: {id, title, issuer, decision, decided_on, "
                    "period_from, period_until, year, targets}`: see docs/movements.md",
                )
                for d in validation_diagnostics(exc, name, positions.find, data)
            ]
    return found, problems


def movement_diagnostics(layer: LoadedPack) -> list[Diagnostic]:
    """What `khenthuong lint` reports about a pack folder's movement files (KT601)."""
    return _layer_movements(layer)[1]


def movements(pack: ResolvedPack) -> dict[str, Movement]:
    """Every movement bundled in the pack's layers, by id (validated; errors are PackError)."""
    found: dict[str, Movement] = {}
    problems: list[Diagnostic] = []
    for layer in pack.layers:
        valid, wrong = _layer_movements(layer)
        problems += wrong
        for movement in valid:
            found[movement.id] = movement
    if problems:
        raise PackError(problems)
    return found


def find_movement(pack: ResolvedPack, movement_id: str) -> Movement:
    """The movement `movement_id` of the pack's layers, or an error naming the known ones."""
    known = movements(pack)
    hit = known.get(movement_id)
    if hit is None:
        raise EvaluationError(
            [
                Diagnostic(
                    "KT602",
                    f'no movement "{movement_id}" in pack {" + ".join(pack.layer_ids)}'
                    f"{suggest(movement_id, sorted(known))}",
                    location=Location(path="batch.movement"),
                    help="known movements: "
                    + (", ".join(sorted(known)) or "none")
                    + "; movements ship in a provincial layer (set batch.province)",
                )
            ]
        )
    return hit


def movement_for(pack: ResolvedPack, batch: Batch) -> Movement | None:
    """The movement `batch.movement` names, checked against the batch (None when it names none).

    Raises:
        EvaluationError: the movement is unknown (KT602) or of another year (KT603), or units
            report results that do not fit its targets (KT604, KT605), all listed at once.
    """
    name = batch.batch.movement
    if name is None:
        return None
    movement = find_movement(pack, name)
    problems: list[Diagnostic] = []
    if movement.year != batch.batch.year:
        problems.append(
            Diagnostic(
                "KT603",
                f'movement "{movement.id}" sets targets for {movement.year}, but the batch judges '
                f"{batch.batch.year}",
                location=Location(path="batch.movement"),
                help="name the movement of the judged year, or correct batch.year",
            )
        )
    targets = {t.id: t for t in movement.targets}
    known = sorted(targets)
    for i, unit in enumerate(batch.units):
        for j, year in enumerate(unit.history):
            for key, value in year.targets.items():
                path = f"units[{i}].history[{j}].targets.{key}"
                target = targets.get(key)
                if target is None:
                    problems.append(
                        Diagnostic(
                            "KT604",
                            f'{unit.id}: no target "{key}" in movement {movement.id}'
                            f"{suggest(key, known)}",
                            location=Location(path=path),
                            help="report results under the ids of the movement's targets: "
                            + ", ".join(known),
                        )
                    )
                    continue
                qualitative = target.comparison is Comparison.QUALITATIVE
                if value is None or isinstance(value, bool) == qualitative:
                    continue
                wanted = "true or false" if qualitative else "a number"
                shown = str(value).lower() if isinstance(value, bool) else str(value)
                problems.append(
                    Diagnostic(
                        "KT605",
                        f"{unit.id}: target {key} ({target.metric}) takes {wanted}, not {shown}",
                        location=Location(path=path),
                        help="write true/false for a qualitative target and the number for a "
                        "numeric one; null marks the target not applicable to the unit",
                    )
                )
    if problems:
        raise EvaluationError(problems)
    return movement
