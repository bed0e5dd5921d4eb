"""Print the hint rate over the catalog, per checker: ``python tests/hint_catalog/rate.py [-v]``.

An entry counts when its checker rejects it and the hint names every mistake and convention it has.
``-v`` lists each miss with the hint it got.
"""

from __future__ import annotations

import contextlib
import io
import pathlib
import sys
from collections import Counter

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from adam_edu import checks
from hint_catalog import CHECKERS, hint_of, load, missing

CHECK = {name: getattr(checks, f"check_{name}_step") for name in CHECKERS}


def judge(entry):
    """(rejected, missing ids, message) for one entry."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            CHECK[entry.checker](entry.fn)
    except AssertionError as exc:
        return True, missing(entry, str(exc)), str(exc)
    return False, [], ""


def main(verbose: bool) -> int:
    entries = load()
    total, right, rejected = Counter(), Counter(), Counter()
    for entry in entries:
        was_rejected, absent, message = judge(entry)
        total[entry.checker] += 1
        rejected[entry.checker] += was_rejected
        right[entry.checker] += was_rejected and not absent
        if verbose and (absent or not was_rejected):
            print(f"MISS {entry.checker}/{entry.name}: missing {absent or 'verdict'}")
            print(f"  hint: {hint_of(message)}\n")
    print(f"{'checker':<10} {'wrong':>5} {'rejected':>8} {'hint right':>10} {'rate':>6}")
    for name in CHECKERS:
        if total[name]:
            rate = right[name] / total[name]
            print(f"{name:<10} {total[name]:>5} {rejected[name]:>8} {right[name]:>10} {rate:>6.0%}")
    n, r = sum(total.values()), sum(right.values())
    print(f"{'all':<10} {n:>5} {sum(rejected.values()):>8} {r:>10} {r / n:>6.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main("-v" in sys.argv))
