"""The seed study: rerun a lab's asserted comparisons over many seeds and record each margin's worst case.

``adam-edu seeds lab1 --seeds 15`` runs :mod:`adam_edu.labs.runs`' experiment of Lab 1 for seeds 0-14 in
quick mode (on the data of :data:`adam_edu.labs.runs.STUDY_IMAGES`, one CPU thread), re-choosing every learning
rate from its grid for each seed, exactly as the notebook does for seed 0. It writes
``adam_edu/labs/results/lab1.json``:

* every measure's value for every seed, its minimum and maximum;
* every claim of :data:`adam_edu.labs.claims.CLAIMS`: in how many seeds it held, and its worst case;
* the learning rate each optimizer chose in each seed, and how often that was the edge of its grid;
* what it was computed from: a fingerprint of the code (the source of the modules the study runs, with
  docstrings and comments removed, so that editing prose does not make the results stale) and of the data
  (a SHA-256 of the arrays), the seeds, and (recorded, never compared) the versions of torch and numpy,
  the machine and how long each seed took.

:func:`stale_reasons` says whether a results file still matches the code, the data and the claims; the tests
fail when it does not, and name the command that regenerates the file. ``--rescore`` recomputes the counts
and worst cases from the stored per-seed values (no training) after a change of the claims alone. Each lab
prints its file with :func:`seed_report`.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import platform
import sys
import time
import tokenize
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .claims import CLAIMS, MEASURES, claims_of
from .claims import format_value as _value

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # adam_edu/
RESULTS_DIR = Path(__file__).resolve().with_name("results")
LABS = tuple(CLAIMS)
DEFAULT_SEEDS = 15

# The code each study runs, as paths inside adam_edu/. Data loading and the training loop are shared.
_COMMON = (
    "labs/runs.py",
    "labs/experiments.py",
    "labs/training.py",
    "labs/models.py",
    "labs/data.py",
    "labs/backend.py",
)
_NUMPY_ADAM = ("labs/bridge.py", "labs/torch_adam.py", "optim/adam.py", "optim/base.py", "optim/states.py",
               "optim/validation.py")  # fmt: skip
MODULES: dict[str, tuple[str, ...]] = {
    "lab1": _COMMON,
    "lab2": _COMMON,
    "lab3": (*_COMMON, "labs/adam_state.py"),
    "lab4": (*_COMMON, *_NUMPY_ADAM),
    "lab5": (*_COMMON, *_NUMPY_ADAM),
}
# The entries of experiments.SETTINGS each study reads (Lab 5 trains Lab 2's MLP). They are fingerprinted one by
# one, and the SETTINGS table is left out of experiments.py's fingerprint, so that retuning one lab's grid leaves
# the other labs' results current.
SETTINGS_READ: dict[str, tuple[str, ...]] = {
    "lab1": ("lab1", "lab1_sparse"),
    "lab2": ("lab2",),
    "lab3": ("lab3",),
    "lab4": ("lab4",),
    "lab5": ("lab2",),
}
_SETTINGS_MODULE = "labs/experiments.py"


def command(lab: str, seeds: int = DEFAULT_SEEDS) -> str:
    """The command that regenerates ``lab``'s results file."""
    return f"adam-edu seeds {lab} --seeds {seeds}"


# ------------------------------------------------------------------------------------------ fingerprints
def normalized_source(text: str, leave_out: Sequence[str] = ()) -> str:
    """Python source without docstrings, comments and blank lines: what a code fingerprint is taken of.

    Every statement that is a bare string (a docstring, or a string under an assignment) is removed, and so is
    every comment; code, string literals used as values and indentation are kept. Module-level assignments to
    the names in ``leave_out`` are removed too (they are fingerprinted separately).
    """
    import ast

    lines = text.splitlines()
    tree = ast.parse(text)

    def blank(node: ast.AST) -> None:
        for row in range(node.lineno - 1, node.end_lineno):
            lines[row] = ""

    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            blank(node)
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id in leave_out for t in targets):
            blank(node)
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            lines[row - 1] = lines[row - 1][:col]
    return "\n".join(line.rstrip() for line in lines if line.strip())


def settings_table(text: str) -> dict:
    """The literal ``SETTINGS`` dict of experiments.py's source, read without importing it (no torch needed)."""
    import ast

    for node in ast.parse(text).body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "SETTINGS" for t in targets):
            return ast.literal_eval(node.value)
    raise ValueError("experiments.py defines no SETTINGS table")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def code_fingerprint(lab: str) -> dict[str, str]:
    """SHA-256 of each module :data:`MODULES` lists for ``lab`` (after :func:`normalized_source`) and of the
    entries of the labs' ``SETTINGS`` that it reads (:data:`SETTINGS_READ`), each on its own."""
    found = {}
    for path in MODULES[lab]:
        text = (PACKAGE_ROOT / path).read_text(encoding="utf-8")
        found[path] = _sha(normalized_source(text, ("SETTINGS",) if path == _SETTINGS_MODULE else ()))
    table = settings_table((PACKAGE_ROOT / _SETTINGS_MODULE).read_text(encoding="utf-8"))
    for name in SETTINGS_READ[lab]:
        found[f"{_SETTINGS_MODULE}:SETTINGS[{name!r}]"] = _sha(json.dumps(table[name], sort_keys=True))
    return found


def array_fingerprint(*arrays: np.ndarray | None) -> str:
    """SHA-256 of the arrays' dtypes, shapes and bytes (``None`` entries included as such)."""
    digest = hashlib.sha256()
    for array in arrays:
        if array is None:
            digest.update(b"None;")
            continue
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def data_fingerprint(lab: str, data: Mapping[str, Any] | None = None) -> dict[str, str]:
    """SHA-256 of each dataset's arrays."""
    if data is None:
        from .runs import study_data

        data = study_data(lab, _quick_mode())
    return {name: array_fingerprint(d.x_train, d.y_train, d.x_test, d.y_test) for name, d in data.items()}


def _quick_mode(device: str = "cpu"):
    from .backend import LabMode, require_torch

    torch = require_torch()
    return LabMode(False, torch.device(device), None, None, "adam-edu seeds (quick mode)")


# ------------------------------------------------------------------------------------------------ studies
def run_study(
    lab: str, seeds: Sequence[int], device: str = "cpu", progress: bool = True, inner_progress: bool = False
) -> dict:
    """Run ``lab``'s experiment for each seed (quick mode on ``device``, one CPU thread); return the results.

    The results are what :func:`write_results` saves: see the module docstring.
    """
    from tqdm.auto import tqdm

    from .backend import require_torch, setup_torch
    from .runs import lr_grids, run_seed, study_data
    from .training import TensorData

    if lab not in CLAIMS:
        raise KeyError(f"Unknown lab {lab!r}; choose one of {', '.join(CLAIMS)}.")
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct integers, at least one. Got {seeds!r} instead.")
    torch = require_torch()
    threads = torch.get_num_threads()
    setup_torch(1)
    try:
        mode = _quick_mode(device)
        data = study_data(lab, mode)
        fingerprint = {"code": code_fingerprint(lab), "data": data_fingerprint(lab, data)}  # before, not after
        tensors = {name: TensorData.from_dataset(d, mode.device) for name, d in data.items()}
        per_seed, seconds = [], []
        for seed in (bar := tqdm(seeds, desc=f"{lab} seeds", unit="seed", disable=not progress)):
            start = time.perf_counter()
            per_seed.append(run_seed(lab, data, tensors, mode, seed, inner_progress))
            seconds.append(time.perf_counter() - start)
            bar.set_postfix(last=f"{seconds[-1]:.0f} s")
    finally:
        torch.set_num_threads(threads)
    raw = {
        "margins": {m: [r.margins.get(m, math.nan) for r in per_seed] for m in MEASURES[lab]},
        "choices": {
            part: {name: [r.choices[part][name] for r in per_seed] for name in rates}
            for part, rates in lr_grids(lab, mode).items()
        },
    }
    unknown = sorted(set().union(*(r.margins for r in per_seed)) - set(MEASURES[lab]))
    if unknown:
        raise KeyError(f"{lab}: measures {', '.join(unknown)} have no entry in adam_edu.labs.claims.MEASURES.")
    return {
        "lab": lab,
        "command": command(lab, len(seeds)) + (f" --first {seeds[0]}" if seeds[0] else ""),
        "mode": "quick",
        "device": str(mode.device),
        "seeds": seeds,
        "fingerprint": fingerprint,
        "recorded": {
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {platform.system()}",
            "seconds_per_seed": [round(s, 1) for s in seconds],
            "seconds_total": round(sum(seconds), 1),
        },
        **summarise(lab, seeds, raw, lr_grids(lab, mode)),
    }


def summarise(lab: str, seeds: Sequence[int], raw: Mapping, lr_grids: Mapping) -> dict:
    """Measures (values, min, max), claims (held, worst) and learning-rate choices, from the per-seed values."""
    measures = {}
    for name, (part, description) in MEASURES[lab].items():
        values = [float(v) for v in raw["margins"][name]]
        finite = [v for v in values if not math.isnan(v)]
        measures[name] = {
            "part": part,
            "description": description,
            "values": values,
            "min": min(finite) if finite else math.nan,
            "max": max(finite) if finite else math.nan,
        }
    claims = []
    for claim in CLAIMS[lab]:
        values = measures[claim.measure]["values"]
        worst = claim.worst(values)
        worst_seed = next((s for s, v in zip(seeds, values, strict=True) if v == worst or math.isnan(v)), None)
        claims.append(
            {
                "text": claim.text,
                "part": claim.part,
                "measure": claim.measure,
                "op": claim.op,
                "bound": claim.bound,
                "asserted": claim.asserted,
                "held": sum(claim.holds(v) for v in values),
                "seeds": len(values),
                "worst": worst,
                "worst_seed": worst_seed,
            }
        )
    choices = {}
    for part, rates in lr_grids.items():
        choices[part] = {}
        for name, grid in rates.items():
            picked = [float(v) for v in raw["choices"][part][name]]
            choices[part][name] = {
                "grid": [float(lr) for lr in grid],
                "per_seed": picked,
                "counts": {f"{lr:g}": sum(p == lr for p in picked) for lr in grid},
                "at_edge": sum(p in (min(grid), max(grid)) for p in picked),
            }
    return {"claims": claims, "measures": measures, "choices": choices}


# -------------------------------------------------------------------------------------------- the files
def results_path(lab: str, folder: Path | None = None) -> Path:
    """Where ``lab``'s results live: ``adam_edu/labs/results/LAB.json`` unless ``folder`` is given."""
    return Path(folder or RESULTS_DIR) / f"{lab}.json"


def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def write_results(results: Mapping, folder: Path | None = None) -> Path:
    """Save ``results`` as indented JSON (non-finite numbers as the strings "nan" and "inf"); return the path."""
    path = results_path(results["lab"], folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_encode(dict(results)), indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


def load_results(lab: str, folder: Path | None = None) -> dict:
    """The results of ``lab``'s seed study, as saved by :func:`write_results`."""
    path = results_path(lab, folder)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `{command(lab)}` to create it.")
    return _decode(json.loads(path.read_text(encoding="utf-8")))


def rescore(results: Mapping) -> dict:
    """``results`` with claims, measures and choices recomputed from the stored per-seed values (no training)."""
    lab = results["lab"]
    raw = {
        "margins": {m: results["measures"].get(m, {}).get("values", [math.nan] * len(results["seeds"]))
                    for m in MEASURES[lab]},
        "choices": {part: {name: c["per_seed"] for name, c in rates.items()}
                    for part, rates in results["choices"].items()},
    }  # fmt: skip
    lr_grids = {part: {name: c["grid"] for name, c in rates.items()} for part, rates in results["choices"].items()}
    return {**results, **summarise(lab, results["seeds"], raw, lr_grids)}


def stale_reasons(lab: str, folder: Path | None = None, data: Mapping | None = None) -> list[str]:
    """Why ``lab``'s results file no longer matches the code, the data or the claims (empty: it is current)."""
    try:
        results = load_results(lab, folder)
    except FileNotFoundError as exc:
        return [str(exc)]
    rerun = f"regenerate it with `{results.get('command', command(lab))}`"
    reasons = []
    recorded, current = results["fingerprint"]["code"], code_fingerprint(lab)
    changed = sorted(p for p in set(recorded) | set(current) if recorded.get(p) != current.get(p))
    if changed:
        reasons.append(
            f"the code of {', '.join('adam_edu/' + p for p in changed)} changed since the study ran: {rerun}"
        )
    recorded, current = results["fingerprint"]["data"], data_fingerprint(lab, data)
    if recorded != current:
        reasons.append(f"the data ({', '.join(sorted(set(recorded) | set(current)))}) changed: {rerun}")
    if not reasons and _encode(rescore(results)) != _encode(results):
        reasons.append(
            f"the claims or measures of {lab} in adam_edu/labs/claims.py changed since the file was written: "
            f"update it with `adam-edu seeds {lab} --rescore` (no training needed)"
        )
    return reasons


# ------------------------------------------------------------------------------------------- reporting
def _seed_range(seeds: Sequence[int]) -> str:
    if list(seeds) == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"seeds {seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}"
    return "seeds " + ", ".join(map(str, seeds))


def seed_report(
    lab: str, part: str | Sequence[str] | None = None, folder: Path | None = None, results: Mapping | None = None
) -> str:
    """The study's results as text: claims (held in how many seeds, worst case, range) and other measures.

    ``part`` limits it to one part of the lab (or to the parts named). The text depends only on the results
    file, so a notebook can print it in a cell whose output nbval compares.
    """
    results = load_results(lab, folder) if results is None else results
    parts = None if part is None else ([part] if isinstance(part, str) else list(part))

    def wanted(name: str) -> bool:
        return parts is None or name in parts

    seeds, n = results["seeds"], len(results["seeds"])
    versions = results["recorded"]
    which = f" ({', '.join(parts)})" if parts else ""
    head = (
        f"Seed study of {lab}{which}: {_seed_range(seeds)} ({n}), "
        f"{results['mode']} mode on {results['device']}, torch {versions['torch']}, numpy {versions['numpy']}"
    )
    lines = [head, f"(adam_edu/labs/results/{lab}.json, written by `{results['command']}`)", ""]
    rows = [c for c in results["claims"] if wanted(c["part"])]
    width = max([len(c["text"]) for c in rows] + [len(m["description"]) for m in results["measures"].values()] + [10])
    lines.append(f"{'':12s}{'':{width}s}  {'bound':>8s}  {'held':>5s}  {'worst':>9s}  {'min':>9s}  {'max':>9s}")
    for claim in rows:
        m = results["measures"][claim["measure"]]
        kind = "claim" if claim["asserted"] else "observation"
        condition = f"{claim['op']} {claim['bound']:g}"
        held = f"{claim['held']}/{claim['seeds']}"
        lines.append(
            f"{kind:12s}{claim['text']:{width}s}  {condition:>8s}  {held:>5s}  {_value(claim['worst']):>9s}  "
            f"{_value(m['min']):>9s}  {_value(m['max']):>9s}"
        )
    claimed = {c["measure"] for c in rows}
    others = [(k, m) for k, m in results["measures"].items() if wanted(m["part"]) and k not in claimed]
    for _, m in others:
        lines.append(f"{'measure':12s}{m['description']:{width}s}  {'':>8s}  {'':>5s}  {'':>9s}  "
                     f"{_value(m['min']):>9s}  {_value(m['max']):>9s}")  # fmt: skip
    choices = {p: c for p, c in results["choices"].items() if wanted(p)}
    if choices:
        lines += ["", "learning rate chosen, in how many seeds (* = an end of the grid)"]
        for name_part, rates in choices.items():
            for name, c in rates.items():
                ends = (min(c["grid"]), max(c["grid"]))
                cells = [f"{lr:g}{'*' if lr in ends else ''}: {c['counts'][f'{lr:g}']}" for lr in c["grid"]]
                label = f"{name_part} {name}" if len(choices) > 1 else name
                lines.append(f"  {label:22s} " + "   ".join(cells))
    return "\n".join(lines)


def worst(lab: str, measure: str, folder: Path | None = None) -> dict[str, float]:
    """``{"min": ..., "max": ...}`` of one measure of ``lab``'s study."""
    m = load_results(lab, folder)["measures"][measure]
    return {"min": m["min"], "max": m["max"]}


# ------------------------------------------------------------------------------------------------- CLI
def main(argv: Sequence[str] | None = None) -> int:
    """``adam-edu seeds``: run (or ``--rescore``, or ``--check``) the seed study of one or more labs."""
    parser = argparse.ArgumentParser(
        prog="adam-edu seeds",
        description="Rerun a lab's asserted comparisons over seeds (quick mode, one CPU thread; every learning rate "
        "re-chosen from its grid for each seed) and write each measure's worst case, and how many seeds each claim "
        "held in, to adam_edu/labs/results/LAB.json. Labs run one after another.",
    )
    parser.add_argument("labs", nargs="+", metavar="LAB", help=f"{', '.join(LABS)}, or all")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help=f"how many seeds (default {DEFAULT_SEEDS})")
    parser.add_argument("--first", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the results (default adam_edu/labs/results)")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu; the labs' asserts are for cpu)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--rescore", action="store_true", help="recount claims from the stored values; no training")
    action.add_argument("--check", action="store_true", help="run nothing; exit 1 if a results file is stale")
    args = parser.parse_args(argv)
    labs = list(LABS) if args.labs == ["all"] else args.labs
    unknown = [lab for lab in labs if lab not in LABS]
    if unknown:
        parser.error(f"unknown lab(s) {', '.join(unknown)}; choose from {', '.join(LABS)} or all")
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1. Got {args.seeds}.")
    status = 0
    for lab in labs:
        if args.check:
            reasons = stale_reasons(lab, args.out)
            print(f"{results_path(lab, args.out)}: " + ("; ".join(reasons) if reasons else "current"))
            status |= bool(reasons)
            continue
        if args.rescore:
            path = write_results(rescore(load_results(lab, args.out)), args.out)
        else:
            seeds = range(args.first, args.first + args.seeds)
            path = write_results(run_study(lab, seeds, args.device, progress=not args.no_progress), args.out)
        results = load_results(lab, args.out)
        print(seed_report(lab, results=results))
        failed = [c["text"] for c in results["claims"] if c["asserted"] and c["held"] < c["seeds"]]
        seconds = results["recorded"]["seconds_total"]
        print(f"\nwrote {path} ({seconds:.0f} s of training when the study ran)")
        if failed:
            print(f"{lab}: asserted claim(s) that did not hold in every seed: {'; '.join(failed)}", file=sys.stderr)
            status = 1
    return status


__all__ = [
    "CLAIMS",
    "LABS",
    "MODULES",
    "claims_of",
    "code_fingerprint",
    "data_fingerprint",
    "load_results",
    "main",
    "normalized_source",
    "rescore",
    "results_path",
    "run_study",
    "seed_report",
    "stale_reasons",
    "summarise",
    "write_results",
]
