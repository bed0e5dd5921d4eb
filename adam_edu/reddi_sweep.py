r"""Reddi et al.'s counterexample over a grid of :math:`(\beta_2, C)`: a vectorised run, and where the failure stops.

Performance code, kept apart from the teaching code: :func:`final_points` runs projected Adam with
:math:`\beta_1 = 0` on the problems :math:`f_t(x) = Cx` (when :math:`t \bmod p = 1`) or :math:`-x` (otherwise),
for a whole grid of :math:`(\beta_2, C)` at once, one numpy operation per step. With :math:`\beta_1 = 0` Adam's
:math:`\hat m_t` is the gradient itself, so the state is :math:`v` alone. ``tests/test_reddi_sweep.py``
checks it against :func:`adam_edu.online.run_online` with :class:`adam_edu.optim.Adam`, run by run.

:func:`cycle_drift` predicts the outcome without running: once :math:`v` has settled into its cycle (the
bias correction tends to 1 and the gradients do not depend on :math:`x`), one cycle of :math:`p` steps moves
:math:`x` by :math:`\alpha` times the drift; positive means towards the worst point :math:`+1`.

>>> import numpy as np
>>> float(np.round(cycle_drift(0.1, 3.0), 4))  # Reddi et al.'s beta2 = 1/(1 + C^2): towards +1
0.6809
>>> round(critical_beta2(3.0), 4)  # above this beta2 the same problem no longer fools Adam
0.4723
"""

from __future__ import annotations

import numpy as np

from .optim.validation import check_real

__all__ = ["critical_beta2", "cycle_drift", "final_points"]


def _grid(beta2, C, period):
    if isinstance(period, bool) or not isinstance(period, int | np.integer) or period < 2:
        raise ValueError(f"period must be an integer in [2, inf). Got {period!r} instead.")
    beta2, C = np.broadcast_arrays(np.asarray(beta2, dtype=float), np.asarray(C, dtype=float))
    if not np.all((beta2 >= 0) & (beta2 < 1)):
        raise ValueError(f"beta2 (β₂) must hold real numbers in [0, 1). Got {beta2.min()!r} to {beta2.max()!r}.")
    if not np.all(C > 0):
        raise ValueError(f"C must hold real numbers in (0, inf). Got a smallest value of {C.min()!r}.")
    return beta2, C


def final_points(beta2, C, steps: int, lr: float = 0.01, x0: float = 0.0, eps: float = 1e-8, period: int = 3):
    r"""Where projected Adam (:math:`\beta_1 = 0`, constant :math:`\alpha` = ``lr``) ends after ``steps`` rounds.

    ``beta2`` and ``C`` broadcast to the grid's shape; the result has that shape. Each round plays
    :math:`x`, sees the gradient :math:`C` (when :math:`t \bmod p = 1`) or :math:`-1`, takes Algorithm 1's step
    :math:`x \leftarrow x - \alpha\, g/(\sqrt{\hat v_t} + \epsilon)` and clips to :math:`[-1, 1]`.
    """
    beta2, C = _grid(beta2, C, period)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be an integer in [0, inf). Got {steps!r} instead.")
    lr = check_real("final_points", "lr", "α", lr, 0.0)
    x = np.full(beta2.shape, float(x0))
    v = np.zeros(beta2.shape)
    power = np.ones(beta2.shape)  # beta2 ** t, kept as a running product
    for t in range(1, steps + 1):
        g = C if t % period == 1 else -np.ones(beta2.shape)
        v = beta2 * v + (1 - beta2) * g**2
        power = power * beta2
        v_hat = v / (1 - power)
        x = np.clip(x - lr * g / (np.sqrt(v_hat) + eps), -1.0, 1.0)
    return x


def cycle_drift(beta2, C, period: int = 3):
    r"""Steady-state movement of :math:`x` over one cycle, in units of :math:`\alpha` (:math:`\epsilon` ignored).

    In the cycle :math:`v` takes the values :math:`v_1` (right after the gradient :math:`C`), then
    :math:`v_{k+1} = \beta_2 v_k + (1-\beta_2)`; closing the cycle gives
    :math:`v_1 = (1-\beta_2)\,(C^2 + \beta_2 + \dots + \beta_2^{p-1})/(1 - \beta_2^p)`. The drift is
    :math:`-C/\sqrt{v_1} + \sum_{k=2}^{p} 1/\sqrt{v_k}`: positive, Adam drifts to the worst point :math:`+1`;
    negative, to the optimum :math:`-1` (when :math:`C > p - 1`).
    """
    beta2, C = _grid(beta2, C, period)
    powers = sum(beta2**k for k in range(1, period))
    v = (1 - beta2) * (C**2 + powers) / (1 - beta2**period)
    drift = -C / np.sqrt(v)
    for _ in range(period - 1):
        v = beta2 * v + (1 - beta2)
        drift = drift + 1 / np.sqrt(v)
    return drift


def critical_beta2(C: float, period: int = 3, tol: float = 1e-12) -> float:
    r"""The :math:`\beta_2` at which :func:`cycle_drift` changes sign, by bisection on :math:`[0, 1)`.

    Below it Adam drifts to :math:`+1` (the failure), above it to :math:`-1`. Requires :math:`C > p - 1`
    (otherwise :math:`-1` is not the optimum) and a sign change in the interval.
    """
    C = check_real("critical_beta2", "C", "C", C, float(period - 1), low_closed=False)
    low, high = 0.0, 1.0 - 1e-12
    if not (cycle_drift(low, C, period) > 0 > cycle_drift(high, C, period)):
        raise ValueError(f"cycle_drift does not change sign on [0, 1) for C = {C!r}, period = {period!r}.")
    while high - low > tol:
        mid = 0.5 * (low + high)
        if cycle_drift(mid, C, period) > 0:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)
