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

from ._steps import Mistake, StepContract, check_step


def _rmsprop(theta, g, v, lr, beta2, eps):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def _eps_inside(theta, g, v, lr, beta2, eps):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / np.sqrt(v + eps), v


def _abs_g(theta, g, v, lr, beta2, eps):
    v = beta2 * v + (1 - beta2) * np.abs(g)
    return theta - lr * g / (np.sqrt(v) + eps), v


def _no_sqrt(theta, g, v, lr, beta2, eps):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / (v + eps), v


def _old_v(theta, g, v, lr, beta2, eps):
    return theta - lr * g / (np.sqrt(v) + eps), beta2 * v + (1 - beta2) * g**2


def _swapped_weights(theta, g, v, lr, beta2, eps):
    v = (1 - beta2) * v + beta2 * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def _adagrad(theta, g, v, lr, beta2, eps):
    v = v + g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def _no_one_minus(theta, g, v, lr, beta2, eps):
    v = beta2 * v + g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def _uphill(theta, g, v, lr, beta2, eps):
    v = beta2 * v + (1 - beta2) * g**2
    return theta + lr * g / (np.sqrt(v) + eps), v


def _eps_on_theta(theta, g, v, lr, beta2, eps):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / np.sqrt(v) + eps, v


MISTAKES = (
    Mistake("eps belongs outside the square root: g / (np.sqrt(v) + eps).", _eps_inside),
    Mistake("v must average the squared gradient g**2, not |g|.", _abs_g),
    Mistake("divide by the square root of v (the root mean square), not by v itself.", _no_sqrt),
    Mistake(
        "the step uses the old v: first update v = beta2 * v + (1 - beta2) * g**2, then divide by its root.",
        _old_v,
    ),
    Mistake(
        "the weights are swapped: the old average keeps the weight beta2, the new g**2 gets (1 - beta2).",
        _swapped_weights,
    ),
    Mistake(
        "this is AdaGrad (v accumulates g**2 forever). RMSProp forgets: v = beta2 * v + (1 - beta2) * g**2.",
        _adagrad,
    ),
    Mistake("the new g**2 must be weighted by (1 - beta2): v = beta2 * v + (1 - beta2) * g**2.", _no_one_minus),
    Mistake("the step goes uphill: subtract lr * g / (np.sqrt(v) + eps) from theta.", _uphill),
    Mistake("eps is added to the parameters; it belongs in the denominator: g / (np.sqrt(v) + eps).", _eps_on_theta),
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
)


def check_rmsprop_step(fn: Any, seed: int = 0) -> None:
    """Check one RMSProp update, ``fn(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8) -> (theta, v)``.

    Raises AssertionError with the failing case and a hint; prints one line when every case passes.
    """
    check_step(fn, dataclasses.replace(RMSPROP, name=getattr(fn, "__name__", RMSPROP.name)), seed=seed)
