"""The state each optimizer carries from one step to the next.

Immutable named tuples: ``t`` is the number of updates done so far (0 before the first step), the
arrays have the shape and dtype of the parameters. Field names follow the papers.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class StepState(NamedTuple):
    """Plain (stochastic) gradient descent remembers only the step count."""

    t: int


class VelocityState(NamedTuple):
    """Heavy-ball and Nesterov momentum: the velocity (torch.optim's ``momentum_buffer``)."""

    t: int
    velocity: np.ndarray


class SumOfSquaresState(NamedTuple):
    """AdaGrad: the running sum of squared gradients."""

    t: int
    sum_sq: np.ndarray


class SecondMomentState(NamedTuple):
    """RMSProp: the moving average ``v`` of squared gradients."""

    t: int
    v: np.ndarray


class MomentState(NamedTuple):
    """Adam, AdamW and RAdam: first moment ``m`` and second raw moment ``v`` (both biased)."""

    t: int
    m: np.ndarray
    v: np.ndarray


class MaxMomentState(NamedTuple):
    """AMSGrad: Adam's moments plus ``v_max``, the largest ``v`` seen so far (elementwise)."""

    t: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray


class InfinityNormState(NamedTuple):
    """AdaMax: the first moment ``m`` and the exponentially weighted infinity norm ``u``."""

    t: int
    m: np.ndarray
    u: np.ndarray


class NAdamState(NamedTuple):
    """NAdam: Adam's moments plus ``mu_product``, the product of the momentum schedule so far."""

    t: int
    m: np.ndarray
    v: np.ndarray
    mu_product: float
