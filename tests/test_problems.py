"""The shifted test function and the small logistic regression used by the derivation notebooks."""

import numpy as np
import pytest

from adam_edu.functions import get_function, quadratic
from adam_edu.optim import SGD, Adam
from adam_edu.problems import LogisticRegression, shifted, train


def test_shifted_function_has_its_minimum_moved():
    bowl = shifted(quadratic(condition=5.0), (2.0, 1.0))
    assert bowl.minima == ((2.0, 1.0),)
    assert float(bowl.value(np.array([2.0, 1.0]))) == 0.0
    assert np.all(bowl.grad(np.array([2.0, 1.0])) == 0.0)
    assert bowl.start == (-3.0, 3.0)
    assert bowl.xlim == (-4.0, 8.0)


def test_shifted_values_and_gradients_are_the_originals_moved():
    rosen = get_function("rosenbrock")
    moved = shifted(rosen, (-1.0, 0.5), start=(0.0, 0.0))
    points = np.random.default_rng(0).standard_normal((20, 2))
    assert moved.value(points + np.array([-1.0, 0.5])) == pytest.approx(rosen.value(points), rel=1e-12)
    assert moved.grad(points + np.array([-1.0, 0.5])) == pytest.approx(rosen.grad(points), rel=1e-12)
    assert moved.start == (0.0, 0.0)


def test_logistic_gradient_matches_finite_differences():
    problem = LogisticRegression.synthetic(n=100, dim=4, seed=3)
    w = np.random.default_rng(1).standard_normal(4)
    h = 1e-6
    numeric = [(problem.loss(w + h * e) - problem.loss(w - h * e)) / (2 * h) for e in np.eye(4)]
    assert problem.grad(w) == pytest.approx(numeric, abs=1e-7)
    assert problem.loss(np.zeros(4)) == pytest.approx(np.log(2.0))


def test_synthetic_data_repeats_with_the_seed_and_labels_are_binary():
    a, b = LogisticRegression.synthetic(seed=5), LogisticRegression.synthetic(seed=5)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert set(np.unique(a.y)) == {0.0, 1.0}
    assert a.X.shape == (1000, 10)


def test_training_is_deterministic_and_adam_lowers_the_loss():
    problem = LogisticRegression.synthetic(n=300, dim=6)
    first = train(Adam(lr=0.05), problem, steps=90, batch_size=16)
    again = train(Adam(lr=0.05), problem, steps=90, batch_size=16)
    assert np.array_equal(first.losses, again.losses)
    assert len(first.losses) == 4 and first.final_loss < 0.8 * first.losses[0]
    assert first.max_steps[0] == pytest.approx(0.05)  # Adam's first step is lr on every coordinate


def test_a_diverged_run_reports_infinite_loss():
    problem = LogisticRegression.synthetic(n=100, dim=3)
    run = train(SGD(lr=1e300), problem, steps=5, every=1)
    assert run.final_loss == float("inf") or run.final_loss > 1e100


def test_bad_steps_raise():
    with pytest.raises(ValueError, match="steps"):
        train(Adam(), LogisticRegression.synthetic(n=10, dim=2), steps=0)
