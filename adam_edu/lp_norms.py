r"""From Adam's :math:`L^2` second moment to AdaMax's :math:`L^\infty` norm (Kingma & Ba, Section 7.1).

The paper generalises Adam's :math:`v_t` to an exponentially weighted :math:`L^p` norm of the past
gradients, with decay :math:`\beta_2^p`:

.. math::

    v_t = \beta_2^p v_{t-1} + (1-\beta_2^p) |g_t|^p
        = (1-\beta_2^p) \sum_{i=1}^{t} \beta_2^{p(t-i)} |g_i|^p .

As :math:`p \to \infty`, :math:`v_t^{1/p}` tends to the weighted maximum

.. math:: u_t = \max_{1 \le i \le t} \beta_2^{t-i} |g_i| = \max(\beta_2 u_{t-1}, |g_t|),

AdaMax's :math:`u_t`. :func:`lp_moment` computes :math:`v_t^{1/p}` in log space (so :math:`p = 1000`
neither overflows nor underflows) and :func:`weighted_max` the limit from its closed form.

>>> import numpy as np
>>> g = np.array([1.0, 2.0, 0.0])
>>> weighted_max(g, beta2=0.9)  # max over i of 0.9**(t-i) |g_i|
array([1. , 2. , 1.8])
>>> lp_moment(g, beta2=0.9, p=8).round(3)
array([0.932, 1.864, 1.678])
>>> lp_moment(g, beta2=0.9, p=64).round(3)
array([1. , 2. , 1.8])
"""

from __future__ import annotations

import numpy as np

from .optim.validation import check_real

__all__ = ["lp_moment", "weighted_max"]


def _log_abs(gradients) -> np.ndarray:
    gradients = np.asarray(gradients, dtype=float)
    if gradients.ndim < 1 or len(gradients) == 0:
        raise ValueError(f"gradients must have shape (steps, ...) with steps >= 1. Got shape {gradients.shape}.")
    with np.errstate(divide="ignore"):
        return np.log(np.abs(gradients))  # log 0 = -inf: a zero gradient adds nothing


def lp_moment(gradients, beta2: float = 0.999, p: float = 2.0) -> np.ndarray:
    r""":math:`v_t^{1/p}` for :math:`t = 1, \dots, T`, where :math:`v_t = \beta_2^p v_{t-1} + (1-\beta_2^p)|g_t|^p`.

    ``gradients`` has shape ``(T, ...)``; the result has the same shape, row ``k`` being
    :math:`v_{k+1}^{1/p}`. :math:`p = 2` is Adam's :math:`\sqrt{v_t}` with decay rate :math:`\beta_2^2`.
    """
    beta2 = check_real("lp_moment", "beta2", "β₂", beta2, 0.0, 1.0, low_closed=False)
    p = check_real("lp_moment", "p", "p", p, 0.0, low_closed=False)
    log_g = _log_abs(gradients)
    log_decay = p * np.log(beta2)
    log_weight = np.log1p(-(beta2**p))
    log_sum = np.full(log_g.shape[1:], -np.inf)
    out = np.empty_like(log_g)
    for k, log_gk in enumerate(log_g):
        log_sum = np.logaddexp(log_sum + log_decay, p * log_gk)
        out[k] = np.exp((log_weight + log_sum) / p)
    return out


def weighted_max(gradients, beta2: float = 0.999) -> np.ndarray:
    r""":math:`u_t = \max_{1 \le i \le t} \beta_2^{t-i}|g_i|` for each :math:`t`: the :math:`L^p` limit.

    Computed from the closed form (a running maximum of :math:`\log|g_i| - i \log\beta_2`), not from
    AdaMax's recursion, so the two can be checked against each other.
    """
    beta2 = check_real("weighted_max", "beta2", "β₂", beta2, 0.0, 1.0, low_closed=False)
    log_g = _log_abs(gradients)
    i = np.arange(1, len(log_g) + 1, dtype=float).reshape((-1,) + (1,) * (log_g.ndim - 1))
    log_beta2 = np.log(beta2)
    return np.exp(np.maximum.accumulate(log_g - i * log_beta2, axis=0) + i * log_beta2)
