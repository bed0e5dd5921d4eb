r"""Exercise 3: one step of RMSProp (Tieleman & Hinton, 2012), in the form of ``adam_edu.optim.RMSProp``.

Contract::

    rmsprop_step(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8) -> (theta, v)

with :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2` and
:math:`\theta_t = \theta_{t-1} - \alpha\, g_t / (\sqrt{v_t} + \epsilon)`: no bias correction, eps outside the
square root (torch.optim.RMSprop calls ``beta2`` ``alpha``). No input is changed; the dtype is kept.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._harness import student_facing
from ._steps import StepContract, check_step, knob

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's


def _rmsprop(theta, g, v, lr, beta2, eps):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def variant(eps_at="outside", square="g2", root=True, step_with="new", weights="right", sign="down"):
    """The RMSProp step with some parts changed (the defaults give the contract's reference).

    ``eps_at``: ``outside`` | ``inside`` (sqrt(v + eps)) | ``theta`` (added to the parameters); ``square``:
    ``g2`` | ``abs``; ``root``: divide by sqrt(v) or by v; ``step_with``: ``new`` | ``old`` v; ``weights``:
    ``right`` | ``swapped`` | ``no_one_minus`` | ``adagrad`` (v + g**2); ``sign``: ``down`` | ``up``.
    """

    def step(theta, g, v, lr, beta2, eps):
        new_term = g**2 if square == "g2" else np.abs(g)
        new = {
            "right": beta2 * v + (1 - beta2) * new_term,
            "swapped": (1 - beta2) * v + beta2 * new_term,
            "no_one_minus": beta2 * v + new_term,
            "adagrad": v + new_term,
        }[weights]
        used = new if step_with == "new" else v
        size = np.sqrt(used) if root else used
        if eps_at == "inside":
            denominator = np.sqrt(used + eps) if root else used + eps
        elif eps_at == "theta":
            denominator = size
        else:
            denominator = size + eps
        change = lr * g / denominator
        theta = theta + change if sign == "up" else theta - change
        return (theta + eps if eps_at == "theta" else theta), new

    return step


MISTAKES = (
    knob(
        variant,
        "eps is inside the square root, g / np.sqrt(v + eps): that is the convention of TensorFlow 1's "
        "RMSPropOptimizer and of Keras's RMSprop (keras.optimizers.RMSprop), not this contract's. The contract "
        "follows torch.optim.RMSprop: eps outside the square root, g / (np.sqrt(v) + eps).",
        convention=True,
        eps_at="inside",
    ),
    knob(variant, "v must average the squared gradient g**2, not |g|.", square="abs"),
    knob(variant, "divide by the square root of v (the root mean square), not by v itself.", root=False),
    knob(
        variant,
        "the step uses the old v: first update v = beta2 * v + (1 - beta2) * g**2, then divide by its root.",
        step_with="old",
    ),
    knob(
        variant,
        "the weights are swapped: the old average keeps the weight beta2, the new g**2 gets (1 - beta2).",
        weights="swapped",
    ),
    knob(
        variant,
        "v accumulates g**2 forever, as in AdaGrad. RMSProp forgets: v = beta2 * v + (1 - beta2) * g**2.",
        weights="adagrad",
    ),
    knob(
        variant,
        "the new g**2 must be weighted by (1 - beta2): v = beta2 * v + (1 - beta2) * g**2.",
        weights="no_one_minus",
    ),
    knob(variant, "the step goes uphill: subtract lr * g / (np.sqrt(v) + eps) from theta.", sign="up"),
    knob(
        variant,
        "eps is added to the parameters; it belongs in the denominator: g / (np.sqrt(v) + eps).",
        eps_at="theta",
    ),
)

OUTPUT_HINTS = {
    "theta": "v is right, so look at the step: theta - lr * g / (np.sqrt(v) + eps), with the new v.",
    "v": "the new v is beta2 * v + (1 - beta2) * g**2 (no bias correction in RMSProp).",
}

RMSPROP = StepContract(
    name="rmsprop_step",
    checker="check_rmsprop_step",
    state=("v",),
    uses_t=False,
    defaults={"lr": 0.01, "beta2": 0.99, "eps": 1e-8},
    settings=(
        {"lr": 0.001, "beta2": 0.9, "eps": 1e-6},
        {"lr": 0.1, "beta2": 0.999, "eps": 0.0},
        {"lr": 0.03, "beta2": 0.5, "eps": 1e-8},
    ),
    reference=_rmsprop,
    mistakes=MISTAKES,
    output_hints=OUTPUT_HINTS,
    variant=variant,
)


@student_facing
def check_rmsprop_step(fn: Any, seed: int = 0) -> None:
    """Check one RMSProp update, ``fn(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8) -> (theta, v)``.

    Raises AssertionError with the failing case and a hint; prints one line when every case passes.
    """
    check_step(fn, dataclasses.replace(RMSPROP, name=getattr(fn, "__name__", RMSPROP.name)), seed=seed)
