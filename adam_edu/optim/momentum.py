"""Momentum: heavy ball (Polyak, 1964) and Nesterov's look-ahead, in torch.optim.SGD's form."""

from __future__ import annotations

import dataclasses

from .base import Optimizer, hyperparameter, zeros_like_params
from .states import VelocityState


@dataclasses.dataclass(frozen=True)
class Momentum(Optimizer):
    r"""Gradient descent with heavy-ball momentum.

    .. math::

        b_t = \mu\, b_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \alpha\, b_t, \qquad b_0 = 0

    This is ``torch.optim.SGD(lr, momentum)`` (dampening 0). Some texts write
    :math:`b_t = \mu b_{t-1} + (1-\mu) g_t`, an exponential moving average; that form equals this one
    with :math:`\alpha` divided by :math:`1-\mu`.

    Parameters
    ----------
    lr : float, default 0.01
        Step size :math:`\alpha`, in [0, inf).
    momentum : float, default 0.9
        Momentum coefficient :math:`\mu`, in [0, 1).

    References
    ----------
    Polyak (1964), "Some methods of speeding up the convergence of iteration methods";
    Sutskever et al. (2013), "On the importance of initialization and momentum in deep learning".

    Examples
    --------
    >>> import numpy as np
    >>> opt = Momentum(lr=0.1, momentum=0.5)
    >>> theta, state = np.zeros(1), opt.init(np.zeros(1))
    >>> theta, state = opt.step(theta, np.ones(1), state)
    >>> theta, state = opt.step(theta, np.ones(1), state)
    >>> theta  # steps of 0.1, then 0.1 * (0.5 + 1)
    array([-0.25])
    """

    State = VelocityState

    lr: float = hyperparameter(0.01, "α", 0.0)
    momentum: float = hyperparameter(0.9, "μ", 0.0, 1.0)

    def init(self, theta):
        return VelocityState(t=0, velocity=zeros_like_params(theta))

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        velocity = self.momentum * state.velocity + g
        theta = theta - self.lr * velocity
        return theta, VelocityState(t=state.t + 1, velocity=velocity)


@dataclasses.dataclass(frozen=True)
class Nesterov(Optimizer):
    r"""Gradient descent with Nesterov momentum, in the form torch.optim.SGD(nesterov=True) uses.

    .. math::

        b_t = \mu\, b_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \alpha\,(g_t + \mu\, b_t)

    The step looks one momentum step ahead: it uses the velocity that the *next* update would
    start from. Sutskever et al. (2013) write Nesterov's method with the gradient taken at the
    look-ahead point :math:`\theta + \mu v` (their velocity :math:`v = -\alpha b`); Bengio,
    Boulanger-Lewandowski & Pascanu (2013) changed variables to that point, which gives this form,
    with the gradient at the current point. Its iterates are Sutskever's look-ahead points.

    Parameters
    ----------
    lr : float, default 0.01
        Step size :math:`\alpha`, in [0, inf).
    momentum : float, default 0.9
        Momentum coefficient :math:`\mu`, in [0, 1).

    References
    ----------
    Nesterov (1983); Sutskever et al. (2013), Section 2.1; Bengio, Boulanger-Lewandowski & Pascanu (2013),
    "Advances in optimizing recurrent networks", arXiv:1212.0901, Section 3.5.

    Examples
    --------
    >>> import numpy as np
    >>> opt = Nesterov(lr=0.1, momentum=0.5)
    >>> theta, state = opt.step(np.zeros(1), np.ones(1), opt.init(np.zeros(1)))
    >>> theta  # 0.1 * (1 + 0.5 * 1)
    array([-0.15])
    """

    State = VelocityState

    lr: float = hyperparameter(0.01, "α", 0.0)
    momentum: float = hyperparameter(0.9, "μ", 0.0, 1.0)

    def init(self, theta):
        return VelocityState(t=0, velocity=zeros_like_params(theta))

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        velocity = self.momentum * state.velocity + g
        theta = theta - self.lr * (g + self.momentum * velocity)
        return theta, VelocityState(t=state.t + 1, velocity=velocity)
