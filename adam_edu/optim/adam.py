"""Adam: Algorithm 1 of Kingma & Ba (2014), line for line."""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import Optimizer, flag, hyperparameter, zeros_like_params
from .states import MomentState


@dataclasses.dataclass(frozen=True)
class Adam(Optimizer):
    r"""Adam: adaptive moment estimation (Kingma & Ba, 2014, Algorithm 1).

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat m_t &= m_t / (1-\beta_1^t), \qquad \hat v_t = v_t / (1-\beta_2^t) \\
        \theta_t &= \theta_{t-1} - \alpha\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    :math:`\epsilon` is added to :math:`\sqrt{\hat v_t}`, as in Algorithm 1 and torch.optim.Adam.
    Keras's ``epsilon`` is the :math:`\hat\epsilon` of the paper's "efficient" form (end of
    Section 2), added to :math:`\sqrt{v_t}` before correction: the two agree only when
    :math:`\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}`.

    Parameters
    ----------
    lr : float, default 1e-3
        Step size :math:`\alpha`, in [0, inf).
    beta1 : float, default 0.9
        Decay rate :math:`\beta_1` of the first moment estimate, in [0, 1).
    beta2 : float, default 0.999
        Decay rate :math:`\beta_2` of the second raw moment estimate, in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, in [0, inf).
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`, in [0, inf): :math:`\lambda\theta` is added to the gradient
        before the moments, as in torch.optim.Adam. For decoupled decay use :class:`AdamW`.
    bias_correction : bool, default True
        Divide by :math:`1-\beta^t`. Switch it off to see why the paper needs it (Section 3).

    References
    ----------
    Kingma & Ba, "Adam: A Method for Stochastic Optimization", arXiv:1412.6980, Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> opt = Adam(lr=0.1)
    >>> theta, state = opt.step(np.zeros(2), np.array([3.0, -1e-3]), opt.init(np.zeros(2)))
    >>> theta.round(4)  # the first step is lr * g / (|g| + eps): lr * sign(g), whatever the gradient's size
    array([-0.1,  0.1])
    """

    State = MomentState

    lr: float = hyperparameter(1e-3, "α", 0.0)
    beta1: float = hyperparameter(0.9, "β₁", 0.0, 1.0)
    beta2: float = hyperparameter(0.999, "β₂", 0.0, 1.0)
    eps: float = hyperparameter(1e-8, "ε", 0.0)
    weight_decay: float = hyperparameter(0.0, "λ", 0.0)
    bias_correction: bool = flag(True)

    def init(self, theta):
        zeros = zeros_like_params(theta)
        return MomentState(t=0, m=zeros, v=zeros)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        g = g + self.weight_decay * theta if self.weight_decay else g
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g
        v = self.beta2 * state.v + (1 - self.beta2) * g**2
        if self.bias_correction:
            m_hat = m / (1 - self.beta1**t)
            v_hat = v / (1 - self.beta2**t)
        else:
            m_hat, v_hat = m, v
        theta = theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return theta, MomentState(t=t, m=m, v=v)
