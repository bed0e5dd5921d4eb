r"""Exercise 4 (and 7): one step of Adam, Algorithm 1 of Kingma & Ba (2014).

Contract::

    adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8) -> (theta, m, v)

``t`` is the 1-based count of this update (the first call has ``t=1``); ``m`` and ``v`` are the raw
(uncorrected) moment estimates, returned updated; no input is changed; the outputs keep the dtype
of the inputs. Any form that is algebraically equal to Algorithm 1 passes, for example the paper's
efficient form with :math:`\hat\epsilon_t = \epsilon\sqrt{1-\beta_2^t}`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._steps import Mistake, StepContract, check_step


def _adam(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _with_corrections(c1, c2, eps_inside=False):
    """Adam whose bias corrections are the functions ``c1(beta1, t)`` and ``c2(beta2, t)``."""

    def step(theta, g, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / c1(beta1, t), v / c2(beta2, t)
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        return theta - lr * m_hat / denominator, m, v

    return step


def _correct(beta, t):
    return 1 - beta**t


def _fed_back(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = (beta1 * m + (1 - beta1) * g) / (1 - beta1**t)
    v = (beta2 * v + (1 - beta2) * g**2) / (1 - beta2**t)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def _swapped(theta, g, m, v, t, lr, beta1, beta2, eps):
    return _adam(theta, g, m, v, t, lr, beta2, beta1, eps)


def _abs_g(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * np.abs(g)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def _uphill(theta, g, m, v, t, lr, beta1, beta2, eps):
    new, m, v = _adam(theta, g, m, v, t, lr, beta1, beta2, eps)
    return 2 * theta - new, m, v


def _eps_on_theta(theta, g, m, v, t, lr, beta1, beta2, eps):
    new, m, v = _adam(theta, g, m, v, t, lr, beta1, beta2, 0.0)
    return new + eps, m, v


def _eps_on_theta_minus(theta, g, m, v, t, lr, beta1, beta2, eps):
    new, m, v = _adam(theta, g, m, v, t, lr, beta1, beta2, 0.0)
    return new - eps, m, v


def _constant_eps_hat(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v


MISTAKES = (
    Mistake(
        "your update matches Adam without bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t) "
        "before the step (and return the raw m and v).",
        _with_corrections(lambda b, t: 1.0, lambda b, t: 1.0),
    ),
    Mistake(
        "your update matches a bias correction with t - 1 in place of t. Here t is the 1-based count of this "
        "update: the first call has t=1 and divides by 1 - beta1**1.",
        _with_corrections(lambda b, t: 1 - b ** (t - 1), lambda b, t: 1 - b ** (t - 1)),
    ),
    Mistake(
        "your update matches a bias correction with t + 1 in place of t: t is already the count of this update "
        "(1 on the first call), so use beta1**t and beta2**t as they are.",
        _with_corrections(lambda b, t: 1 - b ** (t + 1), lambda b, t: 1 - b ** (t + 1)),
    ),
    Mistake(
        "your update matches Adam with t fixed at 1: use the t you are given in beta1**t and beta2**t.",
        _with_corrections(lambda b, t: 1 - b, lambda b, t: 1 - b),
    ),
    Mistake(
        "your bias correction uses beta**2 where it should use beta**t (the powers grow with the step count).",
        _with_corrections(lambda b, t: 1 - b**2, lambda b, t: 1 - b**2),
    ),
    Mistake(
        "only m is bias-corrected: take the square root of v_hat = v / (1 - beta2**t), not of v.",
        _with_corrections(_correct, lambda b, t: 1.0),
    ),
    Mistake(
        "only v is bias-corrected: divide m by (1 - beta1**t) too.",
        _with_corrections(lambda b, t: 1.0, _correct),
    ),
    Mistake(
        "eps belongs outside the square root: m_hat / (np.sqrt(v_hat) + eps).",
        _with_corrections(_correct, _correct, eps_inside=True),
    ),
    Mistake(
        "eps is added to the parameters; it belongs in the denominator: m_hat / (np.sqrt(v_hat) + eps).",
        _eps_on_theta,
    ),
    Mistake(
        "eps is subtracted from the parameters; it belongs in the denominator: m_hat / (np.sqrt(v_hat) + eps).",
        _eps_on_theta_minus,
    ),
    Mistake(
        "beta1 and beta2 are swapped: m averages g with beta1, v averages g**2 with beta2.",
        _swapped,
    ),
    Mistake(
        "v must average the squared gradient g**2 (elementwise), not |g|.",
        _abs_g,
    ),
    Mistake(
        "the step goes uphill: subtract lr * m_hat / (np.sqrt(v_hat) + eps) from theta.",
        _uphill,
    ),
    Mistake(
        "you return the bias-corrected m_hat and v_hat as the new state. Return the raw m and v: the "
        "correction is computed afresh at every step and never fed back into the averages.",
        _fed_back,
    ),
    Mistake(
        "this is the paper's efficient form with a constant eps. It equals Algorithm 1 only with "
        "eps_hat = eps * sqrt(1 - beta2**t) in place of eps.",
        _constant_eps_hat,
    ),
)

OUTPUT_HINTS = {
    "theta": "m and v are right, so the mistake is in the update of theta: check the bias corrections "
    "(1 - beta1**t and 1 - beta2**t), the square root, where eps goes, and the sign of the step.",
    "m": "the new first moment is m = beta1 * m + (1 - beta1) * g; return this raw m, not m_hat.",
    "v": "the new second moment is v = beta2 * v + (1 - beta2) * g**2; return this raw v, not v_hat.",
}

ADAM = StepContract(
    name="adam_step",
    checker="check_adam_step",
    state=("m", "v"),
    uses_t=True,
    defaults={"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    settings=(
        {"lr": 0.01, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6},
        {"lr": 0.1, "beta1": 0.0, "beta2": 0.99, "eps": 1e-8},
        {"lr": 0.003, "beta1": 0.95, "beta2": 0.9, "eps": 1e-7},
        {"lr": 0.05, "beta1": 0.8, "beta2": 0.999, "eps": 0.0},
    ),
    reference=_adam,
    mistakes=MISTAKES,
    output_hints=OUTPUT_HINTS,
)


def check_adam_step(fn: Any, seed: int = 0) -> None:
    """Check an implementation of one Adam update against Algorithm 1 of the paper.

    ``fn(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)`` must return ``(theta, m, v)``.
    Raises AssertionError with the failing case and a hint; prints one line when every case passes.
    ``seed`` draws other random inputs (the hidden tests use it).
    """
    check_step(fn, dataclasses.replace(ADAM, name=getattr(fn, "__name__", ADAM.name)), seed=seed)
