r"""Regret on a well-behaved online problem, and the quantity whose sign broke Adam's convergence proof.

:mod:`adam_edu.online` holds Reddi et al.'s counterexample, whose gradients do not depend on the
point played. Here the losses do: :class:`OnlineQuadratic` asks the learner to track the mean of
noisy targets inside a box, a convex problem that meets the assumptions of Kingma & Ba's
Theorem 4.1 (bounded gradients, bounded domain, :math:`\alpha_t = \alpha/\sqrt t`), so
:math:`R(T)/T` should shrink. :func:`second_moments` follows the :math:`V_t` that scales each step of
Adam or AMSGrad along a gradient sequence, from which Reddi et al.'s

.. math:: \Gamma_t = \frac{\sqrt{V_{t+1}}}{\alpha_{t+1}} - \frac{\sqrt{V_t}}{\alpha_t}

follows in one line; the proof of Theorem 4.1 assumes :math:`\Gamma_t \ge 0`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .online import OnlineRun
from .optim import Adam, AMSGrad, Optimizer


@dataclasses.dataclass(frozen=True)
class OnlineQuadratic:
    r"""Online quadratic losses :math:`f_t(x) = \tfrac12 \lVert x - z_t \rVert^2` on the box :math:`F = [-1, 1]^d`.

    ``targets`` holds :math:`z_1, \dots, z_T` (shape ``(T, d)``). The best fixed point after
    :math:`t` rounds is the mean of :math:`z_1..z_t` clipped to the box (the losses are separable),
    so the regret of every prefix is exact.
    """

    targets: np.ndarray
    lower: float = -1.0
    upper: float = 1.0

    @classmethod
    def noisy(cls, steps: int, dim: int = 1, noise: float = 1.0, seed: int = 0) -> OnlineQuadratic:
        """Targets :math:`z_t = c + \\xi_t`: a fixed centre :math:`c` drawn in :math:`[-0.5, 0.5]^d`
        plus noise uniform in ``[-noise, noise]``, from ``np.random.default_rng(seed)``."""
        rng = np.random.default_rng(seed)
        centre = rng.uniform(-0.5, 0.5, size=dim)
        return cls(targets=centre + rng.uniform(-noise, noise, size=(steps, dim)))

    @property
    def steps(self) -> int:
        return len(self.targets)

    def grad(self, t: int, x: np.ndarray) -> np.ndarray:
        """:math:`\\nabla f_t(x) = x - z_t`, for the 1-based step ``t``."""
        return x - self.targets[t - 1]

    def loss(self, t: int, x: np.ndarray) -> float:
        return 0.5 * float(np.sum((x - self.targets[t - 1]) ** 2))

    def best_total_losses(self) -> np.ndarray:
        r""":math:`\min_{x \in F} \sum_{i \le t} f_i(x)` for every :math:`t = 1..T`."""
        t = np.arange(1, self.steps + 1)[:, None]
        s1 = np.cumsum(self.targets, axis=0)
        s2 = np.cumsum(self.targets**2, axis=0)
        best = np.clip(s1 / t, self.lower, self.upper)
        return 0.5 * np.sum(t * best**2 - 2 * best * s1 + s2, axis=1)


def run_online_convex(
    optimizer: Optimizer,
    problem: OnlineQuadratic,
    x0: float = 0.0,
    decay_lr: bool = True,
    beta1_decay: float = 1.0,
) -> OnlineRun:
    r"""Projected online optimization on ``problem`` for all its rounds, as in Theorem 4.1.

    Round :math:`t` suffers :math:`f_t(x_{t-1})`, then steps with :math:`\alpha_t = \alpha/\sqrt t`
    (``decay_lr``) and :math:`\beta_{1,t} = \beta_1 \lambda^{t-1}` (``beta1_decay`` is :math:`\lambda`;
    1 keeps :math:`\beta_1` constant) and clips back into the box. ``points`` has shape ``(T + 1, d)``.
    """
    dim = problem.targets.shape[1]
    x = np.full(dim, float(x0))
    state = optimizer.init(x)
    points, losses = [x], []
    for t in range(1, problem.steps + 1):
        losses.append(problem.loss(t, x))
        changes = {}
        if decay_lr:
            changes["lr"] = optimizer.lr / math.sqrt(t)
        if beta1_decay != 1.0:
            changes["beta1"] = optimizer.beta1 * beta1_decay ** (t - 1)
        opt = dataclasses.replace(optimizer, **changes) if changes else optimizer
        x, state = opt.step(x, problem.grad(t, x), state)
        x = np.clip(x, problem.lower, problem.upper)
        points.append(x)
    regret = np.cumsum(losses) - problem.best_total_losses()
    return OnlineRun(points=np.array(points), losses=np.array(losses), regret=regret)


def second_moments(optimizer: Adam | AMSGrad, grads: np.ndarray) -> np.ndarray:
    r"""The :math:`V_t` under the square root of each step, for :math:`t = 1..T`, along the gradients ``grads``.

    Adam: :math:`\hat v_t = v_t/(1-\beta_2^t)`; AMSGrad (torch's form):
    :math:`\max_{i \le t} v_i / (1-\beta_2^t)`. Without bias correction, the raw :math:`v_t`.
    :math:`V_t` depends on the gradients alone, not on the points, so ``grads`` (shape ``(T,)`` or
    ``(T, d)``) is all it needs. Returns an array of the shape of ``grads``.
    """
    grads = np.asarray(grads, dtype=np.float64)
    if not isinstance(optimizer, Adam | AMSGrad):
        raise TypeError(f"second_moments: 'optimizer' must be Adam or AMSGrad. Got {type(optimizer).__name__} instead.")
    theta = np.zeros(grads.shape[1:])
    state = optimizer.init(theta)
    out = np.empty_like(grads)
    for i, g in enumerate(grads):
        _, state = optimizer.step(theta, g, state)
        raw = state.v_max if isinstance(optimizer, AMSGrad) else state.v
        corrected = getattr(optimizer, "bias_correction", True)
        out[i] = raw / (1 - optimizer.beta2**state.t) if corrected else raw
    return out
