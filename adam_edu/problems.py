r"""Small, seeded problems for the derivation notebooks: a shifted test function and a logistic regression.

* :func:`shifted` moves a 2D test function so that its minimum is away from the origin. That matters
  whenever something starts at zero (Adam's moments, an average of iterates): a bias toward 0 is
  invisible when the answer is 0.
* :class:`LogisticRegression` is a synthetic binary classification problem in plain numpy, small
  enough to train dozens of times in a second; :func:`train` runs an optimizer on it with minibatches,
  the setting of the paper's Section 6 in miniature.

>>> from adam_edu.optim import Adam
>>> problem = LogisticRegression.synthetic(n=200, dim=5, seed=0)
>>> run = train(Adam(lr=0.1), problem, steps=100, batch_size=16)
>>> bool(run.losses[-1] < run.losses[0])
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from .functions import Objective
from .optim import Optimizer

__all__ = ["LogisticRegression", "TrainingRun", "shifted", "train"]


def shifted(objective: Objective, offset: Sequence[float], start: Sequence[float] | None = None) -> Objective:
    r"""``objective`` moved by ``offset``: :math:`\theta \mapsto f(\theta - \text{offset})`.

    Minima, plotting window and default start move with it (or the start is ``start``).

    >>> from adam_edu.functions import quadratic
    >>> bowl = shifted(quadratic(), (2.0, 1.0))
    >>> bowl.minima, float(bowl.value(np.array([2.0, 1.0])))
    (((2.0, 1.0),), 0.0)
    """
    dx, dy = (float(v) for v in offset)
    shift = np.array([dx, dy])

    def value(points):
        return objective.value(np.asarray(points, dtype=float) - shift)

    def grad(points):
        return objective.grad(np.asarray(points, dtype=float) - shift)

    moved_start = (objective.start[0] + dx, objective.start[1] + dy) if start is None else tuple(map(float, start))
    return dataclasses.replace(
        objective,
        name=f"{objective.name}_shifted",
        formula=f"{objective.formula} moved by ({dx:g}, {dy:g})",
        value=value,
        grad=grad,
        minima=tuple((x + dx, y + dy) for x, y in objective.minima),
        xlim=(objective.xlim[0] + dx, objective.xlim[1] + dx),
        ylim=(objective.ylim[0] + dy, objective.ylim[1] + dy),
        start=moved_start,
    )


@dataclasses.dataclass(frozen=True)
class LogisticRegression:
    r"""Binary logistic regression :math:`\ell(w) = \frac1n \sum_i \log(1 + e^{x_i^\top w}) - y_i x_i^\top w`.

    Attributes
    ----------
    X : ndarray, shape (n, dim)
        Features.
    y : ndarray, shape (n,)
        Labels in {0, 1}.
    """

    X: np.ndarray
    y: np.ndarray

    @classmethod
    def synthetic(cls, n: int = 1000, dim: int = 10, seed: int = 0) -> LogisticRegression:
        """Features on scales from 0.1 to 3 (uneven, as in real data), labels drawn from a hidden linear model."""
        rng = np.random.default_rng(seed)
        scales = np.geomspace(0.1, 3.0, dim)
        X = rng.standard_normal((n, dim)) * scales
        w_true = 1.5 * rng.standard_normal(dim) / scales
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-X @ w_true))).astype(float)
        return cls(X, y)

    @property
    def dim(self) -> int:
        return self.X.shape[1]

    def loss(self, w: np.ndarray) -> float:
        """Mean logistic loss (nats) on the whole data set."""
        z = self.X @ w
        return float(np.mean(np.logaddexp(0.0, z) - self.y * z))

    def grad(self, w: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Gradient of the mean loss over ``rows`` (all rows if None)."""
        X, y = (self.X, self.y) if rows is None else (self.X[rows], self.y[rows])
        z = np.clip(X @ w, -500.0, 500.0)
        return X.T @ (1.0 / (1.0 + np.exp(-z)) - y) / len(y)


@dataclasses.dataclass(frozen=True)
class TrainingRun:
    """What :func:`train` measured.

    Attributes
    ----------
    losses : ndarray
        Full-data loss at steps ``0, every, 2 every, ...`` (the last entry after the final step).
    max_steps : ndarray, shape (steps,)
        Largest :math:`|\\Delta\\theta|` over the coordinates at each step, in parameter units.
    w : ndarray
        The final weights.
    """

    losses: np.ndarray
    max_steps: np.ndarray
    w: np.ndarray

    @property
    def final_loss(self) -> float:
        """The loss after the last step; ``inf`` if the run overflowed."""
        value = float(self.losses[-1])
        return value if np.isfinite(value) else float("inf")


def train(
    optimizer: Optimizer,
    problem: LogisticRegression,
    steps: int = 300,
    batch_size: int = 32,
    seed: int = 1,
    every: int = 30,
) -> TrainingRun:
    """Minibatch training from ``w = 0``; batches drawn with replacement from a seeded generator.

    The same ``seed`` gives every optimizer the same batches.
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1. Got {steps!r} instead.")
    rows = np.random.default_rng(seed).integers(0, len(problem.y), size=(steps, batch_size))
    w = np.zeros(problem.dim)
    state = optimizer.init(w)
    losses, max_steps = [problem.loss(w)], np.empty(steps)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            new_w, state = optimizer.step(w, problem.grad(w, rows[k]), state)
            max_steps[k] = np.max(np.abs(new_w - w))
            w = new_w
            if (k + 1) % every == 0 or k + 1 == steps:
                losses.append(problem.loss(w))
    return TrainingRun(np.array(losses), max_steps, w)
