"""Gradient descent: the baseline every other optimizer improves on."""

from __future__ import annotations

import dataclasses

from .base import Optimizer, hyperparameter, zeros_like_params
from .states import StepState


@dataclasses.dataclass(frozen=True)
class SGD(Optimizer):
    r"""(Stochastic) gradient descent.

    .. math:: \theta_t = \theta_{t-1} - \alpha\, g_t

    Parameters
    ----------
    lr : float, default 0.01
        Step size :math:`\alpha`, in [0, inf).

    References
    ----------
    Robbins & Monro (1951); the baseline of Kingma & Ba, arXiv:1412.6980, Section 6.

    Examples
    --------
    >>> import numpy as np
    >>> opt = SGD(lr=0.1)
    >>> theta, state = opt.step(np.array([1.0]), np.array([2.0]), opt.init(np.array([1.0])))
    >>> theta
    array([0.8])
    """

    State = StepState

    lr: float = hyperparameter(0.01, "α", 0.0)

    def init(self, theta):
        zeros_like_params(theta)  # checks that theta is array-like
        return StepState(t=0)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        theta = theta - self.lr * g
        return theta, StepState(t=state.t + 1)
