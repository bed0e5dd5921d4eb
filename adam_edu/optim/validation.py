"""Checks for hyperparameters, shared by every optimizer.

Each check raises an error whose message names the optimizer, the parameter, its symbol in the
papers, the allowed range and the value received, for example::

    The 'beta1' parameter (β₁) of Adam must be a real number in [0, 1). Got 1.0 instead.

Errors are raised with ``raise`` (never ``assert``), so they survive ``python -O``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _describe(value: object) -> str:
    return f"{value!r} ({type(value).__name__})" if not isinstance(value, float) else repr(value)


def check_real(
    owner: str,
    name: str,
    symbol: str,
    value: object,
    low: float,
    high: float = math.inf,
    *,
    low_closed: bool = True,
    high_closed: bool = False,
) -> float:
    """Return ``value`` as a float if it is a real number in the given interval, else raise.

    ``bool`` is refused (``True`` is not a learning rate) and NaN lies in no interval.
    """
    left = "[" if low_closed else "("
    right = "]" if high_closed and math.isfinite(high) else ")"
    high_text = "inf" if math.isinf(high) else f"{high:g}"
    interval = f"{left}{low:g}, {high_text}{right}"
    where = f"The '{name}' parameter ({symbol}) of {owner}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} must be a real number in {interval}. Got {_describe(value)} instead.")
    number = float(value)
    above_low = number >= low if low_closed else number > low
    below_high = number <= high if high_closed else number < high
    if math.isnan(number) or not (above_low and below_high):
        raise ValueError(f"{where} must be a real number in {interval}. Got {value!r} instead.")
    return number


def check_flag(owner: str, name: str, value: object) -> bool:
    """Return ``value`` if it is a bool, else raise a ``TypeError`` that names the parameter."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"The '{name}' parameter of {owner} must be True or False. Got {_describe(value)} instead.")
    return bool(value)


def check_arrays(owner: str, theta: object, grad: object) -> tuple[np.ndarray, np.ndarray]:
    """Return ``theta`` and ``grad`` as floating arrays of the same shape, in ``theta``'s precision.

    Integer parameters are promoted to float64; float32 stays float32.
    """
    theta = np.asarray(theta)
    if not np.issubdtype(theta.dtype, np.floating):
        theta = theta.astype(np.float64)
    grad = np.asarray(grad)
    if grad.shape != theta.shape:
        raise ValueError(
            f"{owner}.step: 'grad' must have the shape of 'theta' {theta.shape}. Got shape {grad.shape} instead."
        )
    return theta, grad.astype(theta.dtype, copy=False)
