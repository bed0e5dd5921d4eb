"""The ``adam-edu`` command: course tooling for maintainers, instructors and workshop leads.

adam-edu execute [PATH ...]    re-run notebooks top to bottom and save them with outputs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _execute(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from .course.execute import DEFAULT_FOLDERS, REPO_ROOT, execute_notebook, find_notebooks

    paths = args.paths or [REPO_ROOT / folder for folder in DEFAULT_FOLDERS]
    notebooks = find_notebooks(paths)
    failed = []
    for path in (bar := tqdm(notebooks, unit="notebook")):
        bar.set_description(path.name)
        try:
            seconds = execute_notebook(path, timeout=args.timeout)
        except Exception as exc:  # report every failing notebook, not just the first
            failed.append(path)
            tqdm.write(f"FAILED {path}: {type(exc).__name__}: {str(exc).strip().splitlines()[-1]}")
        else:
            tqdm.write(f"saved  {path} ({seconds:.1f} s)")
    if failed:
        print(f"{len(failed)} of {len(notebooks)} notebooks failed and were left as they were.", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="adam-edu", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    execute = commands.add_parser(
        "execute",
        help="re-run notebooks top to bottom and save them with their outputs",
        description="Re-run notebooks top to bottom in fresh kernels and save them in place with their outputs. "
        "Without PATH: every notebook in notebooks/ and solutions/.",
    )
    execute.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="notebooks or folders")
    execute.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    execute.set_defaults(func=_execute)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
