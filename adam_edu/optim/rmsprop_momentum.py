"""RMSProp with momentum on the rescaled gradient: the variant the Adam paper contrasts with Adam (Section 5)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params


class RMSPropMomentumState(NamedTuple):
    """RMSProp with momentum: ``v``, the moving average of g², and ``velocity``, the momentum of the
    rescaled gradient (torch.optim.RMSprop's ``square_avg`` and ``momentum_buffer``)."""

    t: int
    v: np.ndarray
    velocity: np.ndarray


@dataclasses.dataclass(frozen=True)
class RMSPropMomentum(Optimizer):
    r"""RMSProp with heavy-ball momentum applied to the rescaled gradient, in torch.optim.RMSprop's form.

    .. math::

        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        b_t &= \mu\, b_{t-1} + \frac{g_t}{\sqrt{v_t} + \epsilon} \\
        \theta_t &= \theta_{t-1} - \alpha\, b_t, \qquad v_0 = b_0 = 0

    The momentum accumulates gradients *after* they are divided by :math:`\sqrt{v_t}`, and nothing is
    bias-corrected. Kingma & Ba (Section 5) contrast this with Adam, whose first moment averages the raw
    gradients and is rescaled once, after correction; without correction the early :math:`v_t` is far
    too small and the first step is :math:`\alpha/\sqrt{1-\beta_2}` times the gradient's sign (10 α by default).
    ``RMSPropMomentum(lr, beta2, momentum, eps)`` is
    ``torch.optim.RMSprop(lr=lr, alpha=beta2, eps=eps, momentum=momentum)``, torch's default, non-centred form.
    Kingma & Ba cite Graves (2013) for a version of RMSProp with momentum; Graves's form is not this one: it also
    subtracts the squared running mean of g under the root (torch's ``centered=True``), with its constant inside the
    root.

    Parameters
    ----------
    lr : float, default 0.01
        Step size :math:`\alpha`, in [0, inf).
    beta2 : float, default 0.99
        Decay rate :math:`\beta_2` of the moving average of :math:`g^2` (torch's ``alpha``), in [0, 1).
    momentum : float, default 0.9
        Momentum coefficient :math:`\mu`, in [0, 1) (torch's default is 0, plain RMSProp: :class:`RMSProp`).
    eps : float, default 1e-8
        :math:`\epsilon`, added to :math:`\sqrt{v_t}`, in [0, inf).

    References
    ----------
    Tieleman & Hinton (2012), Coursera "Neural Networks for Machine Learning", Lecture 6.5;
    Graves, "Generating Sequences With Recurrent Neural Networks", arXiv:1308.0850, Section 4, eqs. 38-41 (centred);
    Kingma & Ba, arXiv:1412.6980, Section 5.

    Examples
    --------
    >>> import numpy as np
    >>> opt = RMSPropMomentum(lr=0.01, beta2=0.99, momentum=0.5, eps=0.0)
    >>> theta, state = np.zeros(1), opt.init(np.zeros(1))
    >>> theta, state = opt.step(theta, np.ones(1), state)
    >>> theta.round(6)  # v_1 = 0.01 g^2: b_1 = g / 0.1, a first step of 10 lr
    array([-0.1])
    """

    State = RMSPropMomentumState

    lr: float = hyperparameter(0.01, "α", 0.0)
    beta2: float = hyperparameter(0.99, "β₂", 0.0, 1.0)
    momentum: float = hyperparameter(0.9, "μ", 0.0, 1.0)
    eps: float = hyperparameter(1e-8, "ε", 0.0)

    def init(self, theta):
        zeros = zeros_like_params(theta)
        return RMSPropMomentumState(t=0, v=zeros, velocity=zeros)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        v = self.beta2 * state.v + (1 - self.beta2) * g**2
        velocity = self.momentum * state.velocity + g / (np.sqrt(v) + self.eps)
        theta = theta - self.lr * velocity
        return theta, RMSPropMomentumState(t=state.t + 1, v=v, velocity=velocity)
