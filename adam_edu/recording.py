"""Run an optimizer and keep everything it saw and remembered: gradients, states and points.

:func:`adam_edu.trajectories.run` keeps the points; notebooks that explain *why* an optimizer
moves as it does also need what it carried from step to step (a velocity, a sum of squares, the
moments). Two ways to drive it:

* :func:`record` on a 2D test function (the same run as :func:`~adam_edu.trajectories.run`, point
  for point, with the same seeded noise);
* :func:`feed` with a stream of gradients you choose (constant, alternating, noisy), no function
  needed: the cleanest way to see how an update rule treats a signal.

>>> import numpy as np
>>> from adam_edu.optim import AdaGrad
>>> rec = feed(AdaGrad(lr=1.0, eps=0.0), np.ones((4, 1)))
>>> rec.updates[:, 0].round(4)  # constant gradient: steps lr / sqrt(t)
array([-1.    , -0.7071, -0.5774, -0.5   ])
>>> rec.state_array("sum_sq")[:, 0]  # states[0] is the state before the first step
array([0., 1., 2., 3., 4.])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from .functions import Objective
from .optim import Optimizer
from .trajectories import Trajectory, start_and_noise


@dataclasses.dataclass(frozen=True)
class Recording:
    """Everything one run produced.

    Attributes
    ----------
    points : ndarray, shape (steps + 1, ...)
        ``points[0]`` is the start, ``points[k]`` the parameters after ``k`` steps.
    grads : ndarray, shape (steps, ...)
        ``grads[k]`` is the gradient handed to step ``k + 1`` (noise included).
    states : tuple
        ``states[0]`` is ``optimizer.init(start)``, ``states[k]`` the state after ``k`` steps.
    losses : ndarray of shape (steps + 1,), or None
        ``f(points[k])`` when the run was on a function (:func:`record`), else None.
    label : str
    """

    points: np.ndarray
    grads: np.ndarray
    states: tuple
    losses: np.ndarray | None
    label: str

    @property
    def steps(self) -> int:
        return len(self.grads)

    @property
    def updates(self) -> np.ndarray:
        r"""The steps taken, :math:`\Delta\theta_k = \theta_k - \theta_{k-1}`, shape ``(steps, ...)``."""
        return np.diff(self.points, axis=0)

    def state_array(self, name: str) -> np.ndarray:
        """One state field (``"velocity"``, ``"sum_sq"``, ``"v"``, ``"m"``, ``"t"``...) over the run, stacked.

        Shape ``(steps + 1, ...)``: entry ``k`` is the value after ``k`` steps, entry 0 the initial one.
        """
        fields = getattr(self.states[0], "_fields", ())
        if name not in fields:
            raise ValueError(f"The state has no field {name!r}. Its fields are: {', '.join(fields)}.")
        return np.stack([np.asarray(getattr(state, name)) for state in self.states])

    def trajectory(self) -> Trajectory:
        """The same run as a :class:`~adam_edu.trajectories.Trajectory`, for the plotting helpers."""
        if self.losses is None:
            raise ValueError("a recording made by feed() has no losses; use record() on a function instead.")
        return Trajectory(label=self.label, points=self.points, losses=self.losses)


def record(
    optimizer: Optimizer,
    objective: Objective,
    start: Sequence[float] | None = None,
    steps: int = 100,
    noise: float = 0.0,
    seed: int = 0,
    label: str | None = None,
) -> Recording:
    """Run ``optimizer`` on ``objective`` like :func:`~adam_edu.trajectories.run`; keep gradients and states.

    Same arguments, same seeded noise, the same points.
    """
    theta, noises = start_and_noise(objective, start, steps, noise, seed)
    points = np.empty((steps + 1, 2))
    grads = np.empty((steps, 2))
    points[0] = theta
    states = [optimizer.init(theta)]
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            grads[k] = objective.grad(theta) + noises[k]
            theta, state = optimizer.step(theta, grads[k], states[-1])
            points[k + 1] = theta
            states.append(state)
        losses = objective.value(points)
    return Recording(points, grads, tuple(states), losses, label or repr(optimizer))


def feed(optimizer: Optimizer, grads: Any, start: Any = None, label: str | None = None) -> Recording:
    """Hand ``grads[0], grads[1], ...`` to ``optimizer`` one step at a time, whatever the parameters are.

    ``grads`` has shape ``(steps, ...)``; the parameters start at ``start`` (zeros if not given) and
    have the shape of one gradient. No function is involved: the gradients do not depend on the
    parameters, which isolates how the update rule transforms a stream of gradients.
    """
    grads = np.asarray(grads, dtype=float)
    if grads.ndim < 1:
        raise ValueError(f"grads must have shape (steps, ...). Got a scalar of shape {grads.shape} instead.")
    theta = np.zeros(grads.shape[1:]) if start is None else np.asarray(start, dtype=float)
    if theta.shape != grads.shape[1:]:
        raise ValueError(
            f"start must have the shape of one gradient {grads.shape[1:]}. Got shape {theta.shape} instead."
        )
    points = np.empty((len(grads) + 1, *theta.shape))
    points[0] = theta
    states = [optimizer.init(theta)]
    with np.errstate(over="ignore", invalid="ignore"):
        for k, g in enumerate(grads):
            theta, state = optimizer.step(theta, g, states[-1])
            points[k + 1] = theta
            states.append(state)
    return Recording(points, grads, tuple(states), None, label or repr(optimizer))
