"""Online optimization and Reddi et al.'s counterexample: Adam goes to the worst point, AMSGrad to the best.

Numbers from ADAM_REFERENCE section 2: C = 3, beta1 = 0, beta2 = 0.1, x clipped to [-1, 1].
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from adam_edu.online import OnlineRun, ReddiProblem, run_online
from adam_edu.optim import SGD, Adam, AMSGrad

PROBLEM = ReddiProblem(C=3.0)


def reddi_optimizers(lr: float) -> tuple[Adam, AMSGrad]:
    return Adam(lr=lr, beta1=0.0, beta2=0.1), AMSGrad(lr=lr, beta1=0.0, beta2=0.1)


@pytest.fixture(scope="module")
def long_runs() -> dict[str, OnlineRun]:
    """alpha_t = 0.1 / sqrt(t), 30,000 steps (about a second each)."""
    adam, amsgrad = reddi_optimizers(0.1)
    return {
        "Adam": run_online(adam, PROBLEM, 30_000, decay_lr=True),
        "AMSGrad": run_online(amsgrad, PROBLEM, 30_000, decay_lr=True),
    }


def test_with_a_constant_lr_adam_ends_at_the_worst_point_and_amsgrad_near_the_best():
    adam, amsgrad = reddi_optimizers(0.01)
    adam_run = run_online(adam, PROBLEM, 3000)
    amsgrad_run = run_online(amsgrad, PROBLEM, 3000)
    assert adam_run.final_point == 1.0  # +1: the worst point, pinned there by the clip
    assert amsgrad_run.final_point < -0.99  # measured -0.9930
    assert adam_run.average_regret > 0.6 and amsgrad_run.average_regret < 0.06  # measured 0.646, 0.054


def test_with_alpha_over_sqrt_t_adams_average_regret_stays_at_2_c_minus_2_over_3(long_runs):
    """Theorem 4.1 says R(T)/T -> 0; on this problem Adam's stays near 2(C - 2)/3 = 2/3 (measured 0.6647)."""
    adam = long_runs["Adam"]
    assert adam.final_point == 1.0
    assert adam.average_regret == pytest.approx(2 * (PROBLEM.C - 2) / 3, abs=0.01)
    # not a transient: R(t)/t is already near 2/3 over the last half of the run
    t = np.arange(1, 30_001)
    assert np.all(np.abs(adam.regret[15_000:] / t[15_000:] - 2 / 3) < 0.01)


def test_with_alpha_over_sqrt_t_amsgrad_converges_to_the_best_point(long_runs):
    amsgrad = long_runs["AMSGrad"]
    assert amsgrad.final_point < -0.999  # measured -0.9996
    assert amsgrad.average_regret < 0.01  # measured 0.0068
    assert long_runs["AMSGrad"].regret[-1] < long_runs["Adam"].regret[-1] / 50


def test_sgd_has_no_trouble_with_the_problem():
    run = run_online(SGD(lr=0.1), PROBLEM, 3000, decay_lr=True)
    assert run.final_point < -0.99
    assert run.average_regret < 0.05


def test_the_problem_has_one_large_gradient_in_three():
    assert [PROBLEM.grad(t) for t in range(1, 8)] == [3.0, -1.0, -1.0, 3.0, -1.0, -1.0, 3.0]
    assert ReddiProblem(C=5.0).grad(10) == 5.0
    assert PROBLEM.loss(1, 0.5) == 1.5 and PROBLEM.loss(2, 0.5) == -0.5
    assert PROBLEM.best_point == -1.0
    # three steps sum to (C - 2) x, minimised at x = -1
    assert PROBLEM.best_total_loss(3) == -(PROBLEM.C - 2)
    assert PROBLEM.best_total_loss(30) == pytest.approx(-10 * (PROBLEM.C - 2))


@pytest.mark.parametrize("C", [2.0, 1.0, -3.0, float("nan")])
def test_c_must_exceed_2(C):
    with pytest.raises(ValueError, match=r"'C' parameter \(C\) of ReddiProblem must be a real number in \(2, inf\)"):
        ReddiProblem(C=C)


def test_run_online_plays_then_suffers_then_steps_then_clips():
    """loss_t = f_t(x_{t-1}); x_t = clip(step from x_{t-1} with lr / sqrt(t)); regret = cumsum - best."""
    opt, steps = Adam(lr=0.5, beta1=0.0, beta2=0.1), 40
    run = run_online(opt, PROBLEM, steps, x0=0.9, decay_lr=True)
    assert run.points.shape == (steps + 1,) and run.losses.shape == run.regret.shape == (steps,)
    x, state = np.array([0.9]), opt.init(np.zeros(1))
    assert run.points[0] == 0.9
    for t in range(1, steps + 1):
        assert run.losses[t - 1] == PROBLEM.loss(t, float(x[0]))
        x, state = dataclasses.replace(opt, lr=0.5 / math.sqrt(t)).step(x, np.array([PROBLEM.grad(t)]), state)
        x = np.clip(x, -1.0, 1.0)
        assert run.points[t] == x[0]
    best = np.cumsum([PROBLEM.loss(t, -1.0) for t in range(1, steps + 1)])
    np.testing.assert_array_equal(run.regret, np.cumsum(run.losses) - best)
    assert run.average_regret == run.regret[-1] / steps
    assert run.final_point == run.points[-1]
    assert np.all((run.points >= -1) & (run.points <= 1))
    assert np.any(run.points == 1.0) or np.any(run.points == -1.0)  # the clip was needed


def test_without_decay_the_lr_stays_constant():
    opt = SGD(lr=0.01)
    run = run_online(opt, PROBLEM, 6)
    # SGD: x_t = x_{t-1} - 0.01 g_t with g = 3, -1, -1, 3, -1, -1
    np.testing.assert_allclose(run.points, [0.0, -0.03, -0.02, -0.01, -0.04, -0.03, -0.02], atol=1e-15)
