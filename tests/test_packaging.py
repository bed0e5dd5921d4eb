"""Packaging: pyproject.toml and environment.yml list the same packages, and the core stays light."""

import re
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names
CONDA_NAME = {"torch": "pytorch"}
# extras a conda user of the course gets; instructors' nbgrader stays a pip extra (it enables server extensions)
EXTRAS_IN_CONDA = ("lab", "labs", "test")


def _split(requirement: str) -> tuple[str, str]:
    requirement = requirement.split(";", 1)[0]  # environment markers do not matter to conda
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    return match.group(1).lower(), match.group(2).replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in EXTRAS_IN_CONDA:
        requirements += project["optional-dependencies"][extra]
    pairs = [_split(r) for r in requirements]
    return {CONDA_NAME.get(name, name): spec for name, spec in pairs}


def _conda_requirements() -> dict[str, str]:
    text = (ROOT / "environment.yml").read_text()
    found = {}
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.fullmatch(r"  - ([A-Za-z0-9_.\-]+\S*)", line)  # conda entries, not the pip sub-list
        if match and not match.group(1).startswith("pip"):
            name, spec = _split(match.group(1))
            found[name] = spec
    found.pop("python", None)
    return found


def test_environment_yml_matches_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_environment_yml_installs_the_package_itself():
    assert re.search(r"^\s+- -e \.$", (ROOT / "environment.yml").read_text(), re.MULTILINE)


def _oldest_step() -> tuple[dict[str, str], str]:
    """The versions .ci/oldest pins (name -> version) and the Python it runs them on."""
    text = (ROOT / ".ci" / "oldest").read_text()
    pins = re.search(r"^oldest=\((.*)\)$", text, re.MULTILINE)
    floor = re.search(r"^python_floor=(\S+)$", text, re.MULTILINE)
    assert pins and floor, ".ci/oldest lost its `oldest=(...)` or `python_floor=` line"
    pairs = [re.fullmatch(r"([A-Za-z0-9_.\-]+)==([0-9][0-9.]*)", pin) for pin in pins.group(1).split()]
    assert all(pairs), f"every pin in .ci/oldest is NAME==VERSION: {pins.group(1)}"
    return {m.group(1).lower(): m.group(2) for m in pairs}, floor.group(1)


def _floor(requirement: str) -> tuple[str, str]:
    name, spec = _split(requirement)
    match = re.fullmatch(r">=([0-9][0-9.]*)", spec)
    assert match, f"{requirement!r}: declare a floor alone (NAME>=VERSION), so that CI can test it"
    return name, match.group(1)


def test_python_floor_agrees():
    _, python = _oldest_step()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == f">={python}"
    assert f"  - python>={python}" in (ROOT / "environment.yml").read_text().splitlines()
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["target-version"] == (
        "py" + python.replace(".", "")
    )


def test_ci_tests_the_oldest_declared_versions():
    """The floors pyproject declares are the versions .ci/oldest installs, so that the two cannot drift apart."""
    pins, _ = _oldest_step()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = dict(_floor(r) for r in project["dependencies"])
    labs = dict(_floor(r) for r in project["optional-dependencies"]["labs"])
    torch_floor = labs.pop("torch")  # its CPU wheel here is for Python 3.11: .ci/run installs the floor itself
    assert pins == {**core, **labs}
    ci = (ROOT / ".ci" / "run").read_text()
    installed = re.search(r"pip install -q torch==([0-9.]+)\n", ci)
    assert installed and Version(installed.group(1)) == Version(torch_floor), (installed, torch_floor)


def test_ci_runs_the_oldest_versions_step_after_the_readme_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index(_quick_start_commands()[1]) < ci.index("bash .ci/oldest")


def test_import_adam_edu_needs_numpy_alone():
    code = (
        "import sys, adam_edu, adam_edu.optim, adam_edu.functions, adam_edu.trajectories, adam_edu.averages;"
        "heavy = {'matplotlib', 'ipywidgets', 'torch', 'nbformat', 'sklearn'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", f"the core imported heavy packages: {out.stdout.strip()}"


def test_every_top_level_folder_exists():
    for name in ("notebooks", "adam_edu", "exercises", "solutions", "tests", ".ci"):
        assert (ROOT / name).is_dir(), f"{name}/ is missing"
    for name in ("environment.yml", "README.md", "pyproject.toml", ".ci/run"):
        assert (ROOT / name).is_file(), f"{name} is missing"


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)?\n(.*?)\n```", section, re.DOTALL)


def test_quick_start_has_exactly_two_commands():
    commands = _quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands), commands


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = _quick_start_commands()[1]
    assert "pytest" in test_command
    assert f"{{ {test_command}; }}" in (ROOT / ".ci" / "run").read_text()


def test_ci_installs_the_cpu_build_of_torch_first():
    ci = (ROOT / ".ci" / "run").read_text()
    torch_first = ci.index("pip install -q torch==2.13.0")
    assert torch_first < ci.index('".[labs') < ci.index(_quick_start_commands()[1])


def test_readme_python_examples_run():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)\n```", readme, re.DOTALL)
    runnable = []
    for block in blocks:
        try:
            runnable.append(compile(block, "README.md", "exec"))
        except SyntaxError:
            continue  # signature listings, not programs
    assert runnable, "README has no runnable Python example"
    for code in runnable:
        exec(code, {})


def test_numpy_promotes_as_the_float32_contract_assumes():
    """NEP 50 (numpy >= 2): a NumPy float64 scalar turns a float32 array into float64, a Python float does not.

    The checkers reject code that upcasts float32 this way; under NumPy 1.x both kept float32 and such code
    passed, which is why pyproject.toml declares numpy>=2.0.
    """
    import math

    import numpy as np

    x = np.ones(3, dtype=np.float32)
    assert (np.sqrt(1 - 0.999**1) * x).dtype == np.float64
    assert (math.sqrt(1 - 0.999**1) * x).dtype == np.float32
