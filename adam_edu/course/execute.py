"""Re-execute notebooks top to bottom and save them with their outputs, as the tests expect them.

Each notebook runs in a fresh ``python3`` kernel started in the notebook's own folder, with
``PYTHONHASHSEED=0`` so that runs repeat exactly. Cells tagged ``raises-exception`` may fail (the
exercises' stubs); any other error stops the run for that notebook and leaves the file untouched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FOLDERS = ("notebooks", "solutions")


def find_notebooks(paths: Iterable[str | Path]) -> list[Path]:
    """The ``.ipynb`` files named, or found below the folders named, sorted; checkpoints skipped."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += [p for p in sorted(path.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path} is neither a notebook (.ipynb) nor a folder. Check the path.")
    return found


def execute_notebook(path: Path, timeout: int = 600) -> float:
    """Run ``path`` top to bottom in a new kernel and save it in place; return the seconds it took."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["PYTHONHASHSEED"] = "0"
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return seconds
