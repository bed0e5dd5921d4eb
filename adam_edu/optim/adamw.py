"""AdamW: Adam with weight decay decoupled from the gradient (Loshchilov & Hutter, 2019)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params
from .states import MomentState


@dataclasses.dataclass(frozen=True)
class AdamW(Optimizer):
    r"""AdamW, in the form of ``torch.optim.AdamW``.

    .. math::

        \theta' &= \theta_{t-1}\,(1 - \alpha\lambda) \\
        m_t, v_t, \hat m_t, \hat v_t &\text{ as in Adam, from } g_t \text{ alone} \\
        \theta_t &= \theta' - \alpha\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    The decay shrinks the parameters directly instead of entering :math:`m` and :math:`v`, so it is
    not rescaled by :math:`1/\sqrt{\hat v}`. The paper writes the decay as :math:`\eta_t\lambda'\theta`
    with a schedule multiplier :math:`\eta_t` and no :math:`\alpha`: torch's (and our)
    :math:`\lambda` is the paper's :math:`\lambda'` divided by :math:`\alpha`.

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
    weight_decay : float, default 1e-2
        Decoupled decay :math:`\lambda`, in [0, inf) (torch's default; optax's is 1e-4).

    References
    ----------
    Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019, Algorithm 2.

    Examples
    --------
    >>> import numpy as np
    >>> opt = AdamW(lr=0.1, weight_decay=0.5)
    >>> theta, state = opt.step(np.ones(1), np.zeros(1), opt.init(np.ones(1)))
    >>> theta  # a zero gradient still decays: 1 * (1 - 0.1 * 0.5)
    array([0.95])
    """

    State = MomentState

    lr: float = hyperparameter(1e-3, "α", 0.0)
    beta1: float = hyperparameter(0.9, "β₁", 0.0, 1.0)
    beta2: float = hyperparameter(0.999, "β₂", 0.0, 1.0)
    eps: float = hyperparameter(1e-8, "ε", 0.0)
    weight_decay: float = hyperparameter(1e-2, "λ", 0.0)

    def init(self, theta):
        zeros = zeros_like_params(theta)
        return MomentState(t=0, m=zeros, v=zeros)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        t = state.t + 1
        theta = theta * (1 - self.lr * self.weight_decay)
        m = self.beta1 * state.m + (1 - self.beta1) * g
        v = self.beta2 * state.v + (1 - self.beta2) * g**2
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        theta = theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return theta, MomentState(t=t, m=m, v=v)
