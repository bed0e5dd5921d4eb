"""Exercise 7: find the bug. A subtly wrong Adam, the choices that name what might be wrong, and the check.

Read :func:`buggy_adam_step`, compare it with Algorithm 1, and say which statement in
:data:`CHOICES` names its bug. The fix is then checked with :func:`adam_edu.checks.check_adam_step`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from ._harness import call, fail, require_callable, student_facing

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's

CHOICES = {
    "A": "eps is added inside the square root instead of outside it.",
    "B": "t is counted from 0, so the first update divides by 1 - beta**0 = 0.",
    "C": "v averages |g| instead of g**2.",
    "D": "v is bias-corrected with beta1 instead of beta2.",
    "E": "m is not bias-corrected.",
    "F": "the update moves theta uphill (the sign is flipped).",
}
# The answer is kept as a salted digest, so that reading this module does not give it away.
_SALT = "adam-edu/ex07"
_ANSWER_DIGEST = "055a8029b9e170dc7f059ab32d079fae88919c6804620002719849b6f711ea60"


def _digest(letter: str) -> str:
    return hashlib.sha256(f"{_SALT}:{letter}".encode()).hexdigest()


def buggy_adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam update, with one bug. Same contract as ``adam_step``."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta1**t)
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v


@student_facing
def check_bug_named(fn: Callable[[], str]) -> None:
    """Check ``fn()``, which returns the letter of the statement in ``CHOICES`` that names the bug."""
    require_callable("check_bug_named", fn, "check_bug_named(the_bug)")
    name = getattr(fn, "__name__", "the_bug")
    case = f"{name}()"
    answer = call(fn, (), {}, case)
    letter = str(answer).strip().upper()
    if letter not in CHOICES:
        fail(
            f"{name}() returned {answer!r}; it should return one letter of {', '.join(CHOICES)}.",
            case,
            "",
            'return the letter as a string, for example `return "A"`.',
        )
    if _digest(letter) != _ANSWER_DIGEST:
        fail(
            f'{letter} is not the bug: "{CHOICES[letter]}" does not describe buggy_adam_step.',
            case,
            "",
            "compare buggy_adam_step with Algorithm 1 line by line; then look at the size of its first steps "
            "with a constant gradient (they should be lr).",
        )
    print(f"{name} is right: {letter}. {CHOICES[letter]}")
