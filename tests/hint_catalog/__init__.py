"""A catalog of wrong step functions, written the way learners write them, and the hint each must get.

Each entry is a function that a checker must reject, with the mistakes it makes (each must be named
by the hint) and the other libraries' conventions it follows (each must be called a convention, with
the library or paper named). The patterns come from studying public code (course submissions, blog
posts, small libraries); the functions are written here, not copied. The expected hints were committed
before the diagnosis was changed, so that the hint rate is measured, not tuned.

``python tests/hint_catalog/rate.py`` prints the rate per checker; ``tests/test_hints.py`` asserts it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from .vocabulary import CONVENTIONS, MISTAKES

CHECKERS = ("momentum", "rmsprop", "adam", "adamax", "amsgrad", "adam_l2", "adamw")


@dataclasses.dataclass(frozen=True)
class Wrong:
    checker: str  # one of CHECKERS
    fn: Callable
    mistakes: tuple[str, ...]  # ids in vocabulary.MISTAKES: each must be named by the hint
    conventions: tuple[str, ...]  # ids in vocabulary.CONVENTIONS: each must be called a convention, library named
    source: str  # the kind of public code the pattern was seen in, in words

    @property
    def name(self) -> str:
        return self.fn.__name__


ENTRIES: list[Wrong] = []


def wrong(checker: str, *mistakes: str, conventions: tuple[str, ...] = (), source: str):
    """Register a wrong implementation for ``checker`` with the mistakes and conventions its hint must name."""
    if checker not in CHECKERS:
        raise ValueError(f"checker must be one of {CHECKERS}; got {checker!r}")
    unknown = [m for m in mistakes if m not in MISTAKES] + [c for c in conventions if c not in CONVENTIONS]
    if unknown:
        raise ValueError(f"unknown ids {unknown}: add them to vocabulary.py first")
    if not mistakes and not conventions:
        raise ValueError("an entry names at least one mistake or convention")

    def register(fn):
        ENTRIES.append(Wrong(checker, fn, tuple(mistakes), tuple(conventions), source))
        return fn

    return register


def hint_of(message: str) -> str:
    """The part of a checker's message after ``Hint:`` (empty when there is none)."""
    _, found, hint = message.partition("Hint:")
    return hint.strip() if found else ""


def missing(entry: Wrong, message: str) -> list[str]:
    """The ids of ``entry`` that the hint in ``message`` fails to name (empty: the hint is right)."""
    hint = hint_of(message)
    absent = [m for m in entry.mistakes if not re.search(MISTAKES[m], hint, re.IGNORECASE | re.DOTALL)]
    for c in entry.conventions:
        pattern, library = CONVENTIONS[c]
        named = re.search(pattern, hint, re.IGNORECASE | re.DOTALL) and re.search(library, hint, re.DOTALL)
        if not (named and re.search(r"convention", hint, re.IGNORECASE)):
            absent.append(c)
    return absent


def load() -> list[Wrong]:
    """Import every catalog module (each registers its entries) and return the entries."""
    import importlib
    import pathlib

    for path in sorted(pathlib.Path(__file__).parent.glob("*.py")):
        if path.stem not in {"__init__", "vocabulary", "rate"}:
            importlib.import_module(f"{__name__}.{path.stem}")
    return ENTRIES
