"""Running optimizers on the 2D test functions: shapes, determinism, seeded noise, divergence, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from adam_edu.functions import get_function
from adam_edu.optim import SGD, Adam, Momentum, RMSProp
from adam_edu.trajectories import Trajectory, gradient_noise, race, run

QUADRATIC = get_function("quadratic")  # curvatures 1 and 20: SGD is stable for lr < 2 / 20 = 0.1


def test_run_keeps_every_point_and_its_loss():
    path = run(Adam(lr=0.05), get_function("rosenbrock"), steps=150)
    assert isinstance(path, Trajectory)
    assert path.points.shape == (151, 2) and path.losses.shape == (151,)
    assert path.steps == 150
    np.testing.assert_array_equal(path.points[0], get_function("rosenbrock").start)
    np.testing.assert_array_equal(path.losses, get_function("rosenbrock").value(path.points))
    np.testing.assert_array_equal(path.final_point, path.points[-1])
    assert path.final_loss == path.losses[-1] and isinstance(path.final_loss, float)


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_run_is_the_optimizers_own_iterates(noise):
    """The points are exactly what opt.step gives on the objective's gradient plus the seeded noise."""
    opt, f, steps = Momentum(lr=0.01, momentum=0.8), get_function("himmelblau"), 60
    path = run(opt, f, start=(1.0, -1.0), steps=steps, noise=noise, seed=4)
    theta, state = np.array([1.0, -1.0]), opt.init(np.zeros(2))
    noises = gradient_noise(noise, steps, seed=4)
    for k in range(steps):
        theta, state = opt.step(theta, f.grad(theta) + noises[k], state)
        np.testing.assert_array_equal(path.points[k + 1], theta)


def test_run_is_deterministic():
    for noise in (0.0, 1.0):
        first = run(Adam(lr=0.1), get_function("beale"), steps=200, noise=noise, seed=3)
        second = run(Adam(lr=0.1), get_function("beale"), steps=200, noise=noise, seed=3)
        np.testing.assert_array_equal(first.points, second.points)
        np.testing.assert_array_equal(first.losses, second.losses)


def test_noise_is_seeded():
    same = [run(Adam(lr=0.1), QUADRATIC, steps=80, noise=2.0, seed=7).points for _ in range(2)]
    other = run(Adam(lr=0.1), QUADRATIC, steps=80, noise=2.0, seed=8).points
    clean = run(Adam(lr=0.1), QUADRATIC, steps=80).points
    np.testing.assert_array_equal(same[0], same[1])
    assert np.abs(same[0] - other).max() > 1e-3
    assert np.abs(same[0] - clean).max() > 1e-3
    # without noise the seed plays no part
    np.testing.assert_array_equal(clean, run(Adam(lr=0.1), QUADRATIC, steps=80, seed=99).points)


def test_gradient_noise_has_the_asked_shape_scale_and_seed():
    noise = gradient_noise(0.5, 20_000, seed=1)
    assert noise.shape == (20_000, 2)
    assert noise.std(axis=0) == pytest.approx([0.5, 0.5], rel=0.02)
    assert np.abs(noise.mean(axis=0)).max() < 0.02
    np.testing.assert_array_equal(noise, gradient_noise(0.5, 20_000, seed=1))
    assert not np.array_equal(noise, gradient_noise(0.5, 20_000, seed=2))
    np.testing.assert_array_equal(gradient_noise(0.0, 5), np.zeros((5, 2)))
    np.testing.assert_array_equal(gradient_noise(2.0, 100, seed=1), 4 * gradient_noise(0.5, 100, seed=1))


@pytest.mark.parametrize("scale", [-0.1, float("nan")])
def test_gradient_noise_refuses_a_negative_or_nan_scale(scale):
    with pytest.raises(ValueError, match=r"noise scale must be a real number in \[0, inf\)\. Got"):
        gradient_noise(scale, 10)


def test_too_large_a_learning_rate_diverges_on_the_quadratic():
    assert run(SGD(lr=0.11), QUADRATIC, steps=2000).diverged  # 0.11 > 2 / 20
    assert run(SGD(lr=0.5), QUADRATIC, steps=1000).diverged
    stable = run(SGD(lr=0.09), QUADRATIC, steps=2000)
    assert not stable.diverged and stable.final_loss < 1e-100
    exploded = run(SGD(lr=0.5), QUADRATIC, steps=1000)
    assert not np.all(np.isfinite(exploded.losses)) and np.isfinite(exploded.losses[0])


def test_a_run_that_has_not_overflowed_yet_is_not_diverged():
    path = run(SGD(lr=0.5), QUADRATIC, steps=20)
    assert not path.diverged and path.final_loss > 1e10  # diverging, but still finite


def test_zero_steps_is_just_the_start():
    path = run(Adam(), QUADRATIC, start=(1.0, 2.0), steps=0)
    np.testing.assert_array_equal(path.points, [[1.0, 2.0]])
    assert path.steps == 0 and path.losses.shape == (1,)


@pytest.mark.parametrize("steps", [-1, 2.5, True, "10", None, 10.0])
def test_bad_steps_are_refused(steps):
    with pytest.raises(ValueError, match=r"steps must be an integer in \[0, inf\)\. Got"):
        run(Adam(), QUADRATIC, steps=steps)


def test_numpy_integer_steps_are_fine():
    assert run(Adam(), QUADRATIC, steps=np.int64(5)).points.shape == (6, 2)


@pytest.mark.parametrize("start", [(1.0,), (1.0, 2.0, 3.0), [[1.0, 2.0]], 3.0])
def test_a_start_that_is_not_a_2d_point_is_refused(start):
    with pytest.raises(ValueError, match=r"start must be a point \(x, y\)\. Got shape"):
        run(Adam(), QUADRATIC, start=start, steps=3)


def test_label_defaults_to_the_optimizers_repr():
    assert run(RMSProp(lr=0.01), QUADRATIC, steps=2).label == "RMSProp(lr=0.01, beta2=0.99, eps=1e-08)"
    assert run(RMSProp(), QUADRATIC, steps=2, label="mine").label == "mine"


def test_race_runs_each_optimizer_from_the_same_start_with_the_same_noise():
    optimizers = {"SGD": SGD(lr=0.05), "Adam": Adam(lr=0.1), "momentum": Momentum(lr=0.01)}
    paths = race(optimizers, QUADRATIC, start=(3.0, 1.0), steps=40, noise=0.3, seed=5)
    assert list(paths) == ["SGD", "Adam", "momentum"]
    for label, opt in optimizers.items():
        alone = run(opt, QUADRATIC, start=(3.0, 1.0), steps=40, noise=0.3, seed=5, label=label)
        np.testing.assert_array_equal(paths[label].points, alone.points)
        assert paths[label].label == label
    # SGD with the same seed in a race sees exactly run's noise: the first step shows it
    first = paths["SGD"].points[1]
    expected = np.array([3.0, 1.0]) - 0.05 * (QUADRATIC.grad(np.array([3.0, 1.0])) + gradient_noise(0.3, 40, 5)[0])
    np.testing.assert_array_equal(first, expected)


def test_trajectories_are_immutable():
    path = run(Adam(), QUADRATIC, steps=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        path.label = "other"
