r"""Exercise 9: derivations, graded numerically. Each answer is a function of the hyperparameters.

Contracts (all step sizes are :math:`|\Delta_t|/\alpha`, with :math:`\epsilon = 0`)::

    first_step_without_correction(beta1, beta2) -> float   # Adam's first step without bias correction
    spike_step(t, beta1, beta2) -> float                     # Adam's step t after t - 1 zero gradients
    adamax_bound(t, beta1, beta2) -> float                   # the largest possible AdaMax step t (beta1 < beta2)
    efficient_eps(eps, beta2, t) -> float                    # eps_hat_t that makes the efficient form exact
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._harness import call, fail, fmt, require_callable, student_facing

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's

BETA_PAIRS = ((0.9, 0.999), (0.5, 0.9), (0.0, 0.99), (0.8, 0.9999), (0.95, 0.99))
TIMES = (1, 2, 3, 10, 100, 1000)


def _first_step(beta1, beta2):
    return (1 - beta1) / math.sqrt(1 - beta2)


def _spike(t, beta1, beta2):
    return (1 - beta1) * math.sqrt(1 - beta2**t) / ((1 - beta1**t) * math.sqrt(1 - beta2))


def _adamax_bound(t, beta1, beta2):
    r = beta1 / beta2
    return (1 - beta1) * (1 - r**t) / ((1 - r) * (1 - beta1**t))


def _efficient_eps(eps, beta2, t):
    return eps * math.sqrt(1 - beta2**t)


def _check(fn, checker, example, cases, reference, hints: dict[str, Callable] | None = None) -> None:
    require_callable(checker, fn, example)
    name = getattr(fn, "__name__", "answer")
    for args in cases:
        case = f"{name}({', '.join(f'{a:g}' for a in args)})"
        got = call(fn, args, {}, case)
        try:
            value = float(got)
        except (TypeError, ValueError):
            fail(f"{name} returned {type(got).__name__}; it should return a number.", case, "", "")
        expected = reference(*args)
        if not abs(value - expected) <= 1e-9 * abs(expected):
            hint = "write the quantity in closed form (no loop needed) and simplify."
            for text, wrong in (hints or {}).items():
                try:
                    if abs(value - wrong(*args)) <= 1e-9 * abs(expected):
                        hint = text
                        break
                except (ArithmeticError, ValueError):
                    continue
            fail(f"{name} returned a wrong value.", case, f"Expected {fmt(expected)}, got {fmt(value)}.", hint)
    print(f"{name} is correct on {len(cases)} cases.")


@student_facing
def check_first_step_without_correction(fn: Any) -> None:
    """``fn(beta1, beta2)``: :math:`|\\Delta_1|/\\alpha` of Adam without bias correction (eps = 0)."""
    _check(
        fn,
        "check_first_step_without_correction",
        "check_first_step_without_correction(first_step_without_correction)",
        BETA_PAIRS,
        _first_step,
        {
            "with bias correction the first step is exactly 1; without it, m_1 = (1 - beta1) g_1 and "
            "v_1 = (1 - beta2) g_1**2 are used as they are.": lambda b1, b2: 1.0,
            "the square root applies to v_1 = (1 - beta2) g**2, so the denominator is sqrt(1 - beta2) |g|.": (
                lambda b1, b2: (1 - b1) / (1 - b2)
            ),
        },
    )


@student_facing
def check_spike_step(fn: Any) -> None:
    """``fn(t, beta1, beta2)``: Adam's :math:`|\\Delta_t|/\\alpha` when only the last gradient :math:`g_t` is not 0."""
    cases = tuple((t, b1, b2) for b1, b2 in BETA_PAIRS for t in TIMES)
    _check(
        fn,
        "check_spike_step",
        "check_spike_step(spike_step)",
        cases,
        _spike,
        {
            "keep both bias corrections: m_hat_t = (1 - beta1) g / (1 - beta1**t) and "
            "v_hat_t = (1 - beta2) g**2 / (1 - beta2**t).": lambda t, b1, b2: (1 - b1) / math.sqrt(1 - b2),
            "only g_t is non-zero, so m_t = (1 - beta1) g_t and v_t = (1 - beta2) g_t**2; "
            "now divide by the corrections 1 - beta**t.": lambda t, b1, b2: 1.0,
        },
    )


@student_facing
def check_adamax_bound(fn: Any) -> None:
    """``fn(t, beta1, beta2)``: the largest :math:`|\\Delta_t|/\\alpha` AdaMax can take at step t (beta1 < beta2)."""
    cases = tuple((t, b1, b2) for b1, b2 in BETA_PAIRS if b1 < b2 for t in TIMES)
    _check(
        fn,
        "check_adamax_bound",
        "check_adamax_bound(adamax_bound)",
        cases,
        _adamax_bound,
        {
            "the paper's bound, alpha, is not the exact maximum: bound each |g_i| by u_t / beta2**(t-i) and sum "
            "the geometric series in beta1 / beta2.": lambda t, b1, b2: 1.0,
            "do not forget the bias correction 1 / (1 - beta1**t) of m.": (
                lambda t, b1, b2: (1 - b1) * (1 - (b1 / b2) ** t) / (1 - b1 / b2)
            ),
        },
    )


@student_facing
def check_efficient_eps(fn: Any) -> None:
    """``fn(eps, beta2, t)``: the eps_hat_t that makes the paper's efficient form equal Algorithm 1."""
    cases = tuple((eps, b2, t) for eps in (1e-8, 1e-3) for b2 in (0.999, 0.9, 0.99) for t in TIMES)
    _check(
        fn,
        "check_efficient_eps",
        "check_efficient_eps(efficient_eps)",
        cases,
        _efficient_eps,
        {
            "the correction goes the other way: multiply eps by sqrt(1 - beta2**t).": (
                lambda eps, b2, t: eps / math.sqrt(1 - b2**t)
            ),
            "the square root matters: sqrt(v_hat) = sqrt(v) / sqrt(1 - beta2**t).": (
                lambda eps, b2, t: eps * (1 - b2**t)
            ),
        },
    )
