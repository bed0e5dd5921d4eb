"""adam_edu.recording: runs that keep gradients and states, checked against run() and plain formulas."""

import warnings

import numpy as np
import pytest

from adam_edu.functions import get_function, quadratic
from adam_edu.optim import SGD, AdaGrad, Adam, Momentum, RMSProp
from adam_edu.recording import Recording, feed, record
from adam_edu.trajectories import run


@pytest.mark.parametrize("name", ["quadratic", "rosenbrock", "saddle"])
@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_record_visits_the_same_points_as_run(name, noise):
    f = get_function(name)
    opt = Adam(lr=0.05)
    rec = record(opt, f, steps=50, noise=noise, seed=3)
    path = run(opt, f, steps=50, noise=noise, seed=3)
    np.testing.assert_array_equal(rec.points, path.points)
    np.testing.assert_array_equal(rec.losses, path.losses)
    assert rec.trajectory().label == path.label


def test_record_keeps_the_gradient_each_step_saw():
    f = quadratic()
    rec = record(SGD(lr=0.01), f, steps=20, noise=0.5, seed=1)
    clean = f.grad(rec.points[:-1])
    noise = rec.grads - clean
    np.testing.assert_allclose(noise, 0.5 * np.random.default_rng(1).standard_normal((20, 2)), rtol=1e-12)
    np.testing.assert_allclose(rec.updates, -0.01 * rec.grads, rtol=1e-12)


def test_states_start_with_init_and_count_steps():
    rec = record(Momentum(lr=0.01, momentum=0.9), quadratic(), steps=7)
    assert len(rec.states) == 8
    assert rec.steps == 7
    np.testing.assert_array_equal(rec.state_array("t"), np.arange(8))
    np.testing.assert_array_equal(rec.state_array("velocity")[0], np.zeros(2))


def test_momentum_velocity_is_the_discounted_sum_of_all_gradients():
    mu = 0.8
    rec = record(Momentum(lr=0.02, momentum=mu), get_function("rosenbrock"), steps=30, noise=0.1)
    velocity = rec.state_array("velocity")
    for t in range(1, 31):
        weights = mu ** np.arange(t - 1, -1, -1)
        np.testing.assert_allclose(velocity[t], weights @ rec.grads[:t], rtol=1e-12)


def test_feed_adagrad_constant_gradient_steps_shrink_as_one_over_sqrt_t():
    rec = feed(AdaGrad(lr=0.5, eps=0.0), np.full((100, 3), 2.0))
    t = np.arange(1, 101)[:, None]
    np.testing.assert_allclose(rec.updates, -0.5 / np.sqrt(t) * np.ones((1, 3)), rtol=1e-12)
    np.testing.assert_allclose(rec.state_array("sum_sq")[-1], 400.0)


def test_feed_rmsprop_second_moment_is_the_ema_of_squares():
    beta2 = 0.9
    grads = np.random.default_rng(0).standard_normal((40, 2))
    rec = feed(RMSProp(lr=0.01, beta2=beta2), grads)
    v = np.zeros(2)
    for k, g in enumerate(grads):
        v = beta2 * v + (1 - beta2) * g**2
        np.testing.assert_allclose(rec.state_array("v")[k + 1], v, rtol=1e-12)


def test_feed_starts_at_the_given_point_and_has_no_losses():
    rec = feed(SGD(lr=1.0), np.ones((3, 2)), start=[5.0, 5.0])
    np.testing.assert_array_equal(rec.points[-1], [2.0, 2.0])
    assert rec.losses is None
    with pytest.raises(ValueError, match="no losses"):
        rec.trajectory()


def test_unknown_state_field_names_the_fields_there_are():
    rec = feed(SGD(lr=1.0), np.ones((2, 1)))
    with pytest.raises(ValueError, match="fields are: t"):
        rec.state_array("velocity")


@pytest.mark.parametrize("steps", [-1, 2.5, True])
def test_record_refuses_bad_step_counts(steps):
    with pytest.raises(ValueError, match="steps must be an integer"):
        record(SGD(), quadratic(), steps=steps)


def test_record_refuses_a_start_that_is_not_a_point():
    with pytest.raises(ValueError, match="start must be a point"):
        record(SGD(), quadratic(), start=[1.0, 2.0, 3.0])


def test_feed_refuses_mismatched_start_and_scalar_streams():
    with pytest.raises(ValueError, match="shape of one gradient"):
        feed(SGD(), np.ones((3, 2)), start=[0.0])
    with pytest.raises(ValueError, match=r"shape \(steps, ...\)"):
        feed(SGD(), 1.0)


def test_diverging_run_is_kept_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = record(SGD(lr=0.2), quadratic(), steps=400)
    assert not np.all(np.isfinite(rec.losses))
    assert isinstance(rec, Recording)
