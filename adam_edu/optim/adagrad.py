"""AdaGrad: a per-coordinate step size from the sum of all past squared gradients."""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import Optimizer, hyperparameter, zeros_like_params
from .states import SumOfSquaresState


@dataclasses.dataclass(frozen=True)
class AdaGrad(Optimizer):
    r"""AdaGrad (Duchi, Hazan & Singer, 2011), diagonal version.

    .. math::

        s_t = s_{t-1} + g_t^2, \qquad
        \theta_t = \theta_{t-1} - \alpha\, \frac{g_t}{\sqrt{s_t} + \epsilon}

    The sum only grows, so every coordinate's step shrinks for ever: good for sparse features,
    too cautious late in non-convex training. Matches ``torch.optim.Adagrad`` (``lr_decay=0``,
    ``initial_accumulator_value=0``).

    Parameters
    ----------
    lr : float, default 0.01
        Step size :math:`\alpha`, in [0, inf).
    eps : float, default 1e-10
        :math:`\epsilon`, added to :math:`\sqrt{s_t}` for numerical stability, in [0, inf).

    References
    ----------
    Duchi, Hazan & Singer (2011), JMLR 12; Kingma & Ba, arXiv:1412.6980, Section 5.

    Examples
    --------
    >>> import numpy as np
    >>> opt = AdaGrad(lr=0.5)
    >>> theta, state = opt.step(np.zeros(2), np.array([4.0, -0.01]), opt.init(np.zeros(2)))
    >>> theta.round(6)  # the first step is lr * sign(g) on every coordinate
    array([-0.5,  0.5])
    """

    State = SumOfSquaresState

    lr: float = hyperparameter(0.01, "α", 0.0)
    eps: float = hyperparameter(1e-10, "ε", 0.0)

    def init(self, theta):
        return SumOfSquaresState(t=0, sum_sq=zeros_like_params(theta))

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        sum_sq = state.sum_sq + g**2
        theta = theta - self.lr * g / (np.sqrt(sum_sq) + self.eps)
        return theta, SumOfSquaresState(t=state.t + 1, sum_sq=sum_sq)
