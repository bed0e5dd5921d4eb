r"""How large can one step of Adam or AdaMax be? The paper's bounds and the gradients that reach the true ones.

All ratios are :math:`|\Delta_t| / \alpha`, the size of step :math:`t` in units of the step size, with
:math:`\epsilon = 0` (Kingma & Ba, arXiv:1412.6980, Sections 2.1 and 7.1).

Adam's step is :math:`\Delta_t = -\alpha\, \hat m_t / \sqrt{\hat v_t}`. Writing both moments as sums over
the past and applying Cauchy-Schwarz with :math:`\gamma = \beta_1^2/\beta_2`,

.. math::

    \frac{|\Delta_t|}{\alpha} \le \frac{1-\beta_1}{1-\beta_1^t}
        \sqrt{\frac{1-\beta_2^t}{1-\beta_2}} \sqrt{\frac{1-\gamma^t}{1-\gamma}},

with equality when :math:`g_{t-k} \propto (\beta_1/\beta_2)^k`. With the defaults this exceeds the paper's
:math:`(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16` from :math:`t = 210` on and tends to 7.27.

AdaMax's step is :math:`\alpha\, m_t / ((1-\beta_1^t) u_t)` with :math:`u_t \ge \beta_2^k |g_{t-k}|`, so

.. math::

    \frac{|\Delta_t|}{\alpha} \le \frac{1-\beta_1}{1-\beta_1^t}\,
        \frac{1-(\beta_1/\beta_2)^t}{1-\beta_1/\beta_2},

with equality when :math:`g_{t-k} = \beta_2^{-k}`: at most :math:`(1-\beta_1)/(1-\beta_1/\beta_2) \approx
1.00909` with the defaults.

>>> round(float(adam_worst_case_ratio(1000)), 6)
5.78116
>>> round(adamax_worst_case_limit(), 5)
1.00909
"""

from __future__ import annotations

import math

import numpy as np

from .optim.validation import check_real

__all__ = [
    "adam_worst_case_gradients",
    "adam_worst_case_limit",
    "adam_worst_case_ratio",
    "adamax_worst_case_gradients",
    "adamax_worst_case_limit",
    "adamax_worst_case_ratio",
    "paper_step_bound",
    "spike_step_ratio",
]


def _betas(owner: str, beta1: float, beta2: float, beta2_zero: bool = False) -> tuple[float, float]:
    """Check the decay rates; :math:`\beta_2 = 0` only where the formula allows it (``beta2_zero``)."""
    return (
        check_real(owner, "beta1", "β₁", beta1, 0.0, 1.0),
        check_real(owner, "beta2", "β₂", beta2, 0.0, 1.0, low_closed=beta2_zero),
    )


def _steps(owner: str, t) -> np.ndarray:
    t = np.asarray(t)
    if t.dtype == bool or not np.issubdtype(t.dtype, np.integer) or np.any(t < 1):
        raise ValueError(f"{owner}: the step t must be an integer (or array of integers) >= 1. Got {t!r} instead.")
    return t.astype(float)


def _geometric_sum(r: float, t: np.ndarray) -> np.ndarray:
    r""":math:`\sum_{k=0}^{t-1} r^k`, also when :math:`r = 1`."""
    return t if r == 1.0 else (1.0 - r**t) / (1.0 - r)


def paper_step_bound(beta1: float = 0.9, beta2: float = 0.999) -> float:
    r"""The bound of Section 2.1, in units of :math:`\alpha`.

    :math:`(1-\beta_1)/\sqrt{1-\beta_2}` when :math:`1-\beta_1 > \sqrt{1-\beta_2}`, otherwise 1. The paper
    presents it as a bound on every step; :func:`adam_worst_case_ratio` shows it is not one.
    """
    beta1, beta2 = _betas("paper_step_bound", beta1, beta2, beta2_zero=True)
    ratio = (1.0 - beta1) / math.sqrt(1.0 - beta2)
    return ratio if ratio > 1.0 else 1.0


def adam_worst_case_ratio(t, beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    r"""The largest :math:`|\Delta_t|/\alpha` any gradient sequence can give Adam at step ``t`` (:math:`\epsilon = 0`).

    ``t`` may be an array. Attained by :func:`adam_worst_case_gradients`.
    """
    beta1, beta2 = _betas("adam_worst_case_ratio", beta1, beta2)
    t = _steps("adam_worst_case_ratio", t)
    gamma = beta1**2 / beta2
    return (
        (1.0 - beta1) / (1.0 - beta1**t) * np.sqrt((1.0 - beta2**t) / (1.0 - beta2)) * np.sqrt(_geometric_sum(gamma, t))
    )


def adam_worst_case_limit(beta1: float = 0.9, beta2: float = 0.999) -> float:
    r""":math:`\lim_{t\to\infty}` of :func:`adam_worst_case_ratio`: :math:`\frac{1-\beta_1}{\sqrt{1-\beta_2}}
    \frac{1}{\sqrt{1-\gamma}}`, or ``inf`` when :math:`\gamma = \beta_1^2/\beta_2 \ge 1`."""
    beta1, beta2 = _betas("adam_worst_case_limit", beta1, beta2)
    gamma = beta1**2 / beta2
    if gamma >= 1.0:
        return math.inf
    return (1.0 - beta1) / math.sqrt((1.0 - beta2) * (1.0 - gamma))


def adam_worst_case_gradients(t: int, beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    r"""Gradients :math:`g_1, \dots, g_t` that make Adam's step ``t`` as large as possible.

    :math:`g_{t-k} = (\beta_1/\beta_2)^k`: the latest gradient is 1 and each older one is smaller by
    :math:`\beta_1/\beta_2`. Any positive multiple gives the same step (scale invariance).
    """
    beta1, beta2 = _betas("adam_worst_case_gradients", beta1, beta2)
    k = _steps("adam_worst_case_gradients", t)
    return (beta1 / beta2) ** np.arange(int(k) - 1, -1, -1, dtype=float)


def adamax_worst_case_ratio(t, beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    r"""The largest :math:`|\Delta_t|/\alpha` any gradient sequence can give AdaMax at step ``t``.

    ``t`` may be an array. Attained by :func:`adamax_worst_case_gradients`.
    """
    beta1, beta2 = _betas("adamax_worst_case_ratio", beta1, beta2)
    t = _steps("adamax_worst_case_ratio", t)
    return (1.0 - beta1) / (1.0 - beta1**t) * _geometric_sum(beta1 / beta2, t)


def adamax_worst_case_limit(beta1: float = 0.9, beta2: float = 0.999) -> float:
    r""":math:`\lim_{t\to\infty}` of :func:`adamax_worst_case_ratio`: :math:`(1-\beta_1)/(1-\beta_1/\beta_2)`,
    or ``inf`` when :math:`\beta_1 \ge \beta_2`."""
    beta1, beta2 = _betas("adamax_worst_case_limit", beta1, beta2)
    if beta1 >= beta2:
        return math.inf
    return (1.0 - beta1) / (1.0 - beta1 / beta2)


def adamax_worst_case_gradients(t: int, beta2: float = 0.999) -> np.ndarray:
    r"""Gradients :math:`g_1, \dots, g_t` that make AdaMax's step ``t`` as large as possible.

    :math:`g_{t-k} = \beta_2^{-k}`: every term ties in :math:`u_t = \max_k \beta_2^k |g_{t-k}| = 1`, so the
    first moment collects the most it can under that norm.
    """
    _, beta2 = _betas("adamax_worst_case_gradients", 0.0, beta2)
    k = _steps("adamax_worst_case_gradients", t)
    return beta2 ** -np.arange(int(k) - 1, -1, -1, dtype=float)


def spike_step_ratio(t, beta1: float = 0.9, beta2: float = 0.999, bias_correction: bool = True) -> np.ndarray:
    r""":math:`|\Delta_t|/\alpha` when the gradient is zero for ``t - 1`` steps and nonzero at step ``t``.

    The paper's "most severe case of sparsity":
    :math:`\frac{1-\beta_1}{\sqrt{1-\beta_2}}\, \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}` with correction,
    :math:`\frac{1-\beta_1}{\sqrt{1-\beta_2}}` at every ``t`` without it.
    """
    beta1, beta2 = _betas("spike_step_ratio", beta1, beta2, beta2_zero=True)
    t = _steps("spike_step_ratio", t)
    ratio = (1.0 - beta1) / math.sqrt(1.0 - beta2) * np.ones_like(t)
    if bias_correction:
        ratio = ratio * np.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
    return ratio
