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

from ._adam_family import core_mistakes, variant
from ._harness import student_facing
from ._steps import StepContract, check_step, knob

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's


def _amsgrad(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.maximum(v_max, v)
    m_hat = m / (1 - beta1**t)
    v_hat = v_max / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, v_max


_build = variant("amsgrad")

MISTAKES = (
    knob(
        _build,
        "the step divides by the current v, as plain Adam does. AMSGrad divides by the largest v so far: "
        "v_hat = v_max / (1 - beta2**t).",
        denominator="v",
    ),
    knob(
        _build,
        "you take the maximum over the bias-corrected v_hat, optax's convention (optax.amsgrad). This contract "
        "follows torch.optim.Adam(amsgrad=True): v_max = max(v_max, v) over the raw v, then the correction "
        "v_max / (1 - beta2**t).",
        convention=True,
        max_of="v_hat",
    ),
    knob(
        _build,
        "v is computed from v_max. The moving average continues from the previous v: "
        "v = beta2 * v + (1 - beta2) * g**2; only the denominator uses v_max.",
        v_from="v_max",
    ),
    knob(_build, "v_max is the largest v so far, max(v_max, v), not the largest g**2.", max_of="g2"),
    knob(_build, "AMSGrad keeps the maximum (np.maximum), not the minimum.", max_fn="minimum"),
    knob(_build, "return the new v_max = max(v_max, v), not the old one.", max_returned="old"),
    knob(
        _build,
        "v_max is updated with the old v: first compute the new v, then v_max = max(v_max, v).",
        max_of="old_v",
    ),
)
CONVENTION_NO_CORRECTION = knob(
    _build,
    "your step has no bias correction, as in Reddi et al.'s Algorithm 2 (the paper's convention: "
    "x - alpha_t * m / sqrt(v_hat)). This contract follows torch.optim.Adam(amsgrad=True), which corrects: "
    "divide m by (1 - beta1**t) and v_max by (1 - beta2**t).",
    convention=True,
    correct="none",
)
MISTAKES = (
    CONVENTION_NO_CORRECTION,
    *(m for m in core_mistakes("amsgrad") if ("correct", "none") not in m.knobs),
    *MISTAKES,
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
    variant=_build,
)


@student_facing
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


@student_facing
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
