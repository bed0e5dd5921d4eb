"""What every optimizer shares: validated, immutable hyperparameters and the ``init``/``step`` contract.

An optimizer is a frozen dataclass. Its fields are the hyperparameters, declared with
:func:`hyperparameter` (a real number in a range) or :func:`flag` (a bool); they are checked once,
when the optimizer is built. The two methods are pure functions::

    state = opt.init(theta)
    theta, state = opt.step(theta, grad, state)

Neither mutates its arguments, so a notebook can keep every intermediate value.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np

from .validation import check_arrays, check_flag, check_real


def hyperparameter(
    default: float,
    symbol: str,
    low: float,
    high: float = math.inf,
    *,
    low_closed: bool = True,
    high_closed: bool = False,
) -> Any:
    """Declare a real-valued hyperparameter with its symbol in the papers and its allowed range."""
    range_ = {"symbol": symbol, "low": low, "high": high, "low_closed": low_closed, "high_closed": high_closed}
    return dataclasses.field(default=default, metadata={"range": range_})


def flag(default: bool) -> Any:
    """Declare an on/off switch (for example ``bias_correction``)."""
    return dataclasses.field(default=default, metadata={"flag": True})


@dataclasses.dataclass(frozen=True)
class Optimizer:
    """Base class: validates the declared hyperparameters and checks the arrays handed to ``step``."""

    State: ClassVar[type]

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if "range" in field.metadata:
                value = check_real(owner, field.name, value=value, **field.metadata["range"])
            elif "flag" in field.metadata:
                value = check_flag(owner, field.name, value)
            object.__setattr__(self, field.name, value)

    def init(self, theta: Any) -> Any:
        """Return the state before the first step: the step count ``t = 0`` and zero moments."""
        raise NotImplementedError

    def step(self, theta: Any, grad: Any, state: Any) -> tuple[np.ndarray, Any]:
        """Return the parameters after one update and the new state."""
        raise NotImplementedError

    def _prepare(self, theta: Any, grad: Any, state: Any) -> tuple[np.ndarray, np.ndarray]:
        """Check the arguments of ``step``; return ``theta`` and ``grad`` as arrays of one dtype."""
        owner = type(self).__name__
        if not isinstance(state, self.State):
            raise TypeError(
                f"{owner}.step: 'state' must be the {self.State.__name__} returned by {owner}.init or "
                f"{owner}.step. Got {type(state).__name__} instead."
            )
        return check_arrays(owner, theta, grad)


def zeros_like_params(theta: Any) -> np.ndarray:
    """A zero array shaped like ``theta``, float64 unless ``theta`` already is a floating type."""
    theta = np.asarray(theta)
    dtype = theta.dtype if np.issubdtype(theta.dtype, np.floating) else np.float64
    return np.zeros(theta.shape, dtype=dtype)
