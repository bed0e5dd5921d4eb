"""Closed-form rates of gradient descent and heavy ball against numerical eigenvalues and against real runs."""

import numpy as np
import pytest

from adam_edu.optim import SGD, Momentum
from adam_edu.rates import (
    critical_momentum,
    gd_rate,
    momentum_rate,
    optimal_gd,
    optimal_momentum,
    root_radius,
    steps_per_e_fold,
)


def _spectral_radius(alpha, mu, lam):
    """The plain definition: the largest |eigenvalue| of the 2x2 iteration matrix."""
    matrix = np.array([[1 + mu - alpha * lam, -mu], [1.0, 0.0]])
    return np.abs(np.linalg.eigvals(matrix)).max()


def _run_quadratic(optimizer, eigenvalues, steps):
    """Distances ||theta_t|| of a run on f = 0.5 sum(lam_i theta_i^2) from theta_0 = 1."""
    lams = np.asarray(eigenvalues, dtype=float)
    theta, state = np.ones_like(lams), optimizer.init(np.ones_like(lams))
    norms = [np.linalg.norm(theta)]
    for _ in range(steps):
        theta, state = optimizer.step(theta, lams * theta, state)
        norms.append(np.linalg.norm(theta))
    return np.array(norms)


def test_root_radius_matches_the_eigenvalues_of_the_iteration_matrix():
    rng = np.random.default_rng(0)
    alpha, mu, lam = rng.uniform(0, 0.05, 400), rng.uniform(0, 0.999, 400), rng.uniform(1, 100, 400)
    expected = [_spectral_radius(a, m, x) for a, m, x in zip(alpha, mu, lam, strict=True)]
    np.testing.assert_allclose(root_radius(alpha, mu, lam), expected, rtol=1e-6)


def test_the_ends_of_the_spectrum_give_the_rate_of_the_whole_interval():
    alpha, mu = np.meshgrid(np.linspace(0.001, 0.04, 25), np.linspace(0, 0.95, 20))
    dense = momentum_rate(alpha, mu, np.linspace(1.0, 100.0, 2001))
    np.testing.assert_allclose(momentum_rate(alpha, mu, [1.0, 100.0]), dense, rtol=1e-12)


def test_no_momentum_is_gradient_descent():
    alpha = np.linspace(0.001, 0.03, 30)
    np.testing.assert_allclose(momentum_rate(alpha, 0.0, [1.0, 100.0]), gd_rate(alpha, [1.0, 100.0]), rtol=1e-12)


@pytest.mark.parametrize("kappa", [10.0, 100.0, 400.0])
def test_polyak_settings_are_the_best_point_of_a_grid(kappa):
    best = optimal_momentum(1.0, kappa)
    root = np.sqrt(kappa)
    assert best.rate == pytest.approx((root - 1) / (root + 1), rel=1e-12)
    numerical = max(_spectral_radius(best.lr, best.momentum, lam) for lam in (1.0, kappa))
    assert numerical == pytest.approx(best.rate, rel=1e-6)  # a double root: eigvals lose half the digits
    alpha, mu = np.meshgrid(np.linspace(0.2, 2.0, 181) * best.lr, np.linspace(0.0, 0.999, 400))
    assert momentum_rate(alpha, mu, [1.0, kappa]).min() >= best.rate - 1e-9


@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_gradient_descent_optimum(kappa):
    best = optimal_gd(1.0, kappa)
    assert best.lr == pytest.approx(2 / (kappa + 1), rel=1e-12)
    assert float(gd_rate(best.lr, [1.0, kappa])) == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-12)
    grid = np.linspace(0.1, 2.0, 1901) * best.lr
    assert gd_rate(grid, [1.0, kappa]).min() >= best.rate - 1e-12


@pytest.mark.parametrize(
    ("lr", "momentum"),
    [(0.01, 0.5), (0.015, 0.9), (0.03, 0.3), (0.005, 0.0)],  # real roots, complex roots, the steep end, GD
)
def test_a_momentum_run_contracts_at_the_predicted_rate(lr, momentum):
    eigenvalues = [1.0, 7.0, 30.0, 100.0]
    norms = _run_quadratic(Momentum(lr=lr, momentum=momentum), eigenvalues, steps=700)
    # peak over a window of 40 steps, 500 steps apart: oscillation (complex roots) averages out
    measured = (norms[600:640].max() / norms[100:140].max()) ** (1 / 500)
    assert measured == pytest.approx(float(momentum_rate(lr, momentum, eigenvalues)), abs=2e-3)


def test_a_gradient_descent_run_contracts_at_its_rate():
    norms = _run_quadratic(SGD(lr=0.015), [1.0, 100.0], steps=300)
    assert (norms[300] / norms[100]) ** (1 / 200) == pytest.approx(float(gd_rate(0.015, [1.0, 100.0])), abs=1e-6)


def test_critical_damping_separates_real_from_complex_roots():
    alpha, lam = 0.01, 25.0  # alpha * lam = 0.25, critical mu = 0.25
    mu_c = float(critical_momentum(alpha, lam))
    assert mu_c == pytest.approx(0.25, rel=1e-12)
    above = np.linalg.eigvals([[1 + mu_c + 1e-3 - alpha * lam, -(mu_c + 1e-3)], [1, 0]])
    below = np.linalg.eigvals([[1 + mu_c - 1e-3 - alpha * lam, -(mu_c - 1e-3)], [1, 0]])
    assert np.all(np.abs(above.imag) > 0) and np.all(below.imag == 0)
    assert float(root_radius(alpha, mu_c + 1e-3, lam)) == pytest.approx(np.sqrt(mu_c + 1e-3), rel=1e-12)


@pytest.mark.parametrize("kappa", [100.0, 400.0])
def test_steps_per_e_fold_grow_like_kappa_and_sqrt_kappa(kappa):
    assert float(steps_per_e_fold(optimal_gd(1.0, kappa).rate)) == pytest.approx(kappa / 2, rel=0.01)
    assert float(steps_per_e_fold(optimal_momentum(1.0, kappa).rate)) == pytest.approx(np.sqrt(kappa) / 2, rel=0.01)
    assert float(steps_per_e_fold(np.exp(-1.0))) == pytest.approx(1.0, rel=1e-12)
    assert np.isinf(steps_per_e_fold(1.0))


def test_bad_spectra_raise_naming_the_parameter():
    with pytest.raises(ValueError, match="lambda_min"):
        optimal_momentum(0.0, 10.0)
    with pytest.raises(ValueError, match="lambda_max"):
        optimal_gd(10.0, 1.0)
    with pytest.raises(ValueError, match="eigenvalues"):
        momentum_rate(0.01, 0.5, [])
