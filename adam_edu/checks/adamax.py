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

from ._steps import Mistake, StepContract, check_step


def _adamax(theta, g, m, u, t, lr, beta1, beta2):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - (lr / (1 - beta1**t)) * m / u, m, u


def _variant(m_correction=True, decay="before", absolute=True, torch_eps=False, u_correction=False, power=None):
    def step(theta, g, m, u, t, lr, beta1, beta2):
        m = beta1 * m + (1 - beta1) * g
        size = np.abs(g) if absolute else g
        if torch_eps:
            size = size + 1e-8
        if decay == "before":
            u = np.maximum(beta2 * u, size)
        elif decay == "none":
            u = np.maximum(u, size)
        elif decay == "after":
            u = beta2 * np.maximum(u, size)
        else:  # weighted like Adam's v
            u = np.maximum(beta2 * u, (1 - beta2) * size)
        tt = {None: t, "t-1": t - 1, "1": 1}[power]
        c1 = (1 - beta1**tt) if m_correction else 1.0
        denominator = u / (1 - beta2**t) if u_correction else u
        return theta - (lr / c1) * m / denominator, m, u

    return step


def _uphill(theta, g, m, u, t, lr, beta1, beta2):
    new, m, u = _adamax(theta, g, m, u, t, lr, beta1, beta2)
    return 2 * theta - new, m, u


def _l2(theta, g, m, u, t, lr, beta1, beta2):
    m = beta1 * m + (1 - beta1) * g
    u = np.sqrt(beta2 * u**2 + (1 - beta2) * g**2)
    return theta - (lr / (1 - beta1**t)) * m / u, m, u


MISTAKES = (
    Mistake(
        "m is not bias-corrected: the step is lr / (1 - beta1**t) * m / u.",
        _variant(m_correction=False),
    ),
    Mistake(
        "u needs no bias correction (the maximum is not biased towards zero); only m is corrected.",
        _variant(u_correction=True),
    ),
    Mistake(
        "u must decay: u = max(beta2 * u, |g|). Without beta2 an old large gradient is never forgotten.",
        _variant(decay="none"),
    ),
    Mistake(
        "beta2 multiplies only the old u: u = max(beta2 * u, |g|), not beta2 * max(u, |g|).",
        _variant(decay="after"),
    ),
    Mistake("u compares sizes: take |g| (np.abs(g)), not g.", _variant(absolute=False)),
    Mistake(
        "this is torch.optim.Adamax, which adds eps inside the maximum. The paper's AdaMax (this contract) has "
        "no eps: u = max(beta2 * u, |g|).",
        _variant(torch_eps=True),
    ),
    Mistake(
        "u is a maximum, not an average: u = max(beta2 * u, |g|) without the factor (1 - beta2).",
        _variant(decay="weighted"),
    ),
    Mistake(
        "your correction uses t - 1 in place of t: t is 1 on the first call, which divides by 1 - beta1.",
        _variant(power="t-1"),
    ),
    Mistake("your correction ignores t: use 1 - beta1**t with the t you are given.", _variant(power="1")),
    Mistake("the step goes uphill: subtract lr / (1 - beta1**t) * m / u from theta.", _uphill),
    Mistake(
        "this is Adam's L2 norm (a root mean square). AdaMax uses the infinity norm: u = max(beta2 * u, |g|).",
        _l2,
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
)


def check_adamax_step(fn: Any, seed: int = 0) -> None:
    """Check one AdaMax update, ``fn(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999) -> (theta, m, u)``.

    Raises AssertionError with the failing case and a hint; prints one line when every case passes.
    """
    check_step(fn, dataclasses.replace(ADAMAX, name=getattr(fn, "__name__", ADAMAX.name)), seed=seed)
