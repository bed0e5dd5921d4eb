"""AMSGrad: Adam that never lets its second moment shrink (Reddi, Kale & Kumar, 2018)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params
from .states import MaxMomentState


@dataclasses.dataclass(frozen=True)
class AMSGrad(Optimizer):
    r"""AMSGrad, in the form of ``torch.optim.Adam(amsgrad=True)``.

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        v^{\max}_t &= \max(v^{\max}_{t-1}, v_t) \\
        \theta_t &= \theta_{t-1} - \alpha\, \frac{m_t / (1-\beta_1^t)}{\sqrt{v^{\max}_t / (1-\beta_2^t)} + \epsilon}

    The maximum keeps the effective step :math:`\alpha/\sqrt{v}` from growing, which repairs the
    step of Adam's convergence proof that fails (Reddi et al., Section 3). Conventions differ:
    torch takes the maximum over the raw :math:`v_t` and then corrects it (as here); optax takes it
    over the corrected :math:`\hat v_t`; Reddi et al. use no bias correction at all.

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
    Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018, Algorithm 2.

    Examples
    --------
    >>> import numpy as np
    >>> opt = AMSGrad(lr=0.1)
    >>> theta, state = opt.step(np.zeros(1), np.array([2.0]), opt.init(np.zeros(1)))
    >>> theta, state = opt.step(theta, np.array([0.0]), state)
    >>> bool(state.v_max[0] > state.v[0])  # v decays, v_max remembers the large gradient
    True
    """

    State = MaxMomentState

    lr: float = hyperparameter(1e-3, "α", 0.0)
    beta1: float = hyperparameter(0.9, "β₁", 0.0, 1.0)
    beta2: float = hyperparameter(0.999, "β₂", 0.0, 1.0)
    eps: float = hyperparameter(1e-8, "ε", 0.0)
    weight_decay: float = hyperparameter(0.0, "λ", 0.0)

    def init(self, theta):
        zeros = zeros_like_params(theta)
        return MaxMomentState(t=0, m=zeros, v=zeros, v_max=zeros)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        g = g + self.weight_decay * theta if self.weight_decay else g
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g
        v = self.beta2 * state.v + (1 - self.beta2) * g**2
        v_max = np.maximum(state.v_max, v)
        m_hat = m / (1 - self.beta1**t)
        v_hat = v_max / (1 - self.beta2**t)
        theta = theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return theta, MaxMomentState(t=t, m=m, v=v, v_max=v_max)
