r"""Exponential moving averages and their cold start: the idea behind both of Adam's moments.

An exponential moving average (EMA) of a stream :math:`g_1, g_2, \dots` started at zero,

.. math:: m_t = \beta\, m_{t-1} + (1-\beta)\, g_t = (1-\beta) \sum_{i=1}^{t} \beta^{t-i} g_i,

puts a total weight of only :math:`1 - \beta^t` on the data, so early values are biased toward 0.
Dividing by that sum of weights is Adam's bias correction (Kingma & Ba, Section 3).
"""

from __future__ import annotations

import numpy as np

from .optim.validation import check_real


def weight_sum(beta: float, t: np.ndarray | int) -> np.ndarray:
    r"""Total weight :math:`(1-\beta)\sum_{i=1}^{t}\beta^{t-i} = 1-\beta^t` an EMA puts on its first ``t`` values."""
    beta = check_real("weight_sum", "beta", "β", beta, 0.0, 1.0)
    return 1.0 - beta ** np.asarray(t, dtype=float)


def ema(values: np.ndarray, beta: float, bias_correction: bool = False) -> np.ndarray:
    """The EMA of ``values`` along the first axis, started at zero; divided by ``1 - beta**t`` if asked.

    ``result[k]`` is :math:`m_{k+1}` (or :math:`\\hat m_{k+1}`), the average after ``k + 1`` values.
    """
    beta = check_real("ema", "beta", "β", beta, 0.0, 1.0)
    values = np.asarray(values, dtype=float)
    averages = np.empty_like(values)
    m = np.zeros_like(values[0]) if len(values) else np.zeros(())
    for k, g in enumerate(values):
        m = beta * m + (1 - beta) * g
        averages[k] = m
    if bias_correction:
        t = np.arange(1, len(values) + 1).reshape((-1,) + (1,) * (values.ndim - 1))
        averages = averages / weight_sum(beta, t)
    return averages
