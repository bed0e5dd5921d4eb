"""nbgrader, for real: a throwaway course made from solutions/, released, and five submissions autograded.

The course has every solution notebook as an assignment. ``nbgrader generate_assignment`` must release
exactly our exercises (same cells, sources and nbgrader metadata, checksums included; ours add only the
nbval tag ``raises-exception``). Then five submissions of ex04 (Adam: ``adam_step`` 6 points,
``adam_step_efficient`` 4) are autograded in one batch, with a 10 s cell timeout:

==========  ======================================================  ===============
submission  what it is                                              expected score
==========  ======================================================  ===============
correct     the release with the solutions filled in                10 / 10
blank       the release as it is (stubs)                            0 / 10
raises      ``adam_step`` raises RuntimeError                       4 / 10 (0 on adam_step)
loops       ``adam_step_efficient`` never returns (timeout)         6 / 10 (0 on adam_step_efficient)
uncorrected ``adam_step`` without bias correction                   4 / 10 (0 on adam_step)
==========  ======================================================  ===============

The batch must complete and no submitted file may change. The feedback nbgrader writes for a failed
check shows the checker's message and the learner's code, not the checker's frames. Needs the
instructors' extra (nbgrader).
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="nbgrader is the instructors' extra: pip install -e '.[instructors]'")

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ex04_adam_step"
EXPECTED = {  # student -> (total, {grade cell: score})
    "correct": (10.0, {"test_adam_step": 6.0, "test_adam_step_efficient": 4.0}),
    "blank": (0.0, {"test_adam_step": 0.0, "test_adam_step_efficient": 0.0}),
    "raises": (4.0, {"test_adam_step": 0.0, "test_adam_step_efficient": 4.0}),
    "loops": (6.0, {"test_adam_step": 6.0, "test_adam_step_efficient": 0.0}),
    "uncorrected": (4.0, {"test_adam_step": 0.0, "test_adam_step_efficient": 4.0}),
}
RAISES = """def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    raise RuntimeError("something went wrong")
"""
UNCORRECTED = """import numpy as np


def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v
"""
LOOPS = """def adam_step_efficient(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    while True:
        pass
"""


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run nbgrader in the course folder with this interpreter; its bin folder is on PATH for alembic."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["JUPYTER_CONFIG_DIR"] = str(course / ".jupyter")  # no user or machine config leaks in
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _grade_id(cell: dict) -> str | None:
    return cell["metadata"].get("nbgrader", {}).get("grade_id")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "adam-edu"\nc.Execute.timeout = 10\n', encoding="utf-8"
    )
    for solution in sorted((ROOT / "solutions").glob("*.ipynb")):
        folder = course / "source" / solution.stem
        folder.mkdir(parents=True)
        shutil.copy(solution, folder)
    result = _nbgrader(course, "generate_assignment", "*")
    assert result.returncode == 0, result.stdout + result.stderr
    return course


@pytest.fixture(scope="module")
def autograded(course):
    answers = _answers(ASSIGNMENT)
    submissions = {
        "correct": answers,
        "blank": {},
        "raises": {**answers, f"{ASSIGNMENT}_adam_step": RAISES},
        "loops": {**answers, f"{ASSIGNMENT}_adam_step_efficient": LOOPS},
        "uncorrected": {**answers, f"{ASSIGNMENT}_adam_step": UNCORRECTED},
    }
    digests = _submit(course, ASSIGNMENT, submissions)
    result = _nbgrader(course, "autograde", ASSIGNMENT)
    return course, result, digests


def _answers(assignment: str) -> dict[str, str]:
    """The solution cells of an assignment, by grade id."""
    solution = json.loads((ROOT / "solutions" / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    return {_grade_id(c): _source(c) for c in solution["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}


def _submit(course: Path, assignment: str, submissions: dict[str, dict[str, str]]) -> dict[Path, str]:
    """Write each student's copy of the release with their cells filled in; return each file's digest."""
    release = json.loads((course / "release" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    digests = {}
    for student, filled in submissions.items():
        nb = copy.deepcopy(release)
        for cell in nb["cells"]:
            if _grade_id(cell) in filled:
                cell["source"] = filled[_grade_id(cell)]
        path = course / "submitted" / student / assignment / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        digests[path] = _digest(path)
    return digests


def test_generate_assignment_releases_exactly_our_exercises(course):
    for exercise in sorted((ROOT / "exercises").glob("*.ipynb")):
        released = json.loads((course / "release" / exercise.stem / exercise.name).read_text(encoding="utf-8"))
        ours = json.loads(exercise.read_text(encoding="utf-8"))
        assert released["metadata"] == ours["metadata"], exercise.name
        assert len(released["cells"]) == len(ours["cells"]), exercise.name
        for theirs, mine in zip(released["cells"], ours["cells"], strict=True):
            mine_metadata, theirs_metadata = dict(mine["metadata"]), dict(theirs["metadata"])
            ours_tags = [t for t in mine_metadata.pop("tags", []) if t != "raises-exception"]
            assert ours_tags == theirs_metadata.pop("tags", []), (exercise.name, _grade_id(theirs))  # we add only that
            assert theirs_metadata == mine_metadata, (exercise.name, _grade_id(theirs))
            assert _source(theirs) == _source(mine), (exercise.name, _grade_id(theirs))
            assert theirs.get("outputs") == mine.get("outputs") and theirs.get("id") == mine.get("id")


def test_the_autograde_batch_completes(autograded):
    course, result, _ = autograded
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for student in EXPECTED:
        assert (course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file(), student


def _assert_scores(course: Path, assignment: str, expected: dict) -> None:
    """Each student's total and per-cell scores in the gradebook, out of 10."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, (total, items) in expected.items():
            notebook = gradebook.find_submission_notebook(assignment, assignment, student)
            scores = {grade.name.removeprefix(f"{assignment}_"): grade.score for grade in notebook.grades}
            assert notebook.max_score == 10.0
            assert (notebook.score, scores) == (total, items), student


def test_the_five_submissions_get_the_expected_scores(autograded):
    course, _, _ = autograded
    _assert_scores(course, ASSIGNMENT, EXPECTED)


def test_the_timeout_interrupted_the_endless_loop(autograded):
    course, _, _ = autograded
    nb = json.loads((course / "autograded" / "loops" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    cell = next(c for c in nb["cells"] if _grade_id(c) == f"{ASSIGNMENT}_test_adam_step_efficient")
    assert any(o.get("output_type") == "error" for o in cell["outputs"])


def test_the_feedback_shows_the_hint_and_the_learners_code_not_the_checkers_frames(autograded):
    course, _, _ = autograded
    result = _nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", "uncorrected")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = (course / "feedback" / "uncorrected" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "adam_step returned a wrong theta." in text
    assert "Hint: m and v are not bias-corrected" in text
    assert "check_adam_step(adam_step)" in text  # the graded cell's own line
    assert not re.search(r"adam_edu[/\\]checks|_steps\.py|_harness\.py", text), "the checker's frames are shown"


def test_no_submission_file_is_changed(autograded):
    _, _, digests = autograded
    for path, digest in digests.items():
        assert _digest(path) == digest, f"autograde changed {path}"


# Exercise 11 trains a network in its graded cells and runs an ungraded lr x weight-decay grid: autograded in a
# batch of its own, with the 30 s cell timeout the README's instructor setup uses.
NETWORK = "ex11_train_a_network"
NETWORK_EXPECTED = {
    "correct": (10.0, {"test_adam_l2_step": 4.0, "test_adamw_step": 4.0, "test_training": 2.0}),
    "blank": (0.0, {"test_adam_l2_step": 0.0, "test_adamw_step": 0.0, "test_training": 0.0}),
}


@pytest.fixture(scope="module")
def autograded_network(course):
    pytest.importorskip("sklearn", reason="exercise 11 trains on scikit-learn's digits: pip install scikit-learn")
    digests = _submit(course, NETWORK, {"correct": _answers(NETWORK), "blank": {}})
    result = _nbgrader(course, "autograde", NETWORK, "--Execute.timeout=30")
    return course, result, digests


def test_exercise_11_is_autograded_to_the_expected_scores(autograded_network):
    course, result, digests = autograded_network
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    _assert_scores(course, NETWORK, NETWORK_EXPECTED)
    for path, digest in digests.items():
        assert _digest(path) == digest, f"autograde changed {path}"
