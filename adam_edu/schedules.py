r"""Learning-rate schedules in plain numpy, and :class:`Scheduled`: any optimizer driven by one.

A schedule is a small frozen dataclass: its fields are validated hyperparameters, and calling it with a step
number returns the learning rate of that step. Below, after a warm-up of 100 updates, the cosine reaches its
floor at update 100 + 900 + 1 = 1001; update 1000 still runs at 3.0e-09:

>>> schedule = WarmupThen(100, Cosine(lr=1e-3, total=900))
>>> schedule(1), schedule(100), schedule(1001)
(1e-05, 0.001, 0.0)
>>> f"{schedule(1000):.1e}"
'3.0e-09'

**Which t.** ``schedule(t)`` is the rate of the ``t``-th update, counted from 1, the same ``t`` as the
optimizers' (``state.t + 1`` before the step, ``state.t`` after it), and as :math:`\alpha_t = \alpha/\sqrt t` in
Kingma & Ba, Section 4. ``torch.optim.lr_scheduler`` counts *epochs* from 0: a scheduler is built before the first
``optimizer.step()``, and ``scheduler.step()`` after each one moves ``last_epoch`` from 0 to 1, 2, ...; so the rate
torch uses for update ``t`` is the one at ``last_epoch = t - 1``, and every formula below is torch's with
:math:`e = t - 1`. (optax's schedules take ``count``, the number of updates done so far: also :math:`t - 1`.)

The optimizers are immutable and hold a fixed ``lr``. :class:`Scheduled` wraps one and, at each step, builds the
same optimizer with ``lr = schedule(t)`` (``dataclasses.replace``) and lets it take the step: the state (``t``,
the moments) is the wrapped optimizer's and carries on from step to step, so a scheduled optimizer works with
every runner of the package (:func:`adam_edu.problems.train`, :func:`adam_edu.recording.feed`, ...).

>>> import numpy as np
>>> from adam_edu.optim import Adam
>>> opt = Scheduled(Adam(), LinearWarmup(lr=0.1, warmup=4))
>>> theta, state = np.zeros(1), opt.init(np.zeros(1))
>>> for _ in range(2):
...     theta, state = opt.step(theta, np.ones(1), state)
>>> theta.round(6), state.t  # two constant-gradient steps of 0.1 * 1/4 and 0.1 * 2/4
(array([-0.075]), 2)

References: Kingma & Ba, arXiv:1412.6980, Section 4 (:class:`InverseSqrt`); Loshchilov & Hutter, SGDR,
arXiv:1608.03983 (:class:`Cosine`); Goyal et al., arXiv:1706.02677 (:class:`LinearWarmup`).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

import numpy as np

from .optim.base import Optimizer
from .optim.validation import check_real

__all__ = [
    "Constant",
    "Cosine",
    "InverseSqrt",
    "LinearWarmup",
    "Schedule",
    "Scheduled",
    "StepDecay",
    "WarmupThen",
]


def _check_int(owner: str, name: str, value: object, low: int, what: str = "parameter") -> int:
    """Return ``value`` as an int if it is an integer (not a bool) in ``[low, inf)``, else raise naming it."""
    where = f"The '{name}' {what} of {owner} must be an integer in [{low}, inf)"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        shown = repr(value) if isinstance(value, float) else f"{value!r} ({type(value).__name__})"
        raise TypeError(f"{where}. Got {shown} instead.")
    if value < low:
        raise ValueError(f"{where}. Got {value!r} instead.")
    return int(value)


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Base class: ``schedule(t)`` is the learning rate of update ``t = 1, 2, ...``; :meth:`values` many at once."""

    def __call__(self, t: int) -> float:
        return self.rate(_check_int(type(self).__name__, "t", t, 1, what="argument (the 1-based update count)"))

    def rate(self, t: int) -> float:
        """The formula, for a checked ``t >= 1``."""
        raise NotImplementedError

    def values(self, steps: int) -> np.ndarray:
        """The rates of updates ``1..steps``: entry ``k`` is ``self(k + 1)``."""
        steps = _check_int(type(self).__name__, "steps", steps, 0, what="argument")
        return np.array([self.rate(t) for t in range(1, steps + 1)], dtype=float)


@dataclasses.dataclass(frozen=True)
class Constant(Schedule):
    r"""No schedule: :math:`\alpha_t = \alpha`. torch: ``LambdaLR(opt, lambda e: 1.0)`` (or no scheduler at all).

    Parameters
    ----------
    lr : float
        :math:`\alpha`, in [0, inf).
    """

    lr: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", check_real("Constant", "lr", "α", self.lr, 0.0))

    def rate(self, t: int) -> float:
        return self.lr


@dataclasses.dataclass(frozen=True)
class StepDecay(Schedule):
    r"""Step decay: multiply the rate by :math:`\gamma` every ``step_size`` updates.

    .. math:: \alpha_t = \alpha\,\gamma^{\lfloor (t-1)/s \rfloor}

    Updates :math:`1..s` use :math:`\alpha`, updates :math:`s+1..2s` use :math:`\gamma\alpha`, and so on.
    torch: ``StepLR(opt, step_size=s, gamma=γ)`` with the optimizer's ``lr = α`` (torch's epoch :math:`e = t-1`;
    stepped once per *epoch* in most torch code, so there ``t`` counts epochs, not minibatches).

    Parameters
    ----------
    lr : float
        :math:`\alpha`, in [0, inf).
    step_size : int
        :math:`s`, updates between two decays, in [1, inf).
    gamma : float, default 0.1
        :math:`\gamma`, the factor of each decay, in (0, 1].
    """

    lr: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", check_real("StepDecay", "lr", "α", self.lr, 0.0))
        object.__setattr__(self, "step_size", _check_int("StepDecay", "step_size", self.step_size, 1))
        gamma = check_real("StepDecay", "gamma", "γ", self.gamma, 0.0, 1.0, low_closed=False, high_closed=True)
        object.__setattr__(self, "gamma", gamma)

    def rate(self, t: int) -> float:
        return self.lr * self.gamma ** ((t - 1) // self.step_size)


@dataclasses.dataclass(frozen=True)
class Cosine(Schedule):
    r"""Cosine annealing from :math:`\alpha` to :math:`\alpha_{\min}` over ``total`` updates (SGDR, no restarts).

    .. math::

        \alpha_t = \alpha_{\min} + \tfrac12(\alpha - \alpha_{\min})\Big(1 + \cos\big(\pi\,\tfrac{t-1}{T}\big)\Big)
        \quad (1 \le t \le T + 1), \qquad \alpha_t = \alpha_{\min} \quad (t > T + 1)

    The first update uses :math:`\alpha`; the rate reaches :math:`\alpha_{\min}` at :math:`t = T + 1`, after
    :math:`T` updates (so a run of :math:`T` updates ends just above :math:`\alpha_{\min}`; pass ``total = T - 1`` to
    spend its last update at :math:`\alpha_{\min}`). torch: ``CosineAnnealingLR(opt, T_max=T, eta_min=α_min)``,
    equal for :math:`t \le T + 1`. Beyond, torch's cosine keeps going and rises again (period :math:`2T`), while this
    one holds :math:`\alpha_{\min}` (as optax's ``cosine_decay_schedule`` does); restarts are torch's
    ``CosineAnnealingWarmRestarts``.

    Parameters
    ----------
    lr : float
        :math:`\alpha`, the first rate, in [0, inf).
    total : int
        :math:`T`, the length of the decay in updates (torch's ``T_max``), in [1, inf).
    lr_min : float, default 0
        :math:`\alpha_{\min}`, the floor (torch's ``eta_min``), in [0, lr].

    References
    ----------
    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", arXiv:1608.03983, eq. (5).
    """

    lr: float
    total: int
    lr_min: float = 0.0

    def __post_init__(self) -> None:
        lr = check_real("Cosine", "lr", "α", self.lr, 0.0)
        object.__setattr__(self, "lr", lr)
        object.__setattr__(self, "total", _check_int("Cosine", "total", self.total, 1))
        object.__setattr__(
            self, "lr_min", check_real("Cosine", "lr_min", "α_min", self.lr_min, 0.0, lr, high_closed=True)
        )

    def rate(self, t: int) -> float:
        if t > self.total + 1:
            return self.lr_min
        return self.lr_min + 0.5 * (self.lr - self.lr_min) * (1.0 + math.cos(math.pi * (t - 1) / self.total))


@dataclasses.dataclass(frozen=True)
class LinearWarmup(Schedule):
    r"""Linear warm-up: the rate grows in equal steps to :math:`\alpha` over the first ``warmup`` updates, then stays.

    .. math:: \alpha_t = \alpha \min(1, t / T_w)

    The first update uses :math:`\alpha/T_w` (never 0: an update at rate 0 would be wasted), update :math:`T_w` the
    full :math:`\alpha`. torch: ``LinearLR(opt, start_factor=1/T_w, end_factor=1.0, total_iters=T_w - 1)`` (its
    factor at epoch :math:`e` is :math:`1/T_w + (1 - 1/T_w)\min(e, T_w-1)/(T_w-1) = (e+1)/T_w`), or
    ``LambdaLR(opt, lambda e: min(1.0, (e + 1) / T_w))``, which also covers :math:`T_w = 1` (no warm-up).
    Follow it by another schedule with :class:`WarmupThen`.

    Parameters
    ----------
    lr : float
        :math:`\alpha`, the rate reached at the end of the warm-up, in [0, inf).
    warmup : int
        :math:`T_w`, the length of the warm-up in updates, in [1, inf).

    References
    ----------
    Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", arXiv:1706.02677, Section 2.2
    (gradual warm-up over 5 epochs).
    """

    lr: float
    warmup: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", check_real("LinearWarmup", "lr", "α", self.lr, 0.0))
        object.__setattr__(self, "warmup", _check_int("LinearWarmup", "warmup", self.warmup, 1))

    def rate(self, t: int) -> float:
        return self.lr * min(1.0, t / self.warmup)


@dataclasses.dataclass(frozen=True)
class InverseSqrt(Schedule):
    r"""The schedule of Kingma & Ba's convergence analysis (Section 4, Theorem 4.1): :math:`\alpha_t = \alpha/\sqrt t`.

    torch has no class for it: ``LambdaLR(opt, lambda e: 1 / math.sqrt(e + 1))``. (The Transformer's "inverse square
    root" schedule, Vaswani et al. 2017, is a different one: a linear warm-up, then :math:`\propto 1/\sqrt t`.)

    Parameters
    ----------
    lr : float
        :math:`\alpha`, the first rate, in [0, inf).
    """

    lr: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", check_real("InverseSqrt", "lr", "α", self.lr, 0.0))

    def rate(self, t: int) -> float:
        return self.lr / math.sqrt(t)


@dataclasses.dataclass(frozen=True)
class WarmupThen(Schedule):
    r"""A linear warm-up to where ``schedule`` starts, then ``schedule``, restarted from its own step 1.

    .. math::

        \alpha_t = \text{schedule}(1)\,\frac{t}{T_w} \quad (t \le T_w), \qquad
        \alpha_t = \text{schedule}(t - T_w) \quad (t > T_w)

    So ``WarmupThen(100, Cosine(lr, total=900))`` warms up over updates 1..100 and decays over the next 900,
    reaching ``lr_min`` at update 1001. torch: ``SequentialLR(opt, [LinearLR(opt, start_factor=1/T_w,
    total_iters=T_w - 1), CosineAnnealingLR(opt, T_max=900)], milestones=[T_w])``: at the milestone epoch
    :math:`e = T_w` the second scheduler starts at its epoch 0, which is our :math:`t = T_w + 1`.

    Parameters
    ----------
    warmup : int
        :math:`T_w`, the length of the warm-up in updates, in [1, inf).
    schedule : Schedule
        What follows the warm-up.
    """

    warmup: int
    schedule: Schedule

    def __post_init__(self) -> None:
        object.__setattr__(self, "warmup", _check_int("WarmupThen", "warmup", self.warmup, 1))
        if not isinstance(self.schedule, Schedule):
            raise TypeError(
                "The 'schedule' parameter of WarmupThen must be a Schedule (Cosine, StepDecay, ...). "
                f"Got {self.schedule!r} ({type(self.schedule).__name__}) instead."
            )

    def rate(self, t: int) -> float:
        if t <= self.warmup:
            return self.schedule.rate(1) * t / self.warmup
        return self.schedule.rate(t - self.warmup)


@dataclasses.dataclass(frozen=True)
class Scheduled(Optimizer):
    r"""``optimizer`` with its learning rate set by ``schedule`` at every update.

    Step ``t`` (``t = state.t + 1``) is ``dataclasses.replace(optimizer, lr=schedule(t)).step(theta, grad, state)``:
    the same arithmetic as the hand loop, the state is the wrapped optimizer's (its ``t`` counts on across the
    schedule), and the optimizer's own ``lr`` is not used. In torch the optimizer is mutable and a scheduler writes
    ``param_groups[i]["lr"]`` after each ``optimizer.step()``; here a new immutable optimizer is built per step.

    Parameters
    ----------
    optimizer : Optimizer
        Any optimizer of :mod:`adam_edu.optim` (it must have an ``lr``).
    schedule : Schedule
        The rate of each update.

    Examples
    --------
    >>> import numpy as np
    >>> from adam_edu.optim import SGD
    >>> opt = Scheduled(SGD(), StepDecay(lr=1.0, step_size=2, gamma=0.5))
    >>> theta, state = np.zeros(1), opt.init(np.zeros(1))
    >>> moves = []
    >>> for _ in range(5):
    ...     new, state = opt.step(theta, np.ones(1), state)
    ...     moves.append(float(theta[0] - new[0]))
    ...     theta = new
    >>> moves  # rates 1, 1, 0.5, 0.5, 0.25
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    optimizer: Optimizer
    schedule: Schedule

    def __post_init__(self) -> None:
        if not isinstance(self.optimizer, Optimizer) or isinstance(self.optimizer, Scheduled):
            raise TypeError(
                "The 'optimizer' parameter of Scheduled must be an optimizer of adam_edu.optim (not itself "
                f"Scheduled). Got {self.optimizer!r} ({type(self.optimizer).__name__}) instead."
            )
        if "lr" not in {field.name for field in dataclasses.fields(self.optimizer)}:
            raise TypeError(f"Scheduled needs an optimizer with an 'lr'. {type(self.optimizer).__name__} has none.")
        if not isinstance(self.schedule, Schedule):
            raise TypeError(
                "The 'schedule' parameter of Scheduled must be a Schedule (Cosine, LinearWarmup, ...). "
                f"Got {self.schedule!r} ({type(self.schedule).__name__}) instead."
            )

    def init(self, theta: Any) -> Any:
        return self.optimizer.init(theta)

    def at(self, t: int) -> Optimizer:
        """The optimizer that takes update ``t``: the wrapped one with ``lr = schedule(t)``."""
        return dataclasses.replace(self.optimizer, lr=self.schedule(t))

    def step(self, theta: Any, grad: Any, state: Any) -> tuple[np.ndarray, Any]:
        return self.at(state.t + 1).step(theta, grad, state)
