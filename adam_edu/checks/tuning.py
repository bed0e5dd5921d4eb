"""Exercise 8: tune Adam to reach a target loss within a step budget, graded on the result.

Contract: ``fn()`` returns a dict of keyword arguments for :class:`adam_edu.optim.Adam` (any of ``lr``,
``beta1``, ``beta2``, ``eps``). The checker runs that Adam from the function's default start for the
budget of steps, without noise, and compares the final loss with the target.
"""

from __future__ import annotations

import math
from typing import Any

from ._harness import call, fail, fmt, quiet, require_callable, student_facing

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's

TASKS = {
    # function name: (steps, target loss)
    "rosenbrock": (500, 1e-3),
    "beale": (200, 1e-4),
}
ALLOWED = ("lr", "beta1", "beta2", "eps")


@student_facing
def check_tuning(fn: Any, function: str = "rosenbrock") -> None:
    """Check that ``Adam(**fn())`` reaches the target loss on ``function`` within its step budget (see TASKS)."""
    from ..functions import get_function
    from ..optim import Adam
    from ..trajectories import run

    require_callable("check_tuning", fn, "check_tuning(rosenbrock_hyperparameters, 'rosenbrock')")
    if function not in TASKS:
        raise ValueError(f"Unknown tuning task {function!r}. Choose one of: {', '.join(TASKS)}.")
    name = getattr(fn, "__name__", "hyperparameters")
    steps, target = TASKS[function]
    objective = get_function(function)
    case = f"Adam on {function} from {objective.start}, {steps} steps, target f <= {target:g}."
    hyper = call(fn, (), {}, case)
    if not isinstance(hyper, dict):
        fail(
            f"{name}() returned {type(hyper).__name__}; it should return a dict such as {{'lr': 0.01}}.",
            case,
            "",
            "",
        )
    unknown = sorted(set(hyper) - set(ALLOWED))
    if unknown:
        fail(
            f"{name}() returned unknown hyperparameters {unknown}.",
            case,
            "",
            f"use only {', '.join(ALLOWED)} (the keywords of adam_edu.optim.Adam).",
        )
    try:
        optimizer = Adam(**hyper)
    except (TypeError, ValueError) as exc:
        fail(f"Adam does not accept {name}()'s values: {exc}", case, "", "")
    with quiet():
        final = run(optimizer, objective, steps=steps).final_loss
    if not final <= target:
        if not math.isfinite(final):
            hint = "the run diverged (the loss overflowed): lower lr."
        elif final > 1.0:
            hint = (
                "the run is far from the minimum. The default lr=0.001 moves only about 0.5 in 500 steps; "
                "try lr from 0.01 to 0.5, and a smaller beta2 (0.9 to 0.99) so the step size adapts faster."
            )
        else:
            hint = (
                "close, but not there yet. Near the minimum Adam tends to oscillate: try changing beta1 "
                "(more or less momentum) and beta2 together with lr."
            )
        fail(
            f"Adam({', '.join(f'{k}={v!r}' for k, v in hyper.items())}) ends at f = {fmt(final)}, above the "
            f"target {target:g}.",
            case,
            "",
            hint,
        )
    print(f"{name} reaches the target on {function}: f <= {target:g} after {steps} steps.")
