"""The 2D test functions: gradients against finite differences, minima, vectorized evaluation, lookup."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from adam_edu.functions import FUNCTIONS, Objective, get_function, quadratic

NAMES = ["quadratic", "rotated_quadratic", "rosenbrock", "beale", "saddle", "himmelblau"]
EXTRA = {
    "quadratic-k100-30deg": quadratic(condition=100.0, angle=np.pi / 6),
    "quadratic-k1": quadratic(condition=1.0),
}
ALL = {**FUNCTIONS, **EXTRA}


def random_points(f: Objective, n: int, seed: int) -> np.ndarray:
    """n points drawn uniformly in the function's plotting window."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(*f.xlim, n), rng.uniform(*f.ylim, n)])


def central_differences(f: Objective, point: np.ndarray, h: float = 1e-6) -> np.ndarray:
    step = h * max(1.0, float(np.abs(point).max()))
    return np.array([(f.value(point + step * e) - f.value(point - step * e)) / (2 * step) for e in np.eye(2)])


def test_the_registry_has_the_documented_names():
    assert list(FUNCTIONS) == NAMES
    for name, f in FUNCTIONS.items():
        assert f.name == name
        assert get_function(name) is f


@pytest.mark.parametrize("name", list(ALL))
def test_gradient_matches_central_finite_differences(name):
    f = ALL[name]
    for point in random_points(f, 40, seed=len(name)):
        numeric = central_differences(f, point)
        exact = f.grad(point)
        scale = max(1.0, float(np.abs(exact).max()))
        np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-6 * scale, err_msg=str(point))


def test_rosenbrock_gradient_at_the_classic_start():
    np.testing.assert_allclose(get_function("rosenbrock").grad(np.array([-1.2, 1.0])), [-215.6, -88.0], rtol=1e-12)
    assert get_function("rosenbrock").value(np.array([-1.2, 1.0])) == pytest.approx(24.2, rel=1e-12)


@pytest.mark.parametrize("name", [n for n in NAMES if FUNCTIONS[n].min_value is not None])
def test_value_at_every_listed_minimum_is_the_minimum_value(name):
    f = get_function(name)
    assert f.minima
    for point in f.minima:
        assert f.value(np.array(point)) == pytest.approx(f.min_value, abs=1e-9)
        assert np.abs(f.grad(np.array(point))).max() < 1e-4
    # and no point of a fine grid over the window is lower
    assert f.grid(300)[2].min() >= f.min_value - 1e-12


def hessian(f: Objective, point: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Finite-difference Hessian of the exact gradient."""
    return np.column_stack([(f.grad(point + h * e) - f.grad(point - h * e)) / (2 * h) for e in np.eye(2)])


def test_himmelblau_has_its_four_minima_at_the_listed_points():
    f = get_function("himmelblau")
    assert len(f.minima) == 4
    for point in f.minima:
        exact = np.array(point)
        for _ in range(8):  # Newton's method from the listed point
            exact = exact - np.linalg.solve(hessian(f, exact), f.grad(exact))
        np.testing.assert_allclose(exact, point, atol=1e-6)  # listed to 6 decimals
        assert f.value(exact) < 1e-20
        assert np.all(np.linalg.eigvalsh(hessian(f, exact)) > 1.0)  # a minimum, not a saddle


def test_rosenbrock_and_beale_minima_are_exact():
    assert get_function("rosenbrock").value(np.array([1.0, 1.0])) == 0.0
    assert get_function("beale").value(np.array([3.0, 0.5])) == 0.0
    np.testing.assert_array_equal(get_function("beale").grad(np.array([3.0, 0.5])), [0.0, 0.0])


def test_saddle_has_no_minimum_and_is_unbounded_below():
    f = get_function("saddle")
    assert f.minima == () and f.min_value is None
    assert f.value(np.array([0.0, 10.0])) == -100.0
    np.testing.assert_array_equal(f.grad(np.array([0.0, 0.0])), [0.0, 0.0])  # a stationary point, not a minimum
    points = random_points(f, 5, seed=0)
    np.testing.assert_array_equal(f.gap(points), f.value(points))


@pytest.mark.parametrize("angle", [0.0, np.pi / 6, np.pi / 4, 1.0])
@pytest.mark.parametrize("condition", [1.0, 20.0, 1000.0])
def test_quadratic_has_curvature_1_and_kappa_along_its_turned_axes(condition, angle):
    f = quadratic(condition=condition, angle=angle)
    u = np.array([np.cos(angle), np.sin(angle)])  # the gentle axis
    w = np.array([-np.sin(angle), np.cos(angle)])  # the steep axis
    for r in (0.5, 2.0, -3.0):
        assert f.value(r * u) == pytest.approx(0.5 * r**2, rel=1e-12)
        assert f.value(r * w) == pytest.approx(0.5 * condition * r**2, rel=1e-12)
        np.testing.assert_allclose(f.grad(r * w), condition * r * w, rtol=1e-12, atol=1e-12 * condition)
    assert f.name == ("rotated_quadratic" if angle else "quadratic")
    assert f"{condition:g}" in f.formula


@pytest.mark.parametrize("condition", [0.5, 0.0, -1.0, float("nan")])
def test_quadratic_refuses_a_condition_below_1(condition):
    with pytest.raises(ValueError, match=r"condition \(κ\) must be a real number in \[1, inf\)\. Got"):
        quadratic(condition=condition)


@pytest.mark.parametrize("name", list(ALL))
def test_vectorized_evaluation_on_a_grid_keeps_the_grid_shape(name):
    f = ALL[name]
    X, Y, Z = f.grid(resolution=37)
    assert X.shape == Y.shape == Z.shape == (37, 37)
    assert X[0, 0] == f.xlim[0] and X[0, -1] == f.xlim[1] and Y[0, 0] == f.ylim[0] and Y[-1, 0] == f.ylim[1]
    points = np.stack([X, Y], axis=-1)
    grads = f.grad(points)
    assert grads.shape == (37, 37, 2)
    # the same numbers as one point at a time
    for i, j in [(0, 0), (5, 30), (36, 36), (18, 2)]:
        assert Z[i, j] == pytest.approx(float(f.value(points[i, j])), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(grads[i, j], f.grad(points[i, j]), rtol=1e-12, atol=1e-12)
    batch = random_points(f, 11, seed=1).reshape(11, 1, 2)
    assert f.value(batch).shape == (11, 1)
    assert f(batch).shape == (11, 1)  # calling the objective is its value
    assert f.grad(batch).shape == (11, 1, 2)


@pytest.mark.parametrize("name", NAMES)
def test_start_and_minima_lie_in_the_plotting_window(name):
    f = get_function(name)
    for x, y in (f.start, *f.minima):
        assert f.xlim[0] <= x <= f.xlim[1] and f.ylim[0] <= y <= f.ylim[1]
    if f.min_value is not None:
        assert f.value(np.array(f.start)) > f.min_value  # the start is not already a minimum
    assert f.formula.startswith("$")


@pytest.mark.parametrize("name", NAMES)
def test_points_need_two_coordinates_in_the_last_axis(name):
    f = get_function(name)
    for bad in (np.zeros(3), np.zeros((4, 1)), np.zeros(())):
        with pytest.raises(ValueError, match=r"2 coordinates in the last axis\. Got shape"):
            f.value(bad)
        with pytest.raises(ValueError, match=r"2 coordinates in the last axis"):
            f.grad(bad)


def test_gap_is_the_distance_to_the_minimum_value():
    f = dataclasses.replace(get_function("quadratic"), min_value=-2.0)
    np.testing.assert_array_equal(f.gap(np.zeros((3, 2))), [2.0, 2.0, 2.0])


def test_get_function_lists_the_names_when_it_does_not_know_one():
    with pytest.raises(ValueError) as error:
        get_function("rosenbrok")
    text = str(error.value)
    assert "'rosenbrok'" in text
    for name in NAMES:
        assert name in text


def test_objectives_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_function("beale").start = (0.0, 0.0)
