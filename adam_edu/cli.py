"""The ``adam-edu`` command: course tooling for maintainers, instructors and workshop leads.

adam-edu execute [PATH ...]    re-run notebooks top to bottom and save them with outputs
adam-edu handouts OUTDIR       offline HTML and PDF of every notebook, an index and a one-page cheat sheet
adam-edu exercises [--force]   generate exercises/ from solutions/ (nbgrader's preprocessors; --check: is it stale?)
adam-edu benchmark [...]       training steps per second of each lab's model on this device (needs torch)
adam-edu prose-numbers [PATH]  list the numbers in notebooks' Markdown that no code in the notebook computes
adam-edu seeds LAB [...]       rerun a lab's claims over seeds; write their worst cases to adam_edu/labs/results/
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


def _handouts(args: argparse.Namespace) -> int:
    from .course.handouts import HandoutError, build_handouts

    try:
        report = build_handouts(args.outdir, args.notebooks or None, force=args.force, pdf=not args.no_pdf)
    except HandoutError as exc:
        print(f"adam-edu handouts: {exc}", file=sys.stderr)
        return 1
    size, seconds = report.total_bytes / 1e6, report.seconds["total"]
    print(f"wrote {len(report.files)} files ({size:.1f} MB) in {seconds:.0f} s: open {args.outdir / 'index.html'}")
    return 0


def _exercises(args: argparse.Namespace) -> int:
    from .course.exercises import main

    try:
        return main(args.solutions, args.exercises, force=args.force, check=args.check)
    except ImportError as exc:  # nbgrader missing: the message says how to install it
        print(f"adam-edu exercises: {exc}", file=sys.stderr)
        return 1


def _benchmark(args: argparse.Namespace) -> int:
    from .labs.benchmark import main

    return main(args.options)  # its own parser: --full, --steps N, --device D, --threads T


def _prose_numbers(args: argparse.Namespace) -> int:
    from .course.prose_numbers import main

    return main(args.paths or None)


def _seeds(args: argparse.Namespace) -> int:
    from .labs.seeds import main

    return main(args.options)  # its own parser: LAB ..., --seeds N, --first S, --out DIR, --rescore, --check


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

    handouts = commands.add_parser(
        "handouts",
        help="build offline HTML and PDF handouts of every notebook, an index and a cheat sheet",
        description="Build workshop handouts from the notebooks as saved (nothing is executed): an offline HTML page "
        "and a PDF per notebook (notebooks/ and notebooks/labs/), the series in one PDF, a one-page Adam cheat "
        "sheet, and OUTDIR/index.html linking them. Needs node (run `npm ci --prefix adam_edu/course/handouts_js` "
        "once) and, for the PDFs, Chromium, playwright and pypdf.",
    )
    handouts.add_argument("outdir", type=Path, metavar="OUTDIR", help="folder to write into (new or empty)")
    handouts.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK", help="only these notebooks")
    handouts.add_argument("--force", action="store_true", help="write into OUTDIR even if it holds files")
    handouts.add_argument("--no-pdf", action="store_true", help="build the HTML pages only (no Chromium needed)")
    handouts.set_defaults(func=_handouts)

    exercises = commands.add_parser(
        "exercises",
        help="generate exercises/ from solutions/ with nbgrader's preprocessors",
        description="Generate each exercise notebook from its solution: solutions cleared to stubs, hidden tests "
        "removed, outputs cleared, cells locked, and the cells that fail until answered tagged raises-exception. "
        "Refuses to overwrite an exercise that differs from what it would write (a student may have edited it) "
        "unless --force. Needs nbgrader: pip install -e '.[instructors]'.",
    )
    mode = exercises.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true", help="overwrite exercises that differ")
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 if exercises/ is stale")
    exercises.add_argument("--solutions", type=Path, default=None, metavar="DIR", help="default: solutions/")
    exercises.add_argument("--exercises", type=Path, default=None, metavar="DIR", help="default: exercises/")
    exercises.set_defaults(func=_exercises)

    benchmark = commands.add_parser(
        "benchmark",
        add_help=False,
        help="training steps per second of each lab's model on this device (adam-edu benchmark --help)",
    )
    benchmark.set_defaults(func=_benchmark)

    prose = commands.add_parser(
        "prose-numbers",
        help="list the numbers in notebooks' Markdown that no code in the notebook computes",
        description="List every number quoted in Markdown (with a decimal point, an exponent or a thousands "
        "separator) that appears nowhere in the notebook's code or in the outputs nbval compares (for an "
        "exercise: nor in its solution's). Without PATH: every notebook, exercise and solution, and the cheat "
        "sheet. Exit 1 if any is found.",
    )
    prose.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="notebooks, folders or the cheat sheet")
    prose.set_defaults(func=_prose_numbers)

    seeds = commands.add_parser(
        "seeds",
        add_help=False,
        help="rerun a lab's asserted comparisons over seeds and record their worst cases (adam-edu seeds --help)",
    )
    seeds.set_defaults(func=_seeds)

    args, options = parser.parse_known_args(argv)
    if args.command in ("benchmark", "seeds"):
        args.options = options
    elif options:
        parser.error(f"unrecognized arguments: {' '.join(options)}")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
