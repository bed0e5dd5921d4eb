"""NAdam: Adam with Nesterov momentum (Dozat, 2016)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params
from .states import NAdamState


@dataclasses.dataclass(frozen=True)
class NAdam(Optimizer):
    r"""NAdam, in the form of ``torch.optim.NAdam``.

    A momentum schedule :math:`\mu_t = \beta_1 (1 - \tfrac12 \cdot 0.96^{t\psi})` warms the momentum
    up; the update mixes the current gradient and the *next* step's momentum, Nesterov's look-ahead:

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat m_t &= \frac{\mu_{t+1}\, m_t}{1 - \prod_{i=1}^{t+1}\mu_i}
            + \frac{(1-\mu_t)\, g_t}{1 - \prod_{i=1}^{t}\mu_i},
        \qquad \hat v_t = \frac{v_t}{1-\beta_2^t} \\
        \theta_t &= \theta_{t-1} - \alpha\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    optax's ``adam(nesterov=True)`` uses a constant :math:`\mu` instead of this schedule.

    Parameters
    ----------
    lr : float, default 2e-3
        Step size :math:`\alpha`, in [0, inf).
    beta1 : float, default 0.9
        :math:`\beta_1`, in [0, 1).
    beta2 : float, default 0.999
        :math:`\beta_2`, in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, in [0, inf).
    weight_decay : float, default 0
        L2 penalty :math:`\lambda` added to the gradient, in [0, inf).
    momentum_decay : float, default 4e-3
        :math:`\psi` of the momentum schedule, in [0, inf).

    References
    ----------
    Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop.

    Examples
    --------
    >>> import numpy as np
    >>> opt = NAdam()
    >>> theta, state = opt.step(np.zeros(1), np.ones(1), opt.init(np.zeros(1)))
    >>> round(state.mu_product, 6)  # mu_1 = 0.9 * (1 - 0.5 * 0.96 ** 0.004)
    0.450073
    """

    State = NAdamState

    lr: float = hyperparameter(2e-3, "α", 0.0)
    beta1: float = hyperparameter(0.9, "β₁", 0.0, 1.0)
    beta2: float = hyperparameter(0.999, "β₂", 0.0, 1.0)
    eps: float = hyperparameter(1e-8, "ε", 0.0)
    weight_decay: float = hyperparameter(0.0, "λ", 0.0)
    momentum_decay: float = hyperparameter(4e-3, "ψ", 0.0)

    def init(self, theta):
        zeros = zeros_like_params(theta)
        return NAdamState(t=0, m=zeros, v=zeros, mu_product=1.0)

    def _mu(self, t: int) -> float:
        return self.beta1 * (1 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        g = g + self.weight_decay * theta if self.weight_decay else g
        t = state.t + 1
        mu, mu_next = self._mu(t), self._mu(t + 1)
        mu_product = state.mu_product * mu
        m = self.beta1 * state.m + (1 - self.beta1) * g
        v = self.beta2 * state.v + (1 - self.beta2) * g**2
        m_hat = mu_next * m / (1 - mu_product * mu_next) + (1 - mu) * g / (1 - mu_product)
        v_hat = v / (1 - self.beta2**t)
        theta = theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return theta, NAdamState(t=t, m=m, v=v, mu_product=mu_product)
