r"""Exercise 6: one step of AMSGrad (Reddi, Kale & Kumar, 2018), in the form of ``torch.optim.Adam(amsgrad=True)``.

Contract::

    amsgrad_step(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8) -> (theta, m, v, v_max)

Adam's moments ``m`` and ``v`` as usual, ``v_max = max(v_max, v)`` over the raw ``v`` (elementwise), and the
step :math:`\alpha\, \hat m_t / (\sqrt{v^{\max}_t / (1-\beta_2^t)} + \epsilon)`. ``t`` is 1-based; no input
is changed; the dtype is kept.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._steps import Mistake, StepContract, check_step


def _amsgrad(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.maximum(v_max, v)
    m_hat = m / (1 - beta1**t)
    v_hat = v_max / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, v_max


def _step(theta, m, denominator_v, t, lr, beta1, beta2, eps, correct=True, eps_inside=False):
    c1, c2 = ((1 - beta1**t), (1 - beta2**t)) if correct else (1.0, 1.0)
    v_hat = denominator_v / c2
    denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return theta - lr * (m / c1) / denominator


def _moments(g, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g**2


def _adam(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return _step(theta, m, v, t, lr, beta1, beta2, eps), m, v, v_max


def _max_of_corrected(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v / (1 - beta2**t))
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max) + eps), m, v, v_max


def _v_from_max(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m, v = _moments(g, m, v_max, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return _step(theta, m, v_max, t, lr, beta1, beta2, eps), m, v, v_max


def _max_with_g2(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, g**2)
    return _step(theta, m, v_max, t, lr, beta1, beta2, eps), m, v, v_max


def _minimum(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.minimum(v_max, v)
    return _step(theta, m, v_max, t, lr, beta1, beta2, eps), m, v, v_max


def _old_max_returned(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m, v = _moments(g, m, v, beta1, beta2)
    new_max = np.maximum(v_max, v)
    return _step(theta, m, new_max, t, lr, beta1, beta2, eps), m, v, v_max


def _no_correction(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return _step(theta, m, v_max, t, lr, beta1, beta2, eps, correct=False), m, v, v_max


def _eps_inside(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return _step(theta, m, v_max, t, lr, beta1, beta2, eps, eps_inside=True), m, v, v_max


def _max_before_update(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m, new_v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return _step(theta, m, v_max, t, lr, beta1, beta2, eps), m, new_v, v_max


def _uphill(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    new, m, v, v_max = _amsgrad(theta, g, m, v, v_max, t, lr, beta1, beta2, eps)
    return 2 * theta - new, m, v, v_max


def _t_minus_one(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    return _amsgrad(theta, g, m, v, v_max, t - 1, lr, beta1, beta2, eps)


MISTAKES = (
    Mistake(
        "the step divides by the current v, which makes this plain Adam. AMSGrad divides by the largest v so far: "
        "v_hat = v_max / (1 - beta2**t).",
        _adam,
    ),
    Mistake(
        "you take the maximum over the bias-corrected v_hat (as optax does). This contract follows torch: "
        "v_max = max(v_max, v) over the raw v, then the correction v_max / (1 - beta2**t).",
        _max_of_corrected,
    ),
    Mistake(
        "v is computed from v_max. The moving average continues from the previous v: "
        "v = beta2 * v + (1 - beta2) * g**2; only the denominator uses v_max.",
        _v_from_max,
    ),
    Mistake("v_max is the largest v so far, max(v_max, v), not the largest g**2.", _max_with_g2),
    Mistake("AMSGrad keeps the maximum (np.maximum), not the minimum.", _minimum),
    Mistake("return the new v_max = max(v_max, v), not the old one.", _old_max_returned),
    Mistake(
        "the step is not bias-corrected: divide m by (1 - beta1**t) and v_max by (1 - beta2**t).",
        _no_correction,
    ),
    Mistake("eps belongs outside the square root: m_hat / (np.sqrt(v_hat) + eps).", _eps_inside),
    Mistake(
        "v_max is updated with the old v: first compute the new v, then v_max = max(v_max, v).",
        _max_before_update,
    ),
    Mistake("the step goes uphill: subtract lr * m_hat / (np.sqrt(v_hat) + eps) from theta.", _uphill),
    Mistake(
        "your bias correction uses t - 1 in place of t: t is 1 on the first call, which divides by 1 - beta**1.",
        _t_minus_one,
    ),
)

OUTPUT_HINTS = {
    "theta": "m, v and v_max are right, so look at the step: lr * m_hat / (np.sqrt(v_max / (1 - beta2**t)) + eps), "
    "with m_hat = m / (1 - beta1**t).",
    "m": "the new first moment is m = beta1 * m + (1 - beta1) * g; return this raw m.",
    "v": "the new second moment is v = beta2 * v + (1 - beta2) * g**2, continued from the previous v; return it raw.",
    "v_max": "the new v_max is np.maximum(v_max, v), elementwise, with the new raw v.",
}

AMSGRAD = StepContract(
    name="amsgrad_step",
    checker="check_amsgrad_step",
    state=("m", "v", "v_max"),
    uses_t=True,
    defaults={"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    settings=(
        {"lr": 0.01, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6},
        {"lr": 0.1, "beta1": 0.0, "beta2": 0.99, "eps": 1e-8},
        {"lr": 0.003, "beta1": 0.95, "beta2": 0.9, "eps": 1e-7},
        {"lr": 0.05, "beta1": 0.8, "beta2": 0.999, "eps": 0.0},
    ),
    reference=_amsgrad,
    mistakes=MISTAKES,
    output_hints=OUTPUT_HINTS,
)


def check_amsgrad_step(fn: Any, seed: int = 0) -> None:
    """Check one AMSGrad update in torch's form.

    ``fn(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)`` must return
    ``(theta, m, v, v_max)``. Raises AssertionError with the failing case and a hint; prints one line
    when every case passes.
    """
    check_step(fn, dataclasses.replace(AMSGRAD, name=getattr(fn, "__name__", AMSGRAD.name)), seed=seed)


def _amsgrad_points(problem, steps, lr, beta1, beta2, eps, clip=True, grad_offset=0):
    """The points x_0..x_T that projected AMSGrad plays on ``problem`` (reference and known mistakes)."""
    x, m, v, v_max = (np.zeros(1) for _ in range(4))
    points = [0.0]
    for t in range(1, steps + 1):
        g = np.array([problem.grad(t + grad_offset)])
        x, m, v, v_max = _amsgrad(x, g, m, v, v_max, t, lr, beta1, beta2, eps)
        if clip:
            x = np.clip(x, problem.lower, problem.upper)
        points.append(float(x[0]))
    return np.array(points)


def check_reddi_run(fn: Any) -> None:
    """Check ``fn(problem, steps, lr=0.01, beta1=0.0, beta2=0.1)``: the points AMSGrad plays on Reddi's problem.

    It must return the ``steps + 1`` points :math:`x_0 = 0, x_1, \\dots, x_T`, each step using
    ``problem.grad(t)`` for ``t = 1..T`` and then clipping ``x`` back into ``[problem.lower, problem.upper]``.
    """
    from ..online import ReddiProblem
    from ._harness import call, fail, fmt, require_callable

    require_callable("check_reddi_run", fn, "check_reddi_run(run_amsgrad_on_reddi)")
    name = getattr(fn, "__name__", "run_amsgrad_on_reddi")
    cases = (
        (ReddiProblem(C=3.0), 1000, {}),
        (ReddiProblem(C=3.0), 50, {"lr": 0.1, "beta1": 0.5, "beta2": 0.9}),
        (ReddiProblem(C=2.5), 200, {"lr": 0.05, "beta1": 0.0, "beta2": 0.1}),
    )
    for problem, steps, kwargs in cases:
        hyper = {"lr": 0.01, "beta1": 0.0, "beta2": 0.1, **kwargs}
        case = f"ReddiProblem(C={problem.C:g}), {steps} steps, " + ", ".join(f"{k}={v:g}" for k, v in hyper.items())
        got = call(fn, (problem, steps), kwargs, case)
        try:
            got = np.asarray(got, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            fail(f"{name} should return an array of points; it returned {type(got).__name__}.", case, "", "")
        if got.shape != (steps + 1,):
            fail(
                f"{name} returned {got.size} points; it should return steps + 1 = {steps + 1}.",
                case,
                "",
                "start the list with x_0 = 0.0 and append x after every step.",
            )
        expected = _amsgrad_points(problem, steps, eps=1e-8, **hyper)
        bad = ~(np.abs(got - expected) <= 1e-9)
        if bad.any():
            k = int(np.argmax(bad))
            hint = "each step: g = problem.grad(t) for t = 1, 2, ..., then amsgrad_step, then np.clip into [-1, 1]."
            if np.allclose(got, _amsgrad_points(problem, steps, eps=1e-8, clip=False, **hyper), atol=1e-9):
                hint = "x must stay in the feasible set F = [-1, 1]: clip it after every step."
            elif np.allclose(got, _amsgrad_points(problem, steps, eps=1e-8, grad_offset=-1, **hyper), atol=1e-9):
                hint = "the gradients are shifted by one step: the first step (t = 1) uses problem.grad(1)."
            fail(
                f"{name} returned wrong points.",
                case,
                f"First difference at x_{k}: expected {fmt(expected[k])}, got {fmt(got[k])}.",
                hint,
            )
    print(f"{name} is correct: {len(cases)} runs on Reddi et al.'s problem match projected AMSGrad.")
