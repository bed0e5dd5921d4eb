"""The checkers' hints name the bug: over the catalog in ``tests/hint_catalog``, every wrong step is rejected and
its hint names each mistake it makes and calls each other library's convention a convention, library named.

The catalog and the phrases each hint must contain were committed before the diagnosis was changed;
``python tests/hint_catalog/rate.py`` prints the rate per checker.
"""

from __future__ import annotations

import contextlib
import io
from collections import Counter

import pytest
from hint_catalog import CHECKERS, ENTRIES, hint_of, load, missing

from adam_edu import checks

load()
CHECK = {name: getattr(checks, f"check_{name}_step") for name in CHECKERS}
FIVE = ("momentum", "rmsprop", "adam", "adamax", "amsgrad")
KNOWN_MISSES = {  # entry: why its hint does not name everything (each counts against the rate)
    "adamax_step_signed_t_from_zero": "it divides by zero at t = 1, so only the crash is explained, not the signed g",
    "momentum_step_sutskever_nesterov_sign": "no known mistake reproduces Bengio's Nesterov form with a sign slip",
}


def _message(entry) -> str | None:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            CHECK[entry.checker](entry.fn)
    except AssertionError as exc:
        return str(exc)
    return None


def test_the_catalog_has_at_least_40_wrong_implementations_across_the_five_checkers_and_ex11():
    counts = Counter(entry.checker for entry in ENTRIES)
    assert sum(counts[name] for name in FIVE) >= 40, counts
    assert all(counts[name] >= 4 for name in CHECKERS), counts
    combined = sum(len(entry.mistakes) + len(entry.conventions) >= 2 for entry in ENTRIES)
    assert combined >= 15, f"only {combined} entries with two or more mistakes or conventions"
    assert len({entry.name for entry in ENTRIES}) == len(ENTRIES), "two entries share a name"


def test_the_hint_names_everything_for_at_least_90_percent_of_the_catalog():
    assert set(KNOWN_MISSES) <= {entry.name for entry in ENTRIES}
    assert len(KNOWN_MISSES) <= 0.1 * len(ENTRIES)


def _marked(entry):
    reason = KNOWN_MISSES.get(entry.name)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(entry, id=f"{entry.checker}-{entry.name}", marks=marks)


@pytest.mark.parametrize("entry", [_marked(entry) for entry in ENTRIES])
def test_the_hint_names_every_mistake_and_convention(entry):
    message = _message(entry)
    assert message is not None, f"{entry.name} was accepted: it is wrong ({entry.mistakes}, {entry.conventions})"
    absent = missing(entry, message)
    assert not absent, f"the hint does not name {absent}:\n{hint_of(message)}"
