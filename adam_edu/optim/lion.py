"""Lion: the sign of an interpolated momentum, found by program search (Chen et al., 2023)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params


class LionState(NamedTuple):
    """Lion: the momentum ``m`` (an exponential moving average of gradients, with rate ``beta2``)."""

    t: int
    m: np.ndarray


@dataclasses.dataclass(frozen=True)
class Lion(Optimizer):
    r"""Lion, EvoLved Sign Momentum (Chen et al., 2023, Program 1 and Algorithm 2).

    .. math::

        c_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        \theta_t &= \theta_{t-1} - \alpha \left(\operatorname{sign}(c_t) + \lambda\, \theta_{t-1}\right) \\
        m_t &= \beta_2 m_{t-1} + (1-\beta_2)\, g_t, \qquad m_0 = 0

    Every coordinate moves by exactly :math:`\alpha` (plus the decay): the update has no second moment,
    only a sign, so its size ignores the gradient's scale; hence an :math:`\alpha` 3-10x smaller than
    AdamW's. The interpolation :math:`c_t` (with :math:`\beta_1`) decides the direction; the momentum
    that is kept uses the slower :math:`\beta_2`, and is updated *after* the step. The decay is
    decoupled, as in AdamW, and multiplied by :math:`\alpha`: :math:`\theta(1 - \alpha\lambda) -
    \alpha\operatorname{sign}(c_t)`. torch 2.13 has no Lion; the paper's code names these ``lr``,
    ``beta1``, ``beta2`` and ``wd`` (:math:`\lambda`), and :math:`\operatorname{sign}(0) = 0`.

    Parameters
    ----------
    lr : float, default 1e-4
        Step size :math:`\alpha`, in [0, inf).
    beta1 : float, default 0.9
        Interpolation weight :math:`\beta_1` of the update direction, in [0, 1).
    beta2 : float, default 0.99
        Decay rate :math:`\beta_2` of the momentum, in [0, 1).
    weight_decay : float, default 0
        Decoupled decay :math:`\lambda`, in [0, inf).

    References
    ----------
    Chen et al., "Symbolic Discovery of Optimization Algorithms", arXiv:2302.06675, Program 1, Algorithm 2.

    Examples
    --------
    >>> import numpy as np
    >>> opt = Lion(lr=0.1)
    >>> theta, state = opt.step(np.zeros(3), np.array([1e3, -1e-6, 0.0]), opt.init(np.zeros(3)))
    >>> theta  # lr * sign(g), whatever the gradient's size
    array([-0.1,  0.1,  0. ])
    """

    State = LionState

    lr: float = hyperparameter(1e-4, "α", 0.0)
    beta1: float = hyperparameter(0.9, "β₁", 0.0, 1.0)
    beta2: float = hyperparameter(0.99, "β₂", 0.0, 1.0)
    weight_decay: float = hyperparameter(0.0, "λ", 0.0)

    def init(self, theta):
        return LionState(t=0, m=zeros_like_params(theta))

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        c = self.beta1 * state.m + (1 - self.beta1) * g
        theta = theta - self.lr * (np.sign(c) + self.weight_decay * theta)
        m = self.beta2 * state.m + (1 - self.beta2) * g
        return theta, LionState(t=state.t + 1, m=m)
