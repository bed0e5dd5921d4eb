r"""Exercise 5: one step of AdaMax, Algorithm 2 of Kingma & Ba (2014, Section 7.1).

Contract::

    adamax_step(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999) -> (theta, m, u)

with :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`, :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)` and
:math:`\theta_t = \theta_{t-1} - \frac{\alpha}{1-\beta_1^t}\, m_t / u_t`. As in the paper there is no eps
(the checks never give a coordinate an all-zero gradient history). ``t`` is 1-based; no input is
changed; the dtype is kept.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._harness import student_facing
from ._steps import StepContract, check_step, knob

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's


def _adamax(theta, g, m, u, t, lr, beta1, beta2):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - (lr / (1 - beta1**t)) * m / u, m, u


def variant(
    m_correction=True,
    decay="before",
    absolute=True,
    eps="none",
    u_correction=False,
    power="t",
    sign="down",
    step_with="new",
):
    """The AdaMax step with some parts changed (the defaults give the contract's reference).

    ``decay``: ``before`` (max(beta2 u, |g|)) | ``none`` | ``after`` (beta2 max(u, |g|)) | ``weighted``
    (max(beta2 u, (1 - beta2) |g|)) | ``l2`` (Adam's root mean square) | ``sum`` (beta2 u + |g|);
    ``eps``: ``none`` | ``torch`` (|g| + 1e-8 inside the max) | ``keras`` (m / (u + 1e-7)) | ``u+1e-8``;
    ``power``: ``t`` | ``t-1`` | ``1``; ``sign``: ``down`` | ``up``; ``step_with``: the ``new`` | ``old`` u.
    """

    def step(theta, g, m, u, t, lr, beta1, beta2):
        old_u = u
        m = beta1 * m + (1 - beta1) * g
        size = np.abs(g) if absolute else g
        if eps == "torch":
            size = size + 1e-8
        u = {
            "before": lambda: np.maximum(beta2 * u, size),
            "none": lambda: np.maximum(u, size),
            "after": lambda: beta2 * np.maximum(u, size),
            "weighted": lambda: np.maximum(beta2 * u, (1 - beta2) * size),
            "l2": lambda: np.sqrt(beta2 * u**2 + (1 - beta2) * g**2),
            "sum": lambda: beta2 * u + size,
        }[decay]()
        exponent = {"t": t, "t-1": t - 1, "1": 1}[power]
        c1 = (1 - beta1**exponent) if m_correction else 1.0
        used = u if step_with == "new" else old_u
        denominator = used / (1 - beta2**t) if u_correction else used
        denominator = denominator + {"keras": 1e-7, "u+1e-8": 1e-8}.get(eps, 0.0)
        change = (lr / c1) * m / denominator
        return (theta + change if sign == "up" else theta - change), m, u

    return step


KERAS_EPS = (
    "you add an eps to u in the denominator, m / (u + eps): that is the convention of Keras's Adamax "
    "(keras.optimizers.Adamax, epsilon=1e-7). The paper's AdaMax (this contract) has no eps: lr / (1 - beta1**t) "
    "* m / u. The checks never give a coordinate an all-zero gradient history, so u is never 0."
)
MISTAKES = (
    knob(variant, "m is not bias-corrected: the step is lr / (1 - beta1**t) * m / u.", m_correction=False),
    knob(
        variant,
        "u needs no bias correction (the maximum is not biased towards zero); only m is corrected.",
        u_correction=True,
    ),
    knob(
        variant,
        "u must decay: u = max(beta2 * u, |g|). Without beta2 an old large gradient is never forgotten.",
        decay="none",
    ),
    knob(
        variant,
        "beta2 multiplies only the old u: u = max(beta2 * u, |g|), not beta2 * max(u, |g|).",
        decay="after",
    ),
    knob(variant, "u compares sizes: take |g| (np.abs(g)), not g.", absolute=False),
    knob(
        variant,
        "you add eps inside the maximum, max(beta2 * u, |g| + eps): that is the convention of torch.optim.Adamax "
        "(eps=1e-8) and of optax.adamax. The paper's AdaMax (this contract) has no eps: u = max(beta2 * u, |g|).",
        convention=True,
        eps="torch",
    ),
    knob(variant, KERAS_EPS, convention=True, eps="keras"),
    knob(variant, KERAS_EPS.replace("epsilon=1e-7", "epsilon=1e-7; yours is 1e-8"), convention=True, eps="u+1e-8"),
    knob(
        variant,
        "u is a maximum, not an average: u = max(beta2 * u, |g|) without the factor (1 - beta2).",
        decay="weighted",
    ),
    knob(
        variant,
        "this is Adam's L2 norm (a root mean square). AdaMax uses the infinity norm: u = max(beta2 * u, |g|).",
        decay="l2",
    ),
    knob(
        variant,
        "u is a maximum, not a sum: u = max(beta2 * u, |g|) (np.maximum), not beta2 * u + |g|.",
        decay="sum",
    ),
    knob(
        variant,
        "your correction uses t - 1 in place of t: t is 1 on the first call, which divides by 1 - beta1.",
        power="t-1",
    ),
    knob(variant, "your correction ignores t: use 1 - beta1**t with the t you are given.", power="1"),
    knob(variant, "the step goes uphill: subtract lr / (1 - beta1**t) * m / u from theta.", sign="up"),
    knob(
        variant,
        "the step divides by the old u: first update u = max(beta2 * u, |g|), then step with the new u.",
        step_with="old",
    ),
)

OUTPUT_HINTS = {
    "theta": "m and u are right, so look at the step: theta - lr / (1 - beta1**t) * m / u.",
    "m": "the new first moment is m = beta1 * m + (1 - beta1) * g; return this raw m (not corrected).",
    "u": "the new infinity norm is u = max(beta2 * u, |g|), elementwise: np.maximum, not max or np.max.",
}

ADAMAX = StepContract(
    name="adamax_step",
    checker="check_adamax_step",
    state=("m", "u"),
    uses_t=True,
    defaults={"lr": 0.002, "beta1": 0.9, "beta2": 0.999},
    settings=(
        {"lr": 0.01, "beta1": 0.5, "beta2": 0.9},
        {"lr": 0.1, "beta1": 0.0, "beta2": 0.99},
        {"lr": 0.003, "beta1": 0.95, "beta2": 0.9},
        {"lr": 0.05, "beta1": 0.8, "beta2": 0.5},
    ),
    reference=_adamax,
    mistakes=MISTAKES,
    output_hints=OUTPUT_HINTS,
    variant=variant,
    regime_hints={
        "tiny": "In this case the gradients are about 1e-7, so u is about 1e-7 too: a constant added anywhere "
        "(an eps) shows here, and the contract has none.",
        "spiky": "In this case the gradient sizes jump from step to step: check how u decays and when the "
        "maximum takes the new |g|.",
    },
)


@student_facing
def check_adamax_step(fn: Any, seed: int = 0) -> None:
    """Check one AdaMax update, ``fn(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999) -> (theta, m, u)``.

    Raises AssertionError with the failing case and a hint; prints one line when every case passes.
    """
    check_step(fn, dataclasses.replace(ADAMAX, name=getattr(fn, "__name__", ADAMAX.name)), seed=seed)
