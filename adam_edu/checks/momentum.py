r"""Exercise 2: one step of gradient descent with heavy-ball momentum, in torch.optim.SGD's form.

Contract::

    momentum_step(theta, g, velocity, lr=0.01, momentum=0.9) -> (theta, velocity)

with :math:`b_t = \mu b_{t-1} + g_t` and :math:`\theta_t = \theta_{t-1} - \alpha b_t` (``velocity`` is
torch's ``momentum_buffer``, :math:`b_0 = 0`). No input is changed; the outputs keep the inputs' dtype.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ._harness import student_facing
from ._steps import Mistake, StepContract, check_step, knob

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's


def _momentum(theta, g, velocity, lr, momentum):
    velocity = momentum * velocity + g
    return theta - lr * velocity, velocity


def variant(form="torch", step_with="new", sign="down", swapped=False):
    """The momentum step with some parts changed (the defaults give the contract's reference).

    ``form``: how the velocity is kept: ``torch`` (mu v + g), ``dampened`` (mu v + (1 - mu) g), ``sutskever``
    (mu v - lr g, theta + v), ``lr_inside`` (mu v + lr g, theta - v), ``lr_twice`` (mu v + lr g, theta - lr v),
    ``nesterov`` (torch's nesterov=True: theta - lr (g + mu v)); ``step_with``: ``new`` | ``old`` velocity |
    ``gradient`` (plain gradient descent); ``sign``: ``down`` | ``up``; ``swapped``: lr and momentum swapped.
    """

    def step(theta, g, velocity, lr, momentum):
        lr, mu = (momentum, lr) if swapped else (lr, momentum)
        new = {
            "torch": mu * velocity + g,
            "dampened": mu * velocity + (1 - mu) * g,
            "sutskever": mu * velocity - lr * g,
            "lr_inside": mu * velocity + lr * g,
            "lr_twice": mu * velocity + lr * g,
            "nesterov": mu * velocity + g,
        }[form]
        used = {"new": new, "old": velocity, "gradient": g}[step_with]
        if step_with == "gradient":
            change = lr * g
        elif form == "sutskever":
            change = -used
        elif form == "lr_inside":
            change = used
        elif form == "nesterov":
            change = lr * (g + mu * used)
        else:
            change = lr * used
        return (theta + change if sign == "up" else theta - change), new

    return step


MISTAKES = (
    knob(
        variant,
        "this is the dampened form velocity = momentum * velocity + (1 - momentum) * g, the convention of "
        "deeplearning.ai's course (torch.optim.SGD(dampening=momentum) uses this rule from the second step on, "
        "but its first buffer is g). The "
        "contract follows torch.optim.SGD's default, dampening=0: velocity = momentum * velocity + g, with no "
        "factor (1 - momentum).",
        convention=True,
        form="dampened",
    ),
    knob(
        variant,
        "the step uses the old velocity: first update velocity = momentum * velocity + g, then step with the new "
        "one, theta - lr * velocity.",
        step_with="old",
    ),
    knob(
        variant,
        "this is Nesterov's step, the convention of torch.optim.SGD(nesterov=True): theta - lr * (g + momentum * "
        "velocity). Heavy-ball momentum (this contract, nesterov=False) steps with the velocity itself: "
        "theta - lr * velocity.",
        convention=True,
        form="nesterov",
    ),
    knob(
        variant,
        "you keep the velocity in Sutskever et al.'s form v = momentum * v - lr * g, theta + v, the convention of "
        "Keras's SGD (keras.optimizers.SGD) and of CS231n. The contract's velocity is torch's momentum buffer, "
        "velocity = momentum * velocity + g, and the step is theta - lr * velocity.",
        convention=True,
        form="sutskever",
    ),
    knob(
        variant,
        "lr is folded into the velocity, velocity = momentum * velocity + lr * g, then theta - velocity: the "
        "convention of Sutskever et al. (as torch's documentation notes) and of Caffe. In the contract the velocity "
        "is momentum * velocity + g (no lr), and lr multiplies it in the step.",
        convention=True,
        form="lr_inside",
    ),
    knob(
        variant,
        "lr is used twice: once in the velocity (momentum * velocity + lr * g) and again in the step "
        "(theta - lr * velocity). Keep lr out of the velocity: velocity = momentum * velocity + g.",
        form="lr_twice",
    ),
    knob(variant, "the step goes uphill: subtract lr * velocity from theta.", sign="up"),
    knob(
        variant,
        "theta moves by plain gradient descent (lr * g); with momentum it moves by lr * velocity.",
        step_with="gradient",
    ),
    knob(variant, "lr and momentum are swapped.", swapped=True),
)
MISTAKES = (
    *MISTAKES,
    Mistake(
        "this is neither heavy ball nor Nesterov's step: momentum multiplies the velocity, not the gradient. "
        "torch.optim.SGD(nesterov=True) steps by lr * (g + momentum * velocity) and this contract (heavy ball) "
        "by lr * velocity, both with the new velocity = momentum * velocity + g.",
        lambda theta, g, velocity, lr, momentum: (
            theta - lr * ((momentum * velocity + g) + momentum * g),
            momentum * velocity + g,
        ),
    ),
)

OUTPUT_HINTS = {
    "theta": "the velocity is right, so look at the step: theta - lr * velocity, with the new velocity.",
    "velocity": "the new velocity is momentum * velocity + g (torch.optim.SGD's momentum buffer).",
}

MOMENTUM = StepContract(
    name="momentum_step",
    checker="check_momentum_step",
    state=("velocity",),
    uses_t=False,
    defaults={"lr": 0.01, "momentum": 0.9},
    settings=(
        {"lr": 0.1, "momentum": 0.5},
        {"lr": 0.001, "momentum": 0.99},
        {"lr": 0.05, "momentum": 0.0},
    ),
    reference=_momentum,
    mistakes=MISTAKES,
    output_hints=OUTPUT_HINTS,
    variant=variant,
    regime_hints={
        "spiky": "In this case the gradient sizes jump from step to step: check how the velocity "
        "carries over from one step to the next."
    },
)


@student_facing
def check_momentum_step(fn: Any, seed: int = 0) -> None:
    """Check one heavy-ball momentum update, ``fn(theta, g, velocity, lr=0.01, momentum=0.9)``.

    Must return ``(theta, velocity)`` as torch.optim.SGD(momentum=...) computes them. Raises
    AssertionError with the failing case and a hint; prints one line when every case passes.
    """
    check_step(fn, dataclasses.replace(MOMENTUM, name=getattr(fn, "__name__", MOMENTUM.name)), seed=seed)
