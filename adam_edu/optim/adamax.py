"""AdaMax: Adam with the infinity norm in place of the L2 norm (Kingma & Ba, Section 7.1)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params
from .states import InfinityNormState


@dataclasses.dataclass(frozen=True)
class AdaMax(Optimizer):
    r"""AdaMax (Kingma & Ba, 2014, Section 7.1, Algorithm 2).

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        u_t &= \max(\beta_2 u_{t-1}, |g_t|) \\
        \theta_t &= \theta_{t-1} - \frac{\alpha}{1-\beta_1^t}\, \frac{m_t}{u_t}

    ``u`` needs no bias correction, and :math:`|\Delta_t| \le \alpha` (nearly). As in the paper there
    is no :math:`\epsilon`: a coordinate whose gradients have all been zero (so :math:`u_t = m_t = 0`)
    does not move. torch.optim.Adamax differs: it takes :math:`\max(\beta_2 u_{t-1}, |g_t| + \epsilon)`.

    Parameters
    ----------
    lr : float, default 2e-3
        Step size :math:`\alpha`, in [0, inf).
    beta1 : float, default 0.9
        Decay rate :math:`\beta_1` of the first moment, in [0, 1).
    beta2 : float, default 0.999
        Decay rate :math:`\beta_2` of the infinity norm, in [0, 1).
    weight_decay : float, default 0
        L2 penalty :math:`\lambda` added to the gradient, in [0, inf).

    References
    ----------
    Kingma & Ba, arXiv:1412.6980, Section 7.1 (Algorithm 2).

    Examples
    --------
    >>> import numpy as np
    >>> opt = AdaMax()
    >>> theta, state = opt.step(np.zeros(2), np.array([5.0, -1e-6]), opt.init(np.zeros(2)))
    >>> theta.round(6)  # the first step is lr * sign(g)
    array([-0.002,  0.002])
    """

    State = InfinityNormState

    lr: float = hyperparameter(2e-3, "α", 0.0)
    beta1: float = hyperparameter(0.9, "β₁", 0.0, 1.0)
    beta2: float = hyperparameter(0.999, "β₂", 0.0, 1.0)
    weight_decay: float = hyperparameter(0.0, "λ", 0.0)

    def init(self, theta):
        zeros = zeros_like_params(theta)
        return InfinityNormState(t=0, m=zeros, u=zeros)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        g = g + self.weight_decay * theta if self.weight_decay else g
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g
        u = np.maximum(self.beta2 * state.u, np.abs(g))
        m_over_u = np.divide(m, u, out=np.zeros_like(m), where=u > 0)
        theta = theta - (self.lr / (1 - self.beta1**t)) * m_over_u
        return theta, InfinityNormState(t=t, m=m, u=u)
