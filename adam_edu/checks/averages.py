r"""Exercise 1: exponential moving averages, with and without bias correction, and the correction constant.

Contracts::

    ema(values, beta, bias_correction=False) -> averages
    correction_constant(beta, t) -> float

``ema`` averages along the first axis, starting from :math:`m_0 = 0`: ``averages[k]`` is :math:`m_{k+1}`,
:math:`m_t = \beta m_{t-1} + (1-\beta) g_t`, or with ``bias_correction=True`` :math:`\hat m_t = m_t / (1-\beta^t)`.
The result has the shape of ``values``; ``values`` is not changed. ``correction_constant(beta, t)`` is the
total weight :math:`(1-\beta)\sum_{i=1}^{t}\beta^{t-i}` that :math:`m_t` puts on the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._harness import (
    call,
    check_array_like,
    differs,
    fail,
    first_mismatch,
    fmt,
    quiet,
    require_callable,
    student_facing,
    tolerance,
)

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's

BETAS = (0.9, 0.0, 0.5, 0.99)
LENGTHS = (3, 40, 1, 2)
SHAPES = ((), (3,), (2, 3))


def _ema(values: np.ndarray, beta: float, bias_correction: bool) -> np.ndarray:
    out = np.empty(values.shape)
    m = np.zeros(values.shape[1:])
    for k, g in enumerate(values):
        m = beta * m + (1 - beta) * g
        out[k] = m / (1 - beta ** (k + 1)) if bias_correction else m
    return out


def _shape(values: np.ndarray) -> np.ndarray:
    """How large each average is, for a tolerance: the same average taken over |values|."""
    return _ema(np.abs(values), 0.0, False) + _ema(np.abs(values), 0.5, True)


def _variant(start_at_first=False, swap=False, correction=None, fed_back=False, flag="honour", shift=False):
    def ema(values, beta, bias_correction=False):
        use = {"honour": bias_correction, "never": False, "always": True}[flag]
        out = np.empty(values.shape)
        m = values[0].astype(float) if start_at_first else np.zeros(values.shape[1:])
        for k, g in enumerate(values):
            t = k + 1
            if not (start_at_first and k == 0):
                m = (beta * g + (1 - beta) * m) if swap else (beta * m + (1 - beta) * g)
            c = correction(beta, t) if correction else 1 - beta**t
            value = m / c if use else m
            if use and fed_back:
                m = value
            out[k] = value
        if shift:
            out = np.concatenate([np.zeros((1, *values.shape[1:])), out[:-1]])
        return out

    return ema


MISTAKES = (
    (
        "you start the average at the first value (m_1 = g_1). The contract starts at m_0 = 0, which is what "
        "makes the early averages too small and the correction necessary.",
        _variant(start_at_first=True),
    ),
    ("the weights are swapped: the old average keeps beta, the new value gets (1 - beta).", _variant(swap=True)),
    ("bias_correction=True should divide by 1 - beta**t; yours does not correct.", _variant(flag="never")),
    ("bias_correction=False (the default) must not correct; yours always does.", _variant(flag="always")),
    (
        "your correction uses t - 1: the first average (index 0) is m_1, so divide by 1 - beta**1.",
        _variant(correction=lambda b, t: 1 - b ** (t - 1)),
    ),
    (
        "your correction uses t + 1: the average at index k is m_(k+1), so t = k + 1.",
        _variant(correction=lambda b, t: 1 - b ** (t + 1)),
    ),
    ("the correction is 1 - beta**t, not (1 - beta)**t.", _variant(correction=lambda b, t: (1 - b) ** t)),
    ("the correction is 1 - beta**t, with the power t, not 1 - beta**2.", _variant(correction=lambda b, t: 1 - b**2)),
    (
        "you feed the corrected average back into the running average. Keep the raw m running and divide a copy "
        "by 1 - beta**t for the output.",
        _variant(fed_back=True),
    ),
    (
        "the averages are shifted by one: averages[0] is m_1, the average after the first value, not m_0 = 0.",
        _variant(shift=True),
    ),
)


@student_facing
def check_ema(fn: Any, seed: int = 0) -> None:
    """Check ``fn(values, beta, bias_correction=False)``, the EMA of ``values`` along the first axis.

    Raises AssertionError with the failing case and a hint; prints one line when every case passes.
    """
    require_callable("check_ema", fn, "check_ema(ema)")
    name = getattr(fn, "__name__", "ema")
    rng = np.random.default_rng(seed)
    checked = 0
    for dtype in (np.dtype(np.float64), np.dtype(np.float32)):
        for flag in (None, False, True):
            for beta in BETAS:
                for length in LENGTHS:
                    for shape in SHAPES:
                        if dtype == np.float32 and (shape != (3,) or length != 40):
                            continue
                        values = (5.0 + 2.0 * rng.standard_normal((length, *shape))).astype(dtype)
                        _check_one(fn, name, values, beta, flag, dtype)
                        checked += 1
    print(
        f"{name} is correct: {checked} sequences checked (4 values of beta, lengths 1 to 40, 3 shapes, "
        "with and without bias correction, float64 and float32)."
    )


def _check_one(fn, name: str, values: np.ndarray, beta: float, flag: bool | None, dtype: np.dtype) -> None:
    correction = bool(flag)
    how = "bias_correction not passed (default False)" if flag is None else f"bias_correction={flag}"
    case = f"beta={beta:g}, {how}; values of shape {values.shape}, {dtype.name}, around 5."
    saved = values.copy()
    kwargs = {} if flag is None else {"bias_correction": flag}
    result = call(fn, (values, beta), kwargs, case)
    if not np.array_equal(values, saved):
        fail(
            f"{name} changed its input values in place.",
            case,
            "",
            "write the averages into a new array (for example `np.zeros_like(values, dtype=float)`), not into values.",
        )
    if isinstance(result, np.ndarray) and result.dtype in (np.float32, np.float64):
        result = result.astype(dtype, copy=False)  # either precision is fine for an average
    got = check_array_like(name, "the averages", result, values.shape, dtype, case)
    exact = values.astype(np.float64)
    expected = _ema(exact, beta, correction)
    scale = _shape(exact)
    if first_mismatch(["averages"], [got], [expected], [expected - scale], dtype) is None:
        return
    hint = "averages[k] is m_(k+1) = beta * m_k + (1 - beta) * values[k], starting from m_0 = 0"
    hint += ", divided by 1 - beta**(k+1)." if correction else "."
    for text, wrong in MISTAKES:
        try:
            with quiet():
                candidate = wrong(exact, beta, correction)
        except Exception:
            continue
        if first_mismatch(["averages"], [got], [candidate], [candidate - scale], dtype) is None:
            hint = text
            break
    mismatch = first_mismatch(["averages"], [got], [expected], [expected - scale], dtype)
    wrong = differs(got.astype(np.float64), expected, tolerance(expected, expected - scale, dtype))
    if hint.startswith("averages[k]") and np.array_equal(got[wrong], values[wrong]):
        hint = "some averages are the values themselves, copied unchanged: average every column the same way."
    fail(f"{name} returned wrong averages.", case, mismatch.describe(), hint)


@student_facing
def check_correction_constant(fn: Any) -> None:
    """Check ``fn(beta, t)``: the total weight an EMA started at zero puts on its first ``t`` values."""
    require_callable("check_correction_constant", fn, "check_correction_constant(correction_constant)")
    name = getattr(fn, "__name__", "correction_constant")
    checked = 0
    for beta in (0.9, 0.999, 0.5, 0.0, 0.99):
        for t in (1, 2, 3, 10, 100, 1000):
            case = f"beta={beta:g}, t={t}."
            got = call(fn, (beta, t), {}, case)
            try:
                value = float(got)
            except (TypeError, ValueError):
                fail(f"{name} returned {type(got).__name__}; it should return a number.", case, "", "")
            expected = 1 - beta**t
            if not abs(value - expected) <= 1e-12 * max(1.0, abs(expected)):
                hint = "sum the weights (1 - beta) * beta**(t - i) for i = 1..t: a geometric series."
                if abs(value - beta**t) <= 1e-12:
                    hint = "that is the weight missing from the data (beta**t, the weight left on m_0 = 0)."
                elif abs(value - (1 - beta) ** t) <= 1e-12:
                    hint = "the power belongs on beta: the sum of the weights is 1 - beta**t."
                fail(
                    f"{name} returned a wrong constant.",
                    case,
                    f"Expected {fmt(expected)}, got {fmt(value)}.",
                    hint,
                )
            checked += 1
    print(f"{name} is correct: {checked} pairs (beta, t) checked.")
