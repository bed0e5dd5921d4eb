"""Performance code: 2D trajectories in plain Python floats, for the playground's sliders.

:func:`adam_edu.trajectories.run` drives the teaching optimizers, whose every step builds small numpy
arrays and checks its arguments: about 10 µs a step, so a race of 5 optimizers x 300 steps takes
~15 ms. For two coordinates, plain floats are ~10 times faster. This module repeats each optimizer's
update rule (the same formulas, in the same order, as its ``step`` in :mod:`adam_edu.optim`) and each
test function's gradient in scalar form.

The two paths agree to rounding, not bit for bit: :func:`~adam_edu.trajectories.run` computes the quadratics'
gradient with a BLAS matrix product, whose kernels (fused multiply-adds or not) depend on the CPU, and powers
with numpy's own ``pow``; here they are Python float operations. Each gradient may differ in its last bit, and a
chaotic or diverging run amplifies that. ``tests/test_widgets_fastpath.py`` checks that :func:`fast_run` agrees
with :func:`~adam_edu.trajectories.run` for every optimizer and function to a relative 1e-9, over the steps that
a one-ulp nudge of every gradient moves ``run`` by less than 1e-12 (all steps of a well-behaved run).

Anything this module does not know (another optimizer class, another objective, gradient noise, an
overflow or a division by zero) falls back to :func:`~adam_edu.trajectories.run`, so the answer is
always the reference one, only sometimes slower. Read the optimizers in :mod:`adam_edu.optim`, not here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..functions import Objective
from ..optim import SGD, AdaGrad, Adam, AdaMax, AdamW, AMSGrad, Momentum, NAdam, Nesterov, Optimizer, RAdam, RMSProp
from ..optim.radam import rectification, rho
from ..trajectories import Trajectory, run

Gradient = Callable[[float, float], tuple[float, float]]
# A stepper updates the two coordinates in place at step t (1-based) from the gradient (gx, gy).
Stepper = Callable[[int, list, float, float], None]


# ------------------------------------------------------------------------------------------ gradients
def _rosenbrock(x, y):
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


_CUBE = np.empty(())


def _cube(y: float) -> float:
    """``y**3`` as numpy's ``power`` ufunc computes it for the 0-d arrays of :mod:`adam_edu.functions`.

    Python's ``y**3`` calls the C library's ``pow``; numpy may use its own SIMD ``pow``, and the two can
    differ in the last bit. A chaotic run (Beale's function at a large step) amplifies one bit into
    visible differences, so the fast path asks numpy, which removes this one source of difference from
    ``run`` (others remain: see the module's docstring).
    """
    _CUBE[()] = y
    return float(_CUBE**3)


def _beale(x, y):
    powers = (y, y * y, _cube(y))  # y**1 and y**2 are exact in both numpy and Python
    dx = dy = 0.0
    for c, k in ((1.5, 1), (2.25, 2), (2.625, 3)):
        inner = c - x + x * powers[k - 1]
        dx += 2 * inner * (powers[k - 1] - 1)
        dy += 2 * inner * (k * x * (powers[k - 2] if k > 1 else 1.0))
    return dx, dy


def _saddle(x, y):
    return 2 * x, -2 * y


def _himmelblau(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def _quadratic(objective: Objective) -> Gradient:
    (h00, h01), (h10, h11) = objective.grad(np.eye(2)).tolist()  # the gradient is linear: rows of H
    # objective.grad is a BLAS product, which may fuse each multiply-add (one rounding instead of two), so
    # these sums can differ from it in the last bit.

    def grad(x, y):
        return x * h00 + y * h10, x * h01 + y * h11

    return grad


_GRADIENTS: dict[str, Gradient] = {
    "rosenbrock": _rosenbrock,
    "beale": _beale,
    "saddle": _saddle,
    "himmelblau": _himmelblau,
}


def scalar_gradient(objective: Objective) -> Gradient | None:
    """The objective's gradient as ``(x, y) -> (gx, gy)`` on floats, or None for an unknown objective."""
    if objective.name in ("quadratic", "rotated_quadratic"):
        return _quadratic(objective)
    return _GRADIENTS.get(objective.name)


# ------------------------------------------------------------------------------------------ steppers
def _nanmax(a: float, b: float) -> float:
    """``np.maximum`` on floats: NaN wins."""
    return a if a != a or a >= b else b


def _sgd(opt: SGD) -> Stepper:
    lr = opt.lr

    def step(t, theta, *g):
        for i in 0, 1:
            theta[i] = theta[i] - lr * g[i]

    return step


def _momentum(opt: Momentum | Nesterov) -> Stepper:
    lr, mu, nesterov = opt.lr, opt.momentum, isinstance(opt, Nesterov)
    velocity = [0.0, 0.0]

    def step(t, theta, *g):
        for i in 0, 1:
            velocity[i] = mu * velocity[i] + g[i]
            theta[i] = theta[i] - lr * ((g[i] + mu * velocity[i]) if nesterov else velocity[i])

    return step


def _adagrad(opt: AdaGrad) -> Stepper:
    lr, eps = opt.lr, opt.eps
    sum_sq = [0.0, 0.0]

    def step(t, theta, *g):
        for i in 0, 1:
            sum_sq[i] = sum_sq[i] + g[i] * g[i]
            theta[i] = theta[i] - lr * g[i] / (math.sqrt(sum_sq[i]) + eps)

    return step


def _rmsprop(opt: RMSProp) -> Stepper:
    lr, beta2, eps = opt.lr, opt.beta2, opt.eps
    v = [0.0, 0.0]

    def step(t, theta, *g):
        for i in 0, 1:
            v[i] = beta2 * v[i] + (1 - beta2) * (g[i] * g[i])
            theta[i] = theta[i] - lr * g[i] / (math.sqrt(v[i]) + eps)

    return step


def _adam_like(opt: Adam | AMSGrad | AdamW | RAdam) -> Stepper:
    lr, beta1, beta2, eps, wd = opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay
    correct = getattr(opt, "bias_correction", True)
    amsgrad, decoupled, radam = isinstance(opt, AMSGrad), isinstance(opt, AdamW), isinstance(opt, RAdam)
    m, v, v_max = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]

    def step(t, theta, *grad):
        for i in 0, 1:
            g = grad[i]
            if decoupled:
                theta[i] = theta[i] * (1 - lr * wd)
            elif wd:
                g = g + wd * theta[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * (g * g)
            if radam:
                m_hat = m[i] / (1 - beta1**t)
                if rho(t, beta2) > 5:
                    adaptive = math.sqrt(1 - beta2**t) / (math.sqrt(v[i]) + eps)
                    theta[i] = theta[i] - lr * rectification(t, beta2) * m_hat * adaptive
                else:
                    theta[i] = theta[i] - lr * m_hat
                continue
            second = v[i]
            if amsgrad:
                v_max[i] = _nanmax(v_max[i], v[i])
                second = v_max[i]
            if correct:
                m_hat, v_hat = m[i] / (1 - beta1**t), second / (1 - beta2**t)
            else:
                m_hat, v_hat = m[i], second
            theta[i] = theta[i] - lr * m_hat / (math.sqrt(v_hat) + eps)

    return step


def _adamax(opt: AdaMax) -> Stepper:
    lr, beta1, beta2, wd = opt.lr, opt.beta1, opt.beta2, opt.weight_decay
    m, u = [0.0, 0.0], [0.0, 0.0]

    def step(t, theta, *grad):
        for i in 0, 1:
            g = grad[i] + wd * theta[i] if wd else grad[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            u[i] = _nanmax(beta2 * u[i], abs(g))
            m_over_u = m[i] / u[i] if u[i] > 0 else 0.0
            theta[i] = theta[i] - (lr / (1 - beta1**t)) * m_over_u

    return step


def _nadam(opt: NAdam) -> Stepper:
    lr, beta1, beta2, eps, wd, psi = opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay, opt.momentum_decay
    m, v = [0.0, 0.0], [0.0, 0.0]
    mu_product = [1.0]

    def mu_at(t):
        return beta1 * (1 - 0.5 * 0.96 ** (t * psi))

    def step(t, theta, *grad):
        mu, mu_next = mu_at(t), mu_at(t + 1)
        mu_product[0] = mu_product[0] * mu
        product = mu_product[0]
        for i in 0, 1:
            g = grad[i] + wd * theta[i] if wd else grad[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * (g * g)
            m_hat = mu_next * m[i] / (1 - product * mu_next) + (1 - mu) * g / (1 - product)
            v_hat = v[i] / (1 - beta2**t)
            theta[i] = theta[i] - lr * m_hat / (math.sqrt(v_hat) + eps)

    return step


_STEPPERS: dict[type, Callable[[Optimizer], Stepper]] = {
    SGD: _sgd,
    Momentum: _momentum,
    Nesterov: _momentum,
    AdaGrad: _adagrad,
    RMSProp: _rmsprop,
    Adam: _adam_like,
    AMSGrad: _adam_like,
    AdamW: _adam_like,
    RAdam: _adam_like,
    AdaMax: _adamax,
    NAdam: _nadam,
}


def supported(optimizer: Optimizer, objective: Objective) -> bool:
    """True when :func:`fast_run` has a scalar path for this pair (exact class match)."""
    return type(optimizer) in _STEPPERS and scalar_gradient(objective) is not None


# ------------------------------------------------------------------------------------------ runs
def fast_run(
    optimizer: Optimizer,
    objective: Objective,
    start: Sequence[float] | None = None,
    steps: int = 100,
    label: str | None = None,
) -> Trajectory:
    """:func:`adam_edu.trajectories.run` without gradient noise, on plain floats where possible."""
    grad = scalar_gradient(objective)
    if type(optimizer) not in _STEPPERS or grad is None or isinstance(steps, bool) or not isinstance(steps, int):
        return run(optimizer, objective, start=start, steps=steps, label=label)
    theta = [float(c) for c in (objective.start if start is None else start)]
    if len(theta) != 2:
        return run(optimizer, objective, start=start, steps=steps, label=label)
    step = _STEPPERS[type(optimizer)](optimizer)
    xs, ys = [theta[0]], [theta[1]]
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # as in run(): a diverging run overflows quietly
            for t in range(1, steps + 1):
                step(t, theta, *grad(theta[0], theta[1]))
                xs.append(theta[0])
                ys.append(theta[1])
    except (ArithmeticError, ValueError):  # x/0, a float ** that overflows: let numpy do it, as run() would
        return run(optimizer, objective, start=start, steps=steps, label=label)
    points = np.column_stack([xs, ys])
    with np.errstate(over="ignore", invalid="ignore"):
        losses = objective.value(points)
    return Trajectory(label=label or repr(optimizer), points=points, losses=losses)


def fast_race(
    optimizers: Mapping[str, Optimizer],
    objective: Objective,
    start: Sequence[float] | None = None,
    steps: int = 100,
) -> dict[str, Trajectory]:
    """:func:`adam_edu.trajectories.race` without noise, through :func:`fast_run`."""
    return {label: fast_run(opt, objective, start=start, steps=steps, label=label) for label, opt in optimizers.items()}
