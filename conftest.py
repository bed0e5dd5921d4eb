"""Settings for the whole test run: deterministic kernels, and notebooks that need torch skipped without it.

A notebook declares what it needs beyond the core in its metadata::

    "metadata": {"adam_edu": {"requires": ["torch"]}}

When such a package is missing, the notebook is skipped with a reason that says how to install it.
"""

import importlib.util
import json
import os
from pathlib import Path

import pytest

# Kernels started by nbval inherit this process's environment.
os.environ["PYTHONHASHSEED"] = "0"
os.environ.pop("MPLBACKEND", None)  # a non-inline backend drops every figure from the outputs
# The labs' saved outputs come from quick mode on the CPU: a GPU machine must not switch them to full mode.
os.environ.setdefault("ADAM_EDU_FULL", "0")
os.environ.setdefault("ADAM_EDU_DEVICE", "cpu")

INSTALL_HINT = {
    "torch": "pip install torch==2.13.0 (CPU build) or pip install -e '.[labs]'",
    "sklearn": "pip install scikit-learn or pip install -e '.[labs]'",
}


def notebook_requirements(path: Path) -> list[str]:
    """The packages a notebook declares in its ``adam_edu.requires`` metadata."""
    metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    return list(metadata.get("adam_edu", {}).get("requires", []))


def pytest_collection_modifyitems(config, items):
    missing_by_path: dict[Path, list[str]] = {}
    for item in items:
        path = Path(str(item.path))
        if path.suffix != ".ipynb":
            continue
        if path not in missing_by_path:
            missing_by_path[path] = [
                name for name in notebook_requirements(path) if importlib.util.find_spec(name) is None
            ]
        for name in missing_by_path[path]:
            item.add_marker(pytest.mark.skip(reason=f"{path.name} needs {name}: {INSTALL_HINT.get(name, name)}"))
