"""The in-place Adam step computes what Adam.step computes, over many steps and whole arrays."""

import numpy as np
import pytest

from adam_edu.fast import InPlaceAdam
from adam_edu.optim import Adam


def _pure_run(opt, theta, grads):
    state = opt.init(theta)
    for g in grads:
        theta, state = opt.step(theta, g, state)
    return theta, state


@pytest.mark.parametrize(
    "opt",
    [Adam(), Adam(lr=0.05, beta1=0.5, beta2=0.9, eps=1e-6), Adam(weight_decay=0.1), Adam(bias_correction=False)],
    ids=["defaults", "other-hyperparameters", "weight-decay", "no-bias-correction"],
)
def test_in_place_matches_adam_step_over_many_steps_float64(opt):
    rng = np.random.default_rng(0)
    theta0 = rng.standard_normal((7, 5))
    grads = rng.standard_normal((50, 7, 5)) * np.geomspace(1e-6, 1e2, 5)
    expected, state = _pure_run(opt, theta0, grads)
    theta = theta0.copy()
    fast = InPlaceAdam(opt, theta)
    for g in grads:
        fast.step(theta, g)
    np.testing.assert_allclose(theta, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fast.m, state.m, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(fast.v, state.v, rtol=1e-12, atol=1e-300)
    assert fast.t == state.t == 50


def test_in_place_matches_adam_step_in_float32_and_keeps_the_dtype():
    rng = np.random.default_rng(1)
    theta0 = rng.standard_normal(1000).astype(np.float32)
    grads = rng.standard_normal((20, 1000)).astype(np.float32)
    expected, _ = _pure_run(Adam(lr=1e-2), theta0, grads)
    theta = theta0.copy()
    fast = InPlaceAdam(Adam(lr=1e-2), theta)
    for g in grads:
        fast.step(theta, g)
    assert theta.dtype == fast.m.dtype == fast.v.dtype == np.float32
    np.testing.assert_allclose(theta, expected, rtol=1e-5, atol=1e-6)


def test_step_overwrites_theta_and_leaves_grad_alone():
    theta = np.zeros(3)
    grad = np.array([1.0, -2.0, 0.5])
    fast = InPlaceAdam(Adam(lr=0.1, weight_decay=0.5), theta)
    before = id(theta)
    fast.step(theta, grad)
    assert id(theta) == before
    np.testing.assert_allclose(theta, [-0.1, 0.1, -0.1])
    np.testing.assert_array_equal(grad, [1.0, -2.0, 0.5])


def test_state_bytes_are_two_copies_of_the_parameters():
    fast = InPlaceAdam(Adam(), np.zeros(1000, dtype=np.float32))
    assert fast.state_bytes == 2 * 4 * 1000
    assert "t=0" in repr(fast)


def test_bad_arguments_are_refused_with_a_message():
    with pytest.raises(TypeError, match="must be an Adam"):
        InPlaceAdam(object(), np.zeros(2))
    with pytest.raises(TypeError, match="floating"):
        InPlaceAdam(Adam(), np.zeros(2, dtype=int))
    fast = InPlaceAdam(Adam(), np.zeros(2))
    with pytest.raises(ValueError, match="theta"):
        fast.step(np.zeros(2, dtype=np.float32), np.zeros(2))
    with pytest.raises(ValueError, match="grad"):
        fast.step(np.zeros(2), np.zeros(3))
