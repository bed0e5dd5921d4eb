"""RMSProp: AdaGrad with a moving average instead of a sum, so old gradients are forgotten."""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params
from .states import SecondMomentState


@dataclasses.dataclass(frozen=True)
class RMSProp(Optimizer):
    r"""RMSProp (Tieleman & Hinton, 2012).

    .. math::

        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2, \qquad
        \theta_t = \theta_{t-1} - \alpha\, \frac{g_t}{\sqrt{v_t} + \epsilon}

    ``v`` is Adam's second moment estimate, without bias correction; hence the name ``beta2``.
    torch.optim.RMSprop calls this coefficient ``alpha`` (and the step size ``lr``):
    ``RMSProp(lr=a, beta2=b)`` is ``torch.optim.RMSprop(lr=a, alpha=b)``.

    Parameters
    ----------
    lr : float, default 0.01
        Step size :math:`\alpha`, in [0, inf).
    beta2 : float, default 0.99
        Decay rate :math:`\beta_2` of the moving average of :math:`g^2`, in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, added to :math:`\sqrt{v_t}`, in [0, inf).

    References
    ----------
    Tieleman & Hinton (2012), Coursera "Neural Networks for Machine Learning", Lecture 6.5;
    Kingma & Ba, arXiv:1412.6980, Section 5.

    Examples
    --------
    >>> import numpy as np
    >>> opt = RMSProp(lr=0.01, beta2=0.99, eps=0.0)
    >>> theta, state = opt.step(np.zeros(1), np.ones(1), opt.init(np.zeros(1)))
    >>> theta.round(6)  # v_1 = 0.01 g^2, so the first step is lr / sqrt(0.01) = 10 lr
    array([-0.1])
    """

    State = SecondMomentState

    lr: float = hyperparameter(0.01, "α", 0.0)
    beta2: float = hyperparameter(0.99, "β₂", 0.0, 1.0)
    eps: float = hyperparameter(1e-8, "ε", 0.0)

    def init(self, theta):
        return SecondMomentState(t=0, v=zeros_like_params(theta))

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        v = self.beta2 * state.v + (1 - self.beta2) * g**2
        theta = theta - self.lr * g / (np.sqrt(v) + self.eps)
        return theta, SecondMomentState(t=state.t + 1, v=v)
