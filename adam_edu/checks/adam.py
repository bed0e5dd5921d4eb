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
import dis
from typing import Any

import numpy as np

from ._adam_family import core_mistakes, variant
from ._harness import student_facing
from ._steps import StepContract, check_step

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's


def _adam(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


MISTAKES = core_mistakes("adam")
V_WITH_BETA1 = next(m for m in MISTAKES if ("corr_beta", "v_beta1") in m.knobs)

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
    variant=variant("adam"),
)


@student_facing
def check_adam_step(fn: Any, seed: int = 0) -> None:
    """Check an implementation of one Adam update against Algorithm 1 of the paper.

    ``fn(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)`` must return ``(theta, m, v)``.
    Raises AssertionError with the failing case and a hint; prints one line when every case passes.
    ``seed`` draws other random inputs (the hidden tests use it).
    """
    contract = dataclasses.replace(ADAM, name=getattr(fn, "__name__", ADAM.name))
    if _is_the_suspect(fn):  # exercise 7 asks the learner to find this bug: the hint must not name it
        contract = dataclasses.replace(contract, mistakes=tuple(m for m in MISTAKES if m is not V_WITH_BETA1))
    check_step(fn, contract, seed=seed)


def _is_the_suspect(fn: Any) -> bool:
    """Is ``fn`` exercise 7's ``buggy_adam_step`` (or a copy of its code under another name)?"""
    from .find_the_bug import buggy_adam_step

    def shape(code):  # the instructions with their arguments, not the docstring or the line numbers
        return [(op.opname, repr(op.argval)) for op in dis.get_instructions(code)]

    code = getattr(fn, "__code__", None)
    return code is not None and shape(code) == shape(buggy_adam_step.__code__)
