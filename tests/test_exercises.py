"""solutions/ is the source of truth; exercises/ is generated from it, runs, and fails exactly where students answer.

- exercises/ equals what `adam-edu exercises` generates (nbgrader's preprocessors; needs the instructors' extra);
- the solutions carry valid nbgrader metadata (schema 3, unique grade ids, points, locked cells, markers);
- each exercise links to the notebook that teaches it and to its solution, and hides its hints in <details>;
- executed, every graded cell of an exercise fails because of the stub, and every other cell runs clean;
- the command refuses to overwrite an edited exercise without --force, and --check reports a stale folder.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
COURSE_MAP = [
    "ex01_moving_averages",
    "ex02_momentum_step",
    "ex03_rmsprop_step",
    "ex04_adam_step",
    "ex05_adamax_step",
    "ex06_amsgrad",
    "ex07_find_the_bug",
    "ex08_tuning",
    "ex09_derivations",
    "ex10_torch_adam",
    "ex11_train_a_network",
]
TEACHES = {  # exercise -> the notebooks that teach it (the course map)
    "ex01_moving_averages": ["05_bias_correction", "02_momentum"],
    "ex02_momentum_step": ["02_momentum"],
    "ex03_rmsprop_step": ["03_adaptive_scaling"],
    "ex04_adam_step": ["04_adam_moment_estimates"],
    "ex05_adamax_step": ["06_adamax_and_averaging"],
    "ex06_amsgrad": ["07_convergence"],
    "ex07_find_the_bug": ["04_adam_moment_estimates"],
    "ex08_tuning": ["01_gradient_descent", "08_after_adam"],
    "ex09_derivations": ["05_bias_correction", "06_adamax_and_averaging"],
    "ex10_torch_adam": ["09_adam_at_scale", "labs/lab5_adam_in_pytorch"],
    "ex11_train_a_network": ["04_adam_moment_estimates", "08_after_adam"],
}
REQUIRES = {"ex10_torch_adam": ["torch"], "ex11_train_a_network": ["sklearn"]}  # beyond the core (conftest.py)
NBGRADER_MISSING = "nbgrader is the instructors' extra: pip install -e '.[instructors]'"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_test(cell: dict) -> bool:
    meta = _nbgrader(cell)
    return cell["cell_type"] == "code" and bool(meta.get("grade")) and not meta.get("solution")


def test_solutions_and_exercises_follow_the_course_map():
    assert sorted(p.stem for p in SOLUTIONS.glob("*.ipynb")) == COURSE_MAP
    assert sorted(p.stem for p in EXERCISES.glob("*.ipynb")) == COURSE_MAP


@pytest.mark.parametrize("name", COURSE_MAP)
def test_exercise_is_what_the_generator_writes(name):
    pytest.importorskip("nbgrader", reason=NBGRADER_MISSING)
    from adam_edu.course.exercises import render

    expected = render(SOLUTIONS / f"{name}.ipynb")
    assert (EXERCISES / f"{name}.ipynb").read_text(encoding="utf-8") == expected, (
        f"exercises/{name}.ipynb is stale: regenerate it with `adam-edu exercises --force`."
    )


# ------------------------------------------------------------------------------------------------ nbgrader metadata


@pytest.mark.parametrize("name", COURSE_MAP)
def test_solution_has_valid_nbgrader_metadata(name):
    nb = _load(SOLUTIONS / f"{name}.ipynb")
    ids, points = [], 0
    for cell in nb["cells"]:
        meta = _nbgrader(cell)
        if not meta:
            continue
        assert meta["schema_version"] == 3
        assert set(meta) <= {"schema_version", "grade", "solution", "locked", "task", "grade_id", "points"}
        assert re.fullmatch(r"[a-zA-Z0-9_\-]+", meta["grade_id"])
        ids.append(meta["grade_id"])
        source = _source(cell)
        if meta["grade"]:
            assert meta["points"] > 0
            points += meta["points"]
        if meta["solution"] and cell["cell_type"] == "code":
            assert "### BEGIN SOLUTION" in source and "### END SOLUTION" in source, meta["grade_id"]
        if meta["grade"] and not meta["solution"]:
            assert meta["locked"], f"{meta['grade_id']}: a test cell must be locked"
            assert re.search(r"\bcheck_\w+\(", source), f"{meta['grade_id']} calls no adam_edu.checks checker"
        if cell["cell_type"] == "markdown" and meta["solution"]:
            assert meta["grade"], "a markdown answer must be a manually graded cell"
    assert len(ids) == len(set(ids)), f"duplicate grade ids in {name}"
    assert any(_is_test(c) for c in nb["cells"]) and points > 0
    assert any(_nbgrader(c).get("locked") and not _nbgrader(c).get("grade") for c in nb["cells"]), "no read-only cell"


@pytest.mark.parametrize("name", COURSE_MAP)
def test_solution_metadata_passes_nbgraders_own_validator(name):
    pytest.importorskip("nbgrader", reason=NBGRADER_MISSING)
    import nbformat
    from nbgrader.nbgraderformat import MetadataValidator

    MetadataValidator().validate_nb(nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4))


def test_only_the_torch_and_digits_exercises_declare_requirements():
    for name in COURSE_MAP:
        for folder in (SOLUTIONS, EXERCISES):
            requires = _load(folder / f"{name}.ipynb")["metadata"].get("adam_edu", {}).get("requires", [])
            assert requires == REQUIRES.get(name, []), (folder.name, name)


# ------------------------------------------------------------------------------------------------ self-study


@pytest.mark.parametrize("name", COURSE_MAP)
def test_exercise_links_to_what_teaches_it_and_to_its_solution(name):
    intro = _source(_load(EXERCISES / f"{name}.ipynb")["cells"][0])
    assert "**What you practise.**" in intro
    assert f"(../solutions/{name}.ipynb)" in intro and f"(../exercises/{name}.ipynb)" in intro
    for teacher in TEACHES[name]:
        assert f"(../notebooks/{teacher}.ipynb)" in intro, f"{name} does not link to {teacher}"


@pytest.mark.parametrize("name", COURSE_MAP)
def test_links_between_the_course_notebooks_resolve(name):
    for folder in (SOLUTIONS, EXERCISES):
        text = "\n".join(_source(c) for c in _load(folder / f"{name}.ipynb")["cells"] if c["cell_type"] == "markdown")
        for target in re.findall(r"\]\((\.\./[^)#]+\.ipynb)\)", text):
            assert (folder / target).resolve().is_file(), f"{folder.name}/{name} links to a missing {target}"


@pytest.mark.parametrize("name", COURSE_MAP)
def test_hints_sit_in_collapsible_blocks(name):
    text = "\n".join(_source(c) for c in _load(EXERCISES / f"{name}.ipynb")["cells"] if c["cell_type"] == "markdown")
    hints = re.findall(r"<details><summary>Hint \d+</summary>", text)
    assert hints, f"{name} has no hint"
    assert len(re.findall(r"Hint \d+", text)) == len(hints), "a hint outside a <details> block"
    assert "<details><summary>Answer</summary>" in text, "no answers to the questions"
    assert text.count("<details>") == text.count("</details>")


# ------------------------------------------------------------------------------------------------ the exercises


@pytest.mark.parametrize("name", COURSE_MAP)
def test_exercise_is_released_cleared_with_its_failing_cells_tagged(name):
    cells = _load(EXERCISES / f"{name}.ipynb")["cells"]
    text = json.dumps(cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{name}: {marker} left in the exercise"
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        meta = _nbgrader(cell)
        tagged = "raises-exception" in cell["metadata"].get("tags", [])
        stub_at_top = bool(re.search(r"^raise NotImplementedError\(\)", _source(cell), re.MULTILINE))
        assert tagged == (_is_test(cell) or (bool(meta.get("solution")) and stub_at_top)), _source(cell)[:80]
        if meta.get("solution") and cell["cell_type"] == "code":
            assert "# YOUR CODE HERE\n" in _source(cell) and "raise NotImplementedError()" in _source(cell)
        if _is_test(cell) or meta.get("locked"):
            assert cell["metadata"].get("deletable") is False


def _run(path: Path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("name", COURSE_MAP)
def test_executed_exercise_fails_in_every_graded_cell_and_nowhere_else(name):
    if name == "ex10_torch_adam":
        pytest.importorskip("torch", reason="ex10 needs torch: pip install torch==2.13.0 (CPU build)")
    if name == "ex11_train_a_network":
        pytest.importorskip("sklearn", reason="ex11 needs scikit-learn (the digits): pip install scikit-learn")
    nb = _run(EXERCISES / f"{name}.ipynb")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        stderr = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        label = _nbgrader(cell).get("grade_id") or cell.source[:60]
        if _is_test(cell):
            assert len(errors) == 1, f"{label}: the graded cell did not fail on the stub"
            assert errors[0].ename == "AssertionError" and "NotImplementedError" in errors[0].evalue, errors[0].evalue
        else:
            assert not errors, f"{label} failed: {errors[0].ename}: {errors[0].evalue}"
            assert not stderr, f"{label} wrote to stderr: {stderr[0].text[:200]}"


# ------------------------------------------------------------------------------------------------ the command


@pytest.fixture
def course(tmp_path):
    pytest.importorskip("nbgrader", reason=NBGRADER_MISSING)
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    for name in ("ex02_momentum_step", "ex09_derivations"):
        shutil.copy(SOLUTIONS / f"{name}.ipynb", solutions)
    return solutions, exercises


def _cli(capsys, *args):
    from adam_edu.cli import main

    status = main(["exercises", *map(str, args)])
    return status, capsys.readouterr().out


def test_the_command_writes_then_finds_nothing_to_do(course, capsys):
    solutions, exercises = course
    status, out = _cli(capsys, "--solutions", solutions, "--exercises", exercises)
    assert status == 0 and "2 written" in out
    status, out = _cli(capsys, "--solutions", solutions, "--exercises", exercises, "--check")
    assert status == 0 and "up to date (2 notebooks)" in out
    status, out = _cli(capsys, "--solutions", solutions, "--exercises", exercises)
    assert status == 0 and "0 written, 2 already up to date" in out


def test_the_command_refuses_to_overwrite_an_edited_exercise_without_force(course, capsys):
    solutions, exercises = course
    _cli(capsys, "--solutions", solutions, "--exercises", exercises)
    edited = exercises / "ex02_momentum_step.ipynb"
    student_work = edited.read_text().replace("raise NotImplementedError()", "return theta, velocity  # mine")
    edited.write_text(student_work)

    status, out = _cli(capsys, "--solutions", solutions, "--exercises", exercises)
    assert status == 1 and str(edited) in out and "--force" in out
    assert edited.read_text() == student_work

    status, out = _cli(capsys, "--solutions", solutions, "--exercises", exercises, "--check")
    assert status == 1 and "differs" in out

    status, out = _cli(capsys, "--solutions", solutions, "--exercises", exercises, "--force")
    assert status == 0 and f"wrote {edited}" in out
    assert "# mine" not in edited.read_text()


def test_check_reports_missing_and_orphaned_exercises(course, capsys):
    solutions, exercises = course
    _cli(capsys, "--solutions", solutions, "--exercises", exercises)
    (exercises / "ex09_derivations.ipynb").unlink()
    shutil.copy(exercises / "ex02_momentum_step.ipynb", exercises / "ex99_orphan.ipynb")
    status, out = _cli(capsys, "--solutions", solutions, "--exercises", exercises, "--check")
    assert status == 1
    assert "ex09_derivations.ipynb is missing" in out and "ex99_orphan.ipynb has no solution" in out


def test_a_solution_notebook_is_not_changed_by_generating_its_exercise():
    pytest.importorskip("nbgrader", reason=NBGRADER_MISSING)
    import nbformat

    from adam_edu.course.exercises import generate

    solution = nbformat.read(SOLUTIONS / "ex04_adam_step.ipynb", as_version=4)
    before = nbformat.writes(solution)
    generate(solution)
    assert nbformat.writes(solution) == before


def test_the_readme_lists_each_exercise_with_its_points():
    readme = (EXERCISES / "README.md").read_text(encoding="utf-8")
    for name in COURSE_MAP:
        cells = _load(SOLUTIONS / f"{name}.ipynb")["cells"]
        points = sum(_nbgrader(c)["points"] for c in cells if _nbgrader(c).get("grade"))
        row = next(line for line in readme.splitlines() if line.startswith(f"| [{name}]"))
        assert row.split("|")[-2].split()[0] == f"{points:g}", f"README gives {name} other points than {points:g}"
