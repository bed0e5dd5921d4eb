"""Run an optimizer on a 2D test function and keep every point: the raw material of the course's plots.

>>> from adam_edu.optim import Adam
>>> from adam_edu.functions import get_function
>>> path = run(Adam(lr=0.05), get_function("rosenbrock"), steps=100)
>>> path.points.shape, path.losses.shape
((101, 2), (101,))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from .functions import Objective
from .optim import Optimizer


@dataclasses.dataclass(frozen=True)
class Trajectory:
    """The points an optimizer visited and the loss at each.

    ``points[0]`` is the start and ``points[k]`` the point after ``k`` steps; ``losses[k] = f(points[k])``.
    A run that overflowed keeps its non-finite points, so :attr:`diverged` can say so.
    """

    label: str
    points: np.ndarray
    losses: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.points) - 1

    @property
    def final_point(self) -> np.ndarray:
        return self.points[-1]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def diverged(self) -> bool:
        return not bool(np.all(np.isfinite(self.losses)))


def gradient_noise(scale: float, steps: int, seed: int = 0) -> np.ndarray:
    """Seeded Gaussian noise for ``steps`` gradients in 2D: shape ``(steps, 2)``, standard deviation ``scale``.

    It stands in for minibatch noise: the same seed gives the same noise to every optimizer in a race.
    """
    if not scale >= 0:
        raise ValueError(f"noise scale must be a real number in [0, inf). Got {scale!r} instead.")
    return scale * np.random.default_rng(seed).standard_normal((steps, 2))


def start_and_noise(
    objective: Objective, start: Sequence[float] | None, steps: int, noise: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Check a run's arguments; return the starting point and the ``(steps, 2)`` gradient noise."""
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be an integer in [0, inf). Got {steps!r} instead.")
    theta = np.asarray(objective.start if start is None else start, dtype=float)
    if theta.shape != (2,):
        raise ValueError(f"start must be a point (x, y). Got shape {theta.shape} instead.")
    return theta, gradient_noise(noise, steps, seed)


def run(
    optimizer: Optimizer,
    objective: Objective,
    start: Sequence[float] | None = None,
    steps: int = 100,
    noise: float = 0.0,
    seed: int = 0,
    label: str | None = None,
) -> Trajectory:
    """Run ``optimizer`` on ``objective`` for ``steps`` steps from ``start`` (the function's default).

    ``noise`` adds seeded Gaussian noise of that standard deviation to each gradient (see
    :func:`gradient_noise`). Deterministic: the same arguments give the same trajectory.
    """
    theta, noises = start_and_noise(objective, start, steps, noise, seed)
    points = np.empty((steps + 1, 2))
    points[0] = theta
    state = optimizer.init(theta)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            grad = objective.grad(theta) + noises[k]
            theta, state = optimizer.step(theta, grad, state)
            points[k + 1] = theta
        losses = objective.value(points)
    return Trajectory(label=label or repr(optimizer), points=points, losses=losses)


def race(
    optimizers: Mapping[str, Optimizer],
    objective: Objective,
    start: Sequence[float] | None = None,
    steps: int = 100,
    noise: float = 0.0,
    seed: int = 0,
) -> dict[str, Trajectory]:
    """Run several optimizers from the same start with the same gradient noise; keyed by label."""
    return {
        label: run(opt, objective, start=start, steps=steps, noise=noise, seed=seed, label=label)
        for label, opt in optimizers.items()
    }
