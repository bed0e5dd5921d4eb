"""Regret on the online quadratic, and the second moments behind Reddi et al.'s Gamma_t."""

import itertools

import numpy as np
import pytest

from adam_edu.convergence import OnlineQuadratic, run_online_convex, second_moments
from adam_edu.online import ReddiProblem
from adam_edu.optim import SGD, Adam, AMSGrad, RMSProp


def test_best_total_losses_match_a_brute_force_minimum():
    problem = OnlineQuadratic.noisy(40, dim=2, noise=1.5, seed=3)
    grid = np.linspace(-1, 1, 401)
    for t in (1, 7, 40):
        z = problem.targets[:t]
        per_coordinate = [min(0.5 * np.sum((x - z[:, k]) ** 2) for x in grid) for k in range(2)]
        assert problem.best_total_losses()[t - 1] == pytest.approx(sum(per_coordinate), abs=1e-3)


def test_best_point_is_clipped_to_the_box():
    problem = OnlineQuadratic(targets=np.full((5, 1), 3.0))
    # best x is 1 (the box edge): each loss is (1 - 3)^2 / 2 = 2
    np.testing.assert_allclose(problem.best_total_losses(), 2.0 * np.arange(1, 6))


def test_regret_is_losses_minus_the_best_and_points_stay_in_the_box():
    problem = OnlineQuadratic.noisy(200, dim=3, noise=2.0)
    run = run_online_convex(Adam(lr=0.5), problem)
    assert run.points.shape == (201, 3)
    assert np.all(np.abs(run.points) <= 1.0)
    np.testing.assert_allclose(run.regret, np.cumsum(run.losses) - problem.best_total_losses())


def test_adam_average_regret_shrinks_under_the_theorems_assumptions():
    problem = OnlineQuadratic.noisy(5000, dim=5)
    run = run_online_convex(Adam(lr=0.1), problem, beta1_decay=0.999)
    average = [run.regret[t - 1] / t for t in (10, 100, 1000, 5000)]
    assert all(a > b for a, b in itertools.pairwise(average))
    assert average[-1] < 0.01


def test_sgd_with_constant_lr_runs_without_decays():
    problem = OnlineQuadratic.noisy(50)
    run = run_online_convex(SGD(lr=0.1), problem, decay_lr=False)
    assert run.points.shape == (51, 1)


def test_second_moments_of_adam_are_bias_corrected_v():
    grads = np.array([3.0, -1.0, -1.0, 3.0])
    v, expected = 0.0, []
    for t, g in enumerate(grads, 1):
        v = 0.1 * v + 0.9 * g**2
        expected.append(v / (1 - 0.1**t))
    np.testing.assert_allclose(second_moments(Adam(beta1=0.0, beta2=0.1), grads), expected, rtol=1e-14)


def test_second_moments_of_amsgrad_use_the_running_max_and_raw_v_without_correction():
    grads = np.array([3.0, -1.0, -1.0, 3.0])
    ams = second_moments(AMSGrad(beta2=0.1), grads)
    raw_max = np.maximum.accumulate([8.1, 1.71, 1.071, 8.2071])
    np.testing.assert_allclose(ams, raw_max / (1 - 0.1 ** np.arange(1, 5)), rtol=1e-12)
    raw = second_moments(Adam(beta2=0.1, bias_correction=False), grads)
    np.testing.assert_allclose(raw, [8.1, 1.71, 1.071, 8.2071], rtol=1e-12)


def test_gamma_goes_negative_for_adam_and_not_for_amsgrad_on_reddis_problem():
    problem = ReddiProblem(C=3.0)
    grads = np.array([problem.grad(t) for t in range(1, 301)])
    scale = np.sqrt(np.arange(1, 301)) / 0.1  # 1 / alpha_t with alpha_t = 0.1 / sqrt(t)
    for opt, negative in ((Adam(beta1=0.0, beta2=0.1), True), (AMSGrad(beta1=0.0, beta2=0.1), False)):
        root = np.sqrt(second_moments(opt, grads)) * scale
        assert bool(np.diff(root).min() < 0) is negative


def test_second_moments_refuses_other_optimizers():
    with pytest.raises(TypeError, match="Adam or AMSGrad"):
        second_moments(RMSProp(), np.ones(3))
