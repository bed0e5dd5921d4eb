"""RAdam: Adam whose adaptive step is switched on only once its variance is tractable (Liu et al., 2020)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params
from .states import MomentState


def rho(t: int, beta2: float) -> float:
    r"""Length :math:`\rho_t` of the approximated simple moving average behind :math:`v_t` (Liu et al., eq. 5).

    :math:`\rho_\infty = 2/(1-\beta_2) - 1`, :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`.
    """
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def rectification(t: int, beta2: float) -> float:
    r"""The variance rectification term :math:`r_t` (Liu et al., Algorithm 2); defined for :math:`\rho_t > 4`.

    :math:`r_t^2` is the ratio of Liu et al.'s first-order approximation of :math:`\mathrm{Var}[\psi]`,
    :math:`\rho/(2(\rho-2)(\rho-4))`, at :math:`\rho_\infty` and at :math:`\rho_t`.
    """
    rho_inf, rho_t = 2 / (1 - beta2) - 1, rho(t, beta2)
    return math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))


@dataclasses.dataclass(frozen=True)
class RAdam(Optimizer):
    r"""Rectified Adam, in the form of ``torch.optim.RAdam``.

    .. math::

        m_t, v_t &\text{ as in Adam}, \qquad \hat m_t = m_t / (1-\beta_1^t) \\
        \theta_t &= \theta_{t-1} - \alpha\, \hat m_t \quad \text{while } \rho_t \le 5 \text{ (momentum SGD)} \\
        \theta_t &= \theta_{t-1} - \alpha\, r_t\, \hat m_t \, \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon}
        \quad \text{once } \rho_t > 5

    Early on, :math:`v_t` averages few squared gradients, so the adaptive rate
    :math:`\psi_t = \sqrt{(1-\beta_2^t)/v_t}` is noisy. Liu et al. approximate its variance (for Gaussian
    gradients, to first order) by :math:`\rho_t / (2(\rho_t-2)(\rho_t-4)\sigma^2)`, finite only for
    :math:`\rho_t > 4`; :math:`r_t` is the ratio of that approximation's standard deviations at
    :math:`\infty` and at :math:`t`, a built-in warm-up. (The exact variance of :math:`\psi_t` in their model is
    finite for :math:`\rho_t > 2`; the variance of :math:`\psi_t^2` is the one that needs :math:`\rho_t > 4`.)
    Like torch, :math:`\epsilon` is added to :math:`\sqrt{v_t}` before correction and the threshold is
    :math:`\rho_t > 5`: the paper's Algorithm 2 uses :math:`\rho_t > 4`, optax and the authors' code
    :math:`\rho_t \ge 5`. With :math:`\beta_2 = 0.999` the first five steps are plain momentum steps.

    Parameters
    ----------
    lr : float, default 1e-3
        Step size :math:`\alpha`, in [0, inf).
    beta1 : float, default 0.9
        :math:`\beta_1`, in [0, 1).
    beta2 : float, default 0.999
        :math:`\beta_2`, in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, in [0, inf).
    weight_decay : float, default 0
        L2 penalty :math:`\lambda` added to the gradient, in [0, inf).

    References
    ----------
    Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond", ICLR 2020, Algorithm 2.

    Examples
    --------
    >>> import numpy as np
    >>> opt = RAdam(lr=0.1)
    >>> theta, state = opt.step(np.zeros(1), np.array([3.0]), opt.init(np.zeros(1)))
    >>> theta  # rho_1 = 1 <= 5: an SGD-with-momentum step, lr * m_hat = 0.1 * 3
    array([-0.3])
    """

    State = MomentState

    lr: float = hyperparameter(1e-3, "α", 0.0)
    beta1: float = hyperparameter(0.9, "β₁", 0.0, 1.0)
    beta2: float = hyperparameter(0.999, "β₂", 0.0, 1.0)
    eps: float = hyperparameter(1e-8, "ε", 0.0)
    weight_decay: float = hyperparameter(0.0, "λ", 0.0)

    def init(self, theta):
        zeros = zeros_like_params(theta)
        return MomentState(t=0, m=zeros, v=zeros)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        g = g + self.weight_decay * theta if self.weight_decay else g
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g
        v = self.beta2 * state.v + (1 - self.beta2) * g**2
        m_hat = m / (1 - self.beta1**t)
        if rho(t, self.beta2) > 5:
            adaptive = math.sqrt(1 - self.beta2**t) / (np.sqrt(v) + self.eps)
            theta = theta - self.lr * rectification(t, self.beta2) * m_hat * adaptive
        else:
            theta = theta - self.lr * m_hat
        return theta, MomentState(t=t, m=m, v=v)
