"""Every committed notebook was saved from a clean top-to-bottom run, without errors or machine paths."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p
    for folder in ("notebooks", "solutions", "exercises")
    for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
MACHINE_PATH = re.compile(r"(/root/|/tmp/|/home/|/work/|/Users/|[A-Z]:\\\\)")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def test_there_are_notebooks():
    assert any(p.parent.name == "notebooks" for p in NOTEBOOKS), "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_saved_from_a_clean_top_to_bottom_run(path):
    counts = [c["execution_count"] for c in _code_cells(_load(path)) if "".join(c["source"]).strip()]
    if "exercises" in path.relative_to(ROOT).parts and all(c is None for c in counts):
        return  # released to students with outputs cleared
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..n. Re-run it with `adam-edu execute {path.name}`."
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_error_outputs_outside_exercises(path):
    if "exercises" in path.relative_to(ROOT).parts:
        pytest.skip("exercise stubs raise NotImplementedError by design")
    errors = [
        output.get("ename")
        for cell in _code_cells(_load(path))
        for output in cell.get("outputs", [])
        if output["output_type"] == "error"
    ]
    assert errors == [], f"{path.name} was saved with error outputs: {errors}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_machine_paths_in_outputs(path):
    outputs = json.dumps([cell.get("outputs", []) for cell in _code_cells(_load(path))])
    found = MACHINE_PATH.findall(outputs)
    assert not found, f"{path.name}: an output holds a path of the machine it ran on: {sorted(set(found))}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_kernel_is_plain_python3(path):
    assert _load(path)["metadata"]["kernelspec"]["name"] == "python3"


LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_relative_links_resolve(path):
    markdown = "\n".join("".join(c["source"]) for c in _load(path)["cells"] if c["cell_type"] == "markdown")
    markdown = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", "", markdown, flags=re.DOTALL)  # E[g^2](1-b^t) is math
    targets = [t for t in LINK.findall(markdown) if "://" not in t and not t.startswith("mailto:")]
    missing = [t for t in targets if not (path.parent / t).exists()]
    assert not missing, f"{path.name} links to files that do not exist: {missing}"
