"""AdaDelta: RMSProp whose step size is itself a moving RMS of past updates (Zeiler, 2012)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params


class AdaDeltaState(NamedTuple):
    """AdaDelta: ``v``, the moving average of g² (Zeiler's E[g²]), and ``delta_sq``, that of the squared
    updates (E[Δθ²]); torch.optim.Adadelta's ``square_avg`` and ``acc_delta``."""

    t: int
    v: np.ndarray
    delta_sq: np.ndarray


@dataclasses.dataclass(frozen=True)
class AdaDelta(Optimizer):
    r"""AdaDelta (Zeiler, 2012, Algorithm 1), with torch.optim.Adadelta's ``lr`` and ``weight_decay``.

    .. math::

        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2 \\
        \Delta_t &= \frac{\sqrt{\delta_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        \delta_t &= \rho\, \delta_{t-1} + (1-\rho)\, \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \alpha\, \Delta_t, \qquad v_0 = \delta_0 = 0

    :math:`v` is Zeiler's :math:`E[g^2]` and :math:`\delta` his :math:`E[\Delta x^2]`: the numerator
    :math:`\mathrm{RMS}[\Delta x]_{t-1}` gives the step the units of :math:`\theta`, so the paper needs no
    learning rate. :math:`\epsilon` sits inside *both* square roots (the paper's
    :math:`\mathrm{RMS}[y] = \sqrt{E[y^2] + \epsilon}`); it also sets the size of the first steps,
    :math:`\sqrt{\epsilon / (v_1 + \epsilon)}\, g_1`. The paper's update is ``lr = 1``; torch.optim.Adadelta
    multiplies it by ``lr``: ``AdaDelta(lr, rho, eps, weight_decay)`` is
    ``torch.optim.Adadelta(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)``.

    Parameters
    ----------
    lr : float, default 1.0
        Multiplier :math:`\alpha` of the update, in [0, inf). 1 is Zeiler's algorithm.
    rho : float, default 0.9
        Decay rate :math:`\rho` of both moving averages, in [0, 1) (torch also allows 1, where
        :math:`v` and :math:`\delta` stay 0 and AdaDelta is plain gradient descent).
    eps : float, default 1e-6
        :math:`\epsilon`, added under both square roots, in [0, inf).
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`, in [0, inf): :math:`\lambda\theta` is added to the gradient first, as in torch.

    References
    ----------
    Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701, Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> opt = AdaDelta(eps=1e-6)
    >>> theta, state = opt.step(np.zeros(1), np.ones(1), opt.init(np.zeros(1)))
    >>> theta.round(7)  # sqrt(eps) / sqrt(0.1 + eps) * g: the first step is tiny
    array([-0.0031623])
    """

    State = AdaDeltaState

    lr: float = hyperparameter(1.0, "α", 0.0)
    rho: float = hyperparameter(0.9, "ρ", 0.0, 1.0)
    eps: float = hyperparameter(1e-6, "ε", 0.0)
    weight_decay: float = hyperparameter(0.0, "λ", 0.0)

    def init(self, theta):
        zeros = zeros_like_params(theta)
        return AdaDeltaState(t=0, v=zeros, delta_sq=zeros)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        g = g + self.weight_decay * theta if self.weight_decay else g
        v = self.rho * state.v + (1 - self.rho) * g**2
        delta = np.sqrt(state.delta_sq + self.eps) / np.sqrt(v + self.eps) * g
        delta_sq = self.rho * state.delta_sq + (1 - self.rho) * delta**2
        theta = theta - self.lr * delta
        return theta, AdaDeltaState(t=state.t + 1, v=v, delta_sq=delta_sq)
