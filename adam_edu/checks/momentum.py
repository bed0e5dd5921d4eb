r"""Exercise 2: one step of gradient descent with heavy-ball momentum, in torch.optim.SGD's form.

Contract::

    momentum_step(theta, g, velocity, lr=0.01, momentum=0.9) -> (theta, velocity)

with :math:`b_t = \mu b_{t-1} + g_t` and :math:`\theta_t = \theta_{t-1} - \alpha b_t` (``velocity`` is
torch's ``momentum_buffer``, :math:`b_0 = 0`). No input is changed; the outputs keep the inputs' dtype.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ._steps import Mistake, StepContract, check_step


def _momentum(theta, g, velocity, lr, momentum):
    velocity = momentum * velocity + g
    return theta - lr * velocity, velocity


def _dampened(theta, g, velocity, lr, momentum):
    velocity = momentum * velocity + (1 - momentum) * g
    return theta - lr * velocity, velocity


def _old_velocity(theta, g, velocity, lr, momentum):
    return theta - lr * velocity, momentum * velocity + g


def _nesterov(theta, g, velocity, lr, momentum):
    velocity = momentum * velocity + g
    return theta - lr * (g + momentum * velocity), velocity


def _sutskever(theta, g, velocity, lr, momentum):
    velocity = momentum * velocity - lr * g
    return theta + velocity, velocity


def _lr_inside(theta, g, velocity, lr, momentum):
    velocity = momentum * velocity + lr * g
    return theta - velocity, velocity


def _uphill(theta, g, velocity, lr, momentum):
    velocity = momentum * velocity + g
    return theta + lr * velocity, velocity


def _plain_gd(theta, g, velocity, lr, momentum):
    return theta - lr * g, momentum * velocity + g


def _swapped(theta, g, velocity, lr, momentum):
    velocity = lr * velocity + g
    return theta - momentum * velocity, velocity


MISTAKES = (
    Mistake(
        "this is the dampened form velocity = momentum * velocity + (1 - momentum) * g. The contract follows "
        "torch.optim.SGD: velocity = momentum * velocity + g, with no factor (1 - momentum).",
        _dampened,
    ),
    Mistake(
        "the step uses the old velocity: first update velocity = momentum * velocity + g, then step with the new "
        "one, theta - lr * velocity.",
        _old_velocity,
    ),
    Mistake(
        "this is Nesterov's step (theta - lr * (g + momentum * velocity)); heavy-ball momentum steps with the "
        "velocity itself: theta - lr * velocity.",
        _nesterov,
    ),
    Mistake(
        "you keep the velocity in Sutskever's form v = momentum * v - lr * g. The contract's velocity is "
        "torch's momentum buffer, velocity = momentum * velocity + g, and the step is theta - lr * velocity.",
        _sutskever,
    ),
    Mistake(
        "lr is folded into the velocity. In the contract the velocity is momentum * velocity + g (no lr), and "
        "lr multiplies it in the step.",
        _lr_inside,
    ),
    Mistake("the step goes uphill: subtract lr * velocity from theta.", _uphill),
    Mistake(
        "theta moves by plain gradient descent (lr * g); with momentum it moves by lr * velocity.",
        _plain_gd,
    ),
    Mistake("lr and momentum are swapped.", _swapped),
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
)


def check_momentum_step(fn: Any, seed: int = 0) -> None:
    """Check one heavy-ball momentum update, ``fn(theta, g, velocity, lr=0.01, momentum=0.9)``.

    Must return ``(theta, velocity)`` as torch.optim.SGD(momentum=...) computes them. Raises
    AssertionError with the failing case and a hint; prints one line when every case passes.
    """
    check_step(fn, dataclasses.replace(MOMENTUM, name=getattr(fn, "__name__", MOMENTUM.name)), seed=seed)
