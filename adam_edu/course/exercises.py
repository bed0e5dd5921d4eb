"""Generate the students' ``exercises/`` from the instructors' ``solutions/``, with nbgrader's own preprocessors.

``solutions/`` is the single source of truth: complete notebooks written with nbgrader's markers
(``### BEGIN SOLUTION`` / ``### END SOLUTION``, ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``) and
cell metadata (schema version 3). Each exercise is its solution passed through the preprocessors that
``nbgrader generate_assignment`` runs, in its order, minus the ones that need a course database:

    LockCells, ClearSolutions, ClearOutput, ComputeChecksums, ClearHiddenTests, ClearMarkScheme,
    ComputeChecksums, CheckCellMetadata

then the cells that fail until the student has answered get the nbval tag ``raises-exception``: every
autograder-test cell, and every solution cell whose stub raises at the top level. So ``exercises/`` runs
under nbval like every other notebook of the course, and a student sees a cleared notebook.

The command line (``adam-edu exercises``) writes the exercises, refuses to overwrite one that differs
from what it would write (a student may have edited it) unless ``--force``, and with ``--check`` only
reports whether ``exercises/`` is up to date. nbgrader is the instructors' extra:
``pip install -e ".[instructors]"``.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path

from .execute import REPO_ROOT

SOLUTIONS = REPO_ROOT / "solutions"
EXERCISES = REPO_ROOT / "exercises"
RAISES = "raises-exception"
INSTALL_HINT = "nbgrader is needed to generate exercises: pip install -e '.[instructors]' (or pip install nbgrader)"
_TOP_LEVEL_STUB = re.compile(r"^raise NotImplementedError\(\)\s*$", re.MULTILINE)


def _preprocessors() -> list:
    try:
        from nbgrader.preprocessors import (
            CheckCellMetadata,
            ClearHiddenTests,
            ClearMarkScheme,
            ClearOutput,
            ClearSolutions,
            ComputeChecksums,
            LockCells,
        )
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(INSTALL_HINT) from exc
    return [
        LockCells(),
        ClearSolutions(),
        ClearOutput(),
        ComputeChecksums(),
        ClearHiddenTests(),
        ClearMarkScheme(),
        ComputeChecksums(),
        CheckCellMetadata(),
    ]


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def fails_until_answered(cell) -> bool:
    """After clearing: an autograder-test cell, or a solution cell whose stub raises at the top level."""
    meta = _nbgrader(cell)
    if cell.cell_type != "code":
        return False
    if meta.get("grade") and not meta.get("solution"):
        return True
    return bool(meta.get("solution")) and bool(_TOP_LEVEL_STUB.search(cell.source))


def generate(solution):
    """The exercise notebook for a solution notebook (a new object; the argument is not changed)."""
    nb = copy.deepcopy(solution)
    resources: dict = {}
    for preprocessor in _preprocessors():
        nb, resources = preprocessor.preprocess(nb, resources)
    for cell in nb.cells:
        tags = [tag for tag in cell.metadata.get("tags", []) if tag != RAISES]
        if fails_until_answered(cell):
            tags.append(RAISES)
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    return nb


def render(source: Path) -> str:
    """The text of the exercise generated from the solution notebook at ``source``, as it is saved."""
    import nbformat

    text = nbformat.writes(generate(nbformat.read(source, as_version=4)))
    return text if text.endswith("\n") else text + "\n"


@dataclasses.dataclass(frozen=True)
class Entry:
    """One exercise: where it comes from, where it goes, and how the file there compares."""

    source: Path
    target: Path
    text: str
    status: str  # "new" (no file yet), "unchanged" (identical) or "differs"


def plan(solutions: Path = SOLUTIONS, exercises: Path = EXERCISES) -> tuple[list[Entry], list[Path]]:
    """Every exercise to generate with its status, and exercise notebooks that have no solution."""
    sources = sorted(p for p in Path(solutions).glob("*.ipynb"))
    entries = []
    for source in sources:
        target = Path(exercises) / source.name
        text = render(source)
        if not target.exists():
            status = "new"
        elif target.read_text(encoding="utf-8") == text:
            status = "unchanged"
        else:
            status = "differs"
        entries.append(Entry(source, target, text, status))
    orphans = sorted(p for p in Path(exercises).glob("*.ipynb") if not (Path(solutions) / p.name).exists())
    return entries, orphans


def write(entries: list[Entry], force: bool = False) -> list[Path]:
    """Write new and changed exercises; without ``force``, refuse (write nothing) if any existing file differs."""
    blocked = [e.target for e in entries if e.status == "differs"]
    if blocked and not force:
        raise FileExistsError(
            "These exercise notebooks differ from what would be generated (a student may have edited them); "
            "nothing was written. Run again with --force to overwrite them:\n"
            + "\n".join(f"  {path}" for path in blocked)
        )
    written = []
    for entry in entries:
        if entry.status != "unchanged":
            entry.target.parent.mkdir(parents=True, exist_ok=True)
            entry.target.write_text(entry.text, encoding="utf-8")
            written.append(entry.target)
    return written


def main(solutions: Path | None = None, exercises: Path | None = None, force: bool = False, check: bool = False) -> int:
    """What ``adam-edu exercises`` does; returns the exit status."""
    solutions = Path(solutions or SOLUTIONS)
    exercises = Path(exercises or EXERCISES)
    entries, orphans = plan(solutions, exercises)
    if not entries:
        print(f"No solution notebooks in {solutions}.")
        return 1
    if check:
        stale = [e for e in entries if e.status != "unchanged"]
        for entry in stale:
            what = "is missing" if entry.status == "new" else "differs from what its solution generates"
            print(f"{entry.target} {what}")
        for path in orphans:
            print(f"{path} has no solution in {solutions}")
        if stale or orphans:
            print("exercises/ is stale: regenerate it with `adam-edu exercises` (add --force to overwrite).")
            return 1
        print(f"exercises/ is up to date ({len(entries)} notebooks).")
        return 0
    try:
        written = write(entries, force=force)
    except FileExistsError as exc:
        print(exc)
        return 1
    for path in written:
        print(f"wrote {path}")
    for path in orphans:
        print(f"note: {path} has no solution in {solutions}")
    print(f"{len(written)} written, {len(entries) - len(written)} already up to date.")
    return 0
