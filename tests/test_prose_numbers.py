"""Every number quoted in prose is computed in code: notebooks, exercises, solutions and the cheat sheet."""

import copy
import json
from pathlib import Path

import pytest

from adam_edu.course.prose_numbers import (
    REPO_ROOT,
    default_documents,
    quoted_numbers,
    unsupported_in,
    unsupported_in_notebook,
)

DOCUMENTS = default_documents()


def _texts(markdown: str) -> list[str]:
    return [number.text for number in quoted_numbers(markdown)]


def _notebook(markdown: list[str], code: list[tuple[str, str, list[str]]]) -> dict:
    """A notebook with these Markdown cells and (source, printed text, tags) code cells."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in markdown]
    for source, printed, tags in code:
        outputs = [{"output_type": "stream", "name": "stdout", "text": printed}] if printed else []
        cells.append(
            {
                "cell_type": "code",
                "metadata": {"tags": tags},
                "source": source,
                "outputs": outputs,
                "execution_count": 1,
            }
        )
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _write(tmp_path: Path, notebook: dict, name: str = "n.ipynb") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


@pytest.mark.parametrize("path", DOCUMENTS, ids=[str(p.relative_to(REPO_ROOT)) for p in DOCUMENTS])
def test_every_number_in_prose_is_computed_in_code(path):
    missing = unsupported_in(path)
    listing = "\n".join(f"  {number.text!r}  {number.where}" for number in missing)
    assert not missing, (
        f"{len(missing)} numbers in the prose of {path.name} appear nowhere in its code or compared outputs:\n"
        f"{listing}\nCompute and print or assert each one in a code cell (or take it out of the prose); "
        "`adam-edu prose-numbers` lists them."
    )


def test_the_documents_include_every_kind():
    folders = {p.relative_to(REPO_ROOT).parts[0] for p in DOCUMENTS}
    assert {"notebooks", "solutions", "exercises"} <= folders
    assert any(p.name == "cheatsheet.html" for p in DOCUMENTS)
    assert any("labs" in p.parts for p in DOCUMENTS)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("the step is $0.760\\,\\alpha$ against 0.990", ["0.760", "0.990"]),
        ("$\\epsilon = 10^{-8}$, or 1e-8, or $10^-8$", ["10^{-8}", "10^-8", "1e-8"]),
        ("about $3.16\\cdot 10^{-7}$ and $2\\times10^{3}$", ["3.16\\cdot 10^{-7}", "2\\times10^{3}"]),
        ("2,300 steps and $1{,}000$ more, t = 12, 100x, 81%", ["2,300", "1,000"]),
        ("Section 2.1, Theorem 4.1 and Sec. 7.2; Lecture 6.5", []),
        ("nbgrader 0.9.6, Python 3.11, torch 2.13, arXiv:1412.6980", []),
        ("[notes](https://example.org/v1.5/page) and <img src='fig2.5.png'>", []),
        ("a spike after zeros: $−0.48$ (signs are ignored)", ["0.48"]),
    ],
)
def test_which_numbers_prose_quotes(markdown, expected):
    assert sorted(_texts(markdown)) == sorted(expected)


def test_a_number_matches_after_rounding_to_the_precision_quoted():
    [number] = quoted_numbers("0.760")
    assert number.is_supported_by(0.76012) and number.is_supported_by(-0.7604)
    assert not number.is_supported_by(0.7606) and not number.is_supported_by(0.761)
    [big] = quoted_numbers("2,300")
    assert big.is_supported_by(2300) and not big.is_supported_by(2304)
    [tiny] = quoted_numbers("$4.16\\cdot 10^{-8}$")
    assert tiny.is_supported_by(4.1623e-8) and not tiny.is_supported_by(4.17e-8)


def test_a_planted_stale_number_fails(tmp_path):
    """The check fails on a wrong number put into a real notebook, and only on that number."""
    source = REPO_ROOT / "solutions" / "ex04_adam_step.ipynb"
    notebook = json.loads(source.read_text(encoding="utf-8"))
    planted = copy.deepcopy(notebook)
    planted["cells"].append(
        {"cell_type": "markdown", "metadata": {}, "source": "The efficient form's step is 2.37 times smaller."}
    )
    missing = unsupported_in_notebook(_write(tmp_path, planted, source.name))
    assert [number.text for number in missing] == [n.text for n in unsupported_in_notebook(source)] + ["2.37"]


def test_code_and_compared_outputs_support_prose(tmp_path):
    notebook = _notebook(
        ["ratio 1.30, step 0.760, constant 0.25, timing 4.7 ms, grid 1,500"],
        [
            ("ratio = alg1 / efficient\nprint(f'{ratio:.4f}')", "1.3031\n", []),
            ("step = 0.76012", "", []),
            ("x = 1 / 4", "", []),
            ("print(f'{ms:.1f} ms')", "4.7 ms\n", ["nbval-ignore-output"]),
            ("for n in range(1_500): pass", "", []),
        ],
    )
    missing = [number.text for number in unsupported_in_notebook(_write(tmp_path, notebook))]
    assert missing == ["0.25", "4.7"]  # 0.25 is computed but never shown; 4.7 only in an output nbval ignores


def test_an_exercise_is_supported_by_its_solution(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").mkdir()
    prose = ["the first step is $0.990\\,\\alpha$"]
    _write(tmp_path / "solutions", _notebook(prose, [("print(0.990099)", "0.990099\n", [])]), "ex.ipynb")
    exercise = _write(tmp_path / "exercises", _notebook(prose, [("# YOUR CODE HERE", "", [])]), "ex.ipynb")
    assert unsupported_in_notebook(exercise) == []
    (tmp_path / "solutions" / "ex.ipynb").unlink()
    assert [n.text for n in unsupported_in_notebook(exercise)] == ["0.990"]


def test_the_cheatsheet_numbers_are_computed():
    cheatsheet = next(p for p in DOCUMENTS if p.name == "cheatsheet.html")
    assert quoted_numbers(cheatsheet.read_text(encoding="utf-8")), "the cheat sheet quotes no number: wrong file?"
    assert unsupported_in(cheatsheet) == []
