r"""Convergence rates of gradient descent and heavy-ball momentum on a quadratic, in closed form.

On :math:`f(\theta) = \tfrac12 \theta^\top H \theta` every eigen-direction of :math:`H` (curvature
:math:`\lambda`) evolves on its own. Heavy ball in :class:`adam_edu.optim.Momentum`'s form,
:math:`b_t = \mu b_{t-1} + g_t`, :math:`\theta_t = \theta_{t-1} - \alpha b_t`, eliminates the velocity to

.. math::

    \theta_t = (1 + \mu - \alpha\lambda)\,\theta_{t-1} - \mu\,\theta_{t-2},
    \qquad
    \begin{pmatrix}\theta_t \\ \theta_{t-1}\end{pmatrix}
    = \begin{pmatrix} 1 + \mu - \alpha\lambda & -\mu \\ 1 & 0 \end{pmatrix}
      \begin{pmatrix}\theta_{t-1} \\ \theta_{t-2}\end{pmatrix},

so the error shrinks per step, in the long run, by the spectral radius of that 2x2 matrix: the larger
modulus of the roots of :math:`z^2 - (1 + \mu - \alpha\lambda) z + \mu = 0`. The rate of the whole
problem is the largest over the eigenvalues. With :math:`\mu = 0` this is gradient descent's
:math:`\max_\lambda |1 - \alpha\lambda|`.

>>> rate = momentum_rate(0.01, 0.5, [1.0, 100.0])
>>> round(float(rate), 6)
0.979574
>>> best = optimal_momentum(1.0, 100.0)
>>> round(best.lr, 6), round(best.momentum, 6), round(best.rate, 6)
(0.033058, 0.669421, 0.818182)

References: Polyak (1964); G. Goh, "Why Momentum Really Works", Distill (2017).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .optim.validation import check_real

__all__ = [
    "OptimalSettings",
    "critical_momentum",
    "gd_rate",
    "momentum_rate",
    "optimal_gd",
    "optimal_momentum",
    "root_radius",
    "steps_per_e_fold",
]


class OptimalSettings(NamedTuple):
    """The best constant settings on a quadratic with curvatures in [lambda_min, lambda_max], and the rate they give."""

    lr: float
    momentum: float
    rate: float


def _spectrum(owner: str, lambda_min: float, lambda_max: float) -> tuple[float, float]:
    low = check_real(owner, "lambda_min", "λ_min", lambda_min, 0.0, low_closed=False)
    high = check_real(owner, "lambda_max", "λ_max", lambda_max, low)
    return low, high


def root_radius(alpha, mu, lam) -> np.ndarray:
    r"""The larger modulus of the roots of :math:`z^2 - (1 + \mu - \alpha\lambda) z + \mu`, elementwise.

    Complex roots (:math:`b^2 < 4\mu` with :math:`b = 1 + \mu - \alpha\lambda`) have modulus
    :math:`\sqrt\mu`; real ones :math:`(|b| + \sqrt{b^2 - 4\mu})/2`. Arguments broadcast.
    """
    alpha, mu, lam = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (alpha, mu, lam)))
    b = 1.0 + mu - alpha * lam
    disc = b**2 - 4.0 * mu
    real = (np.abs(b) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
    return np.where(disc < 0.0, np.sqrt(mu), real)


def momentum_rate(alpha, mu, eigenvalues) -> np.ndarray:
    r"""Heavy ball's rate :math:`\max_\lambda \rho(\alpha, \mu, \lambda)` over ``eigenvalues`` (the last axis).

    ``alpha`` and ``mu`` broadcast against each other (scalars or a grid); ``eigenvalues`` is a 1-D
    sequence of curvatures. For a spectrum that fills an interval, its two ends suffice: in the real
    region :math:`\rho` grows with :math:`|1 + \mu - \alpha\lambda|`, which is largest at an end, and in
    the complex region it is the constant :math:`\sqrt\mu`, below any real-root value.
    A rate of 1 or more means the run does not converge.
    """
    lams = np.asarray(eigenvalues, dtype=float)
    if lams.ndim != 1 or lams.size == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D sequence. Got shape {lams.shape} instead.")
    alpha, mu = np.broadcast_arrays(np.asarray(alpha, dtype=float), np.asarray(mu, dtype=float))
    return root_radius(alpha[..., None], mu[..., None], lams).max(axis=-1)


def gd_rate(alpha, eigenvalues) -> np.ndarray:
    r"""Gradient descent's rate :math:`\max_\lambda |1 - \alpha\lambda|` (heavy ball with :math:`\mu = 0`)."""
    lams = np.asarray(eigenvalues, dtype=float)
    return np.abs(1.0 - np.asarray(alpha, dtype=float)[..., None] * lams).max(axis=-1)


def critical_momentum(alpha, lam) -> np.ndarray:
    r"""Critical damping :math:`\mu = (1 - \sqrt{\alpha\lambda})^2`: where the roots for ``lam`` turn complex.

    For :math:`0 < \alpha\lambda < 4` and :math:`\mu` above this curve the two roots are complex (the
    direction oscillates and shrinks by :math:`\sqrt\mu`); below it they are real.
    """
    return (1.0 - np.sqrt(np.asarray(alpha, dtype=float) * lam)) ** 2


def optimal_gd(lambda_min: float, lambda_max: float) -> OptimalSettings:
    r"""Gradient descent's best constant step :math:`\alpha^\star = 2/(L + \lambda_{\min})`.

    Its rate is :math:`(\kappa - 1)/(\kappa + 1)` with :math:`\kappa = L/\lambda_{\min}`.
    """
    low, high = _spectrum("optimal_gd", lambda_min, lambda_max)
    kappa = high / low
    return OptimalSettings(lr=2.0 / (high + low), momentum=0.0, rate=(kappa - 1.0) / (kappa + 1.0))


def optimal_momentum(lambda_min: float, lambda_max: float) -> OptimalSettings:
    r"""Polyak's best heavy ball: :math:`\alpha^\star = (2/(\sqrt L + \sqrt{\lambda_{\min}}))^2`,
    :math:`\mu^\star = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2`, rate :math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`.

    At these settings both ends of the spectrum sit exactly on their critical-damping curves (a double
    root each), so in the long run every eigen-direction contracts by :math:`\sqrt{\mu^\star}` per step; at the
    two ends the double root adds a factor :math:`t` (the error there goes like :math:`t\,(\sqrt{\mu^\star})^t`).
    """
    low, high = _spectrum("optimal_momentum", lambda_min, lambda_max)
    root = math.sqrt(high / low)
    return OptimalSettings(
        lr=(2.0 / (math.sqrt(high) + math.sqrt(low))) ** 2,
        momentum=((root - 1.0) / (root + 1.0)) ** 2,
        rate=(root - 1.0) / (root + 1.0),
    )


def steps_per_e_fold(rate) -> np.ndarray:
    r"""Steps for the error to shrink by a factor :math:`e` at a per-step factor ``rate``: :math:`-1/\ln(\text{rate})`.

    ``inf`` for a rate of 1 or more (no convergence).
    """
    rate = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(rate < 1.0, -1.0 / np.log(np.where(rate < 1.0, rate, 0.5)), np.inf)
