r"""Online convex optimization: regret, and the problem on which Adam provably fails.

In the online setting a new convex loss :math:`f_t` arrives at each step; the learner picks
:math:`x_t` before seeing it. Regret compares the learner with the best fixed point in hindsight:

.. math:: R(T) = \sum_{t=1}^{T} f_t(x_t) - \min_{x \in F} \sum_{t=1}^{T} f_t(x).

Adam's Theorem 4.1 claims :math:`R(T) = O(\sqrt T)`, so :math:`R(T)/T \to 0`. It assumes bounded
iterates, which Algorithm 1 (no projection) does not guarantee; for projected Adam, Reddi, Kale & Kumar
(2018) gave a one-dimensional counterexample (:class:`ReddiProblem`, with :math:`\beta_1 = 0` and
:math:`\beta_2 = 1/(1+C^2)`) where :math:`R(T)/T` stays positive, and AMSGrad repairs it.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .optim import Optimizer
from .optim.validation import check_real


@dataclasses.dataclass(frozen=True)
class ReddiProblem:
    r"""Reddi et al.'s counterexample: on :math:`F = [-1, 1]`, :math:`f_t(x) = Cx` when
    :math:`t \bmod 3 = 1`, else :math:`-x`, with :math:`C > 2`.

    Over each three steps the sum is :math:`(C - 2)x`, so the best point is :math:`x = -1`. The rare
    large gradient :math:`C` is forgotten by Adam's :math:`v` (for a suitable :math:`\beta_2`) and the
    frequent small ones push :math:`x` to :math:`+1`, the worst point.
    """

    C: float = 3.0
    lower: float = -1.0
    upper: float = 1.0

    def __post_init__(self) -> None:
        check_real("ReddiProblem", "C", "C", self.C, 2.0, low_closed=False)

    def grad(self, t: int) -> float:
        """The gradient of :math:`f_t` (constant in :math:`x`), for the 1-based step ``t``."""
        return self.C if t % 3 == 1 else -1.0

    def loss(self, t: int, x: float) -> float:
        return self.grad(t) * x

    @property
    def best_point(self) -> float:
        return self.lower

    def best_total_loss(self, steps: int) -> float:
        """:math:`\\min_x \\sum_{t \\le T} f_t(x)`, attained at :math:`x = -1`."""
        return sum(self.loss(t, self.best_point) for t in range(1, steps + 1))


@dataclasses.dataclass(frozen=True)
class OnlineRun:
    """Points :math:`x_0..x_T` played, the losses :math:`f_t(x_{t-1})` suffered, and the regret :math:`R(t)`."""

    points: np.ndarray
    losses: np.ndarray
    regret: np.ndarray

    @property
    def final_point(self) -> float:
        return float(self.points[-1])

    @property
    def average_regret(self) -> float:
        """:math:`R(T)/T`, which tends to 0 for a no-regret method."""
        return float(self.regret[-1] / len(self.regret))


def run_online(
    optimizer: Optimizer,
    problem: ReddiProblem,
    steps: int,
    x0: float = 0.0,
    decay_lr: bool = False,
) -> OnlineRun:
    r"""Projected online optimization: step on :math:`f_t`, then clip :math:`x` back into :math:`F`.

    With ``decay_lr`` the step size is :math:`\alpha_t = \alpha/\sqrt t`, as in Theorem 4.1;
    otherwise it stays ``optimizer.lr``. Each step the loss is suffered at the point played before
    the gradient is seen.
    """
    x = np.array([float(x0)])
    state = optimizer.init(x)
    points, losses = [float(x0)], []
    for t in range(1, steps + 1):
        losses.append(problem.loss(t, float(x[0])))
        opt = dataclasses.replace(optimizer, lr=optimizer.lr / math.sqrt(t)) if decay_lr else optimizer
        x, state = opt.step(x, np.array([problem.grad(t)]), state)
        x = np.clip(x, problem.lower, problem.upper)
        points.append(float(x[0]))
    losses = np.array(losses)
    best = np.cumsum([problem.loss(t, problem.best_point) for t in range(1, steps + 1)])
    return OnlineRun(points=np.array(points), losses=losses, regret=np.cumsum(losses) - best)
