"""The playground's plain-float fast path gives the trajectories of adam_edu.trajectories.run, within a tolerance.

The two paths evaluate the same formulas, but not with the same instructions: ``run`` computes the quadratics'
gradient with a BLAS matrix product (which may use fused multiply-adds, depending on the CPU's kernels) and powers
with numpy's SIMD ``pow``, the fast path with Python floats. They may differ by an ulp per gradient, and a run
can amplify an ulp without bound (a chaotic or diverging run does within a few steps). So the comparison asks,
for each run, how much ``run`` itself moves when every gradient is nudged by one ulp, and compares the fast
path with ``run`` over the steps where that nudge moved the point by at most ``SENSITIVITY`` (relative to
``max(|theta|, 1)``): there they must agree to ``RTOL``.

Measured on the grid and 1,500 random settings of the tests below (an AVX-512 machine, where the two paths do
differ on the rotated quadratic): the fast path differed from ``run`` by at most 3.4e-15 on the grid and 1.5e-12
on random settings over the steps compared, where a one-ulp nudge moved ``run`` by at most ``SENSITIVITY``. A
wrong formula (a sign, a swapped beta, an exponent off by one, eps inside the square root) moves the points by far
more than ``RTOL`` within a few steps.
"""

import dataclasses
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adam_edu.functions import FUNCTIONS, Objective, get_function
from adam_edu.optim import SGD, Adam, NAdam, RAdam
from adam_edu.trajectories import race, run
from adam_edu.widgets.fastpath import fast_race, fast_run, scalar_gradient, supported
from adam_edu.widgets.settings import OPTIMIZERS, PlaygroundSettings, build_optimizer

pytestmark = pytest.mark.filterwarnings("error")  # a diverging run must overflow quietly, as run() does

EXAMPLES = int(os.environ.get("ADAM_EDU_HYPOTHESIS_EXAMPLES", "40"))  # raise it for a thorough local run

SENSITIVITY = 1e-12  # compare the steps that a one-ulp nudge of every gradient moves by at most this much
RTOL = 1e-9  # there the fast path must agree with run() to this (relative to max(|theta|, 1))
GRADIENT_RTOL = 1e-12  # one gradient evaluation: a few ulps of the largest term, with a wide margin


def _nudged(objective: Objective, direction: int) -> Objective:
    """The objective with every nonzero gradient coordinate moved one ulp away from 0 (direction 1) or towards it
    (-1): what another CPU's kernels can do to ``run``'s gradients. Zeros stay zeros (they are exact)."""
    grad = objective.grad

    def nudged(points):
        g = grad(points)
        return np.where(g == 0, g, np.nextafter(g, direction * np.copysign(np.inf, g)))

    return dataclasses.replace(objective, grad=nudged)


def _relative_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per point: the largest coordinate difference over ``max(|b|, 1)``; inf where either point is not finite."""
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0), axis=-1)
    return np.where(np.isfinite(gap), gap, np.inf)


def _assert_agree(fast, optimizer, objective, steps, start=None, label=None) -> int:
    """Compare ``fast`` with ``run`` over the steps a one-ulp nudge leaves within SENSITIVITY; return their count."""
    slow = run(optimizer, objective, start=start, steps=steps, label=label)
    nudged = [run(optimizer, _nudged(objective, d), start=start, steps=steps) for d in (1, -1)]
    sensitivity = np.maximum(*(_relative_gap(n.points, slow.points) for n in nudged))
    beyond = sensitivity > SENSITIVITY
    compared = int(np.argmax(beyond)) if beyond.any() else steps + 1
    gap = _relative_gap(fast.points[:compared], slow.points[:compared])
    worst = int(np.argmax(gap)) if compared else 0
    assert compared == 0 or gap[worst] <= RTOL, (
        f"{optimizer!r} on {objective.name}: the fast path is {gap[worst]:.2e} (relative) from run() after {worst} "
        f"steps: {fast.points[worst]} against {slow.points[worst]} (steps compared: {compared})"
    )
    with np.errstate(over="ignore", invalid="ignore"):
        values = objective.value(fast.points)
    np.testing.assert_allclose(fast.losses, values, rtol=GRADIENT_RTOL, atol=0, equal_nan=True)
    if all(n.diverged == slow.diverged for n in nudged):  # else a one-ulp nudge decides whether it diverges
        assert fast.diverged == slow.diverged
    assert fast.label == slow.label
    assert fast.points.shape == slow.points.shape
    return compared


def _assert_same_run(fast, slow):
    """For the fallbacks: fast_run *is* run() there, so the result is the same computation repeated, bit for bit."""
    np.testing.assert_array_equal(fast.points, slow.points)
    np.testing.assert_array_equal(fast.losses, slow.losses)
    assert fast.label == slow.label


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_scalar_gradient_matches_the_numpy_gradient(function):
    objective = get_function(function)
    grad = scalar_gradient(objective)
    points = np.random.default_rng(0).uniform(-3, 3, size=(500, 2))
    want = np.array([objective.grad(p) for p in points])  # one point at a time, as run() calls it
    got = np.array([grad(x, y) for x, y in points.tolist()])
    np.testing.assert_allclose(got, want, rtol=GRADIENT_RTOL, atol=GRADIENT_RTOL * np.abs(want).max())


# Bounded runs of the grid below that a one-ulp nudge changes visibly within 300 steps (chaotic, not diverging).
CHAOTIC = {("rosenbrock", "NAdam", 0.3)}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_fast_run_agrees_with_run_for_every_optimizer_and_function(name, function):
    objective = get_function(function)
    for lr, correction in ((0.003, True), (0.05, False), (0.3, True)):
        optimizer = build_optimizer(name, PlaygroundSettings(optimizers=(), lr=lr, bias_correction=correction))
        assert supported(optimizer, objective)
        fast = fast_run(optimizer, objective, steps=300)
        compared = _assert_agree(fast, optimizer, objective, steps=300)
        if fast.diverged:
            assert compared >= 4  # the overflow comes after a few steps, which are compared
        elif (function, name, lr) not in CHAOTIC:
            assert compared == 301, f"{optimizer!r} on {function}: only {compared} of 301 points compared"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(list(OPTIMIZERS)),
    function=st.sampled_from(list(FUNCTIONS)),
    lr=st.floats(1e-4, 0.5),
    beta1=st.sampled_from([0.0, 0.5, 0.9, 0.99]),
    beta2=st.sampled_from([0.0, 0.5, 0.9, 0.99, 0.999, 0.9999]),
    eps=st.sampled_from([1e-12, 1e-8, 1e-3]),
    x=st.floats(-2, 2),
    y=st.floats(-2, 2),
)
def test_fast_run_agrees_with_run_for_random_settings(name, function, lr, beta1, beta2, eps, x, y):
    s = PlaygroundSettings(optimizers=(), lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    optimizer = build_optimizer(name, s)
    objective = get_function(function)
    _assert_agree(fast_run(optimizer, objective, start=(x, y), steps=120), optimizer, objective, 120, start=(x, y))


def test_weight_decay_and_other_hyperparameters_are_honoured():
    objective = get_function("rosenbrock")
    for optimizer in (Adam(lr=0.01, weight_decay=0.1), NAdam(momentum_decay=0.01, weight_decay=0.05), RAdam(beta2=0.9)):
        assert _assert_agree(fast_run(optimizer, objective, steps=100), optimizer, objective, 100) == 101


@pytest.mark.parametrize("function", ["rosenbrock", "beale", "himmelblau"])
def test_a_diverging_run_diverges_the_same_way(function):
    optimizer, objective = SGD(lr=1.0), get_function(function)
    fast = fast_run(optimizer, objective, steps=50)
    assert fast.diverged
    _assert_agree(fast, optimizer, objective, 50)


def test_a_wrong_formula_is_caught():
    """The comparison is strict enough: Adam with its second moment decayed by beta1 instead of beta2 fails it."""
    objective = get_function("rotated_quadratic")
    wrong = fast_run(Adam(lr=0.05, beta2=0.9), objective, steps=300)
    with pytest.raises(AssertionError, match="the fast path is"):
        _assert_agree(wrong, Adam(lr=0.05), objective, 300)


def test_division_by_zero_falls_back_to_numpy():
    optimizer = Adam(lr=0.1, eps=0.0)
    objective = get_function("saddle")  # from (-1.5, 0) the second gradient coordinate is 0: 0/0 without eps
    with np.errstate(divide="ignore", invalid="ignore"):
        _assert_same_run(fast_run(optimizer, objective, steps=5), run(optimizer, objective, steps=5))


def test_unknown_objectives_and_optimizer_subclasses_use_the_reference_run():
    custom = dataclasses.replace(get_function("saddle"), name="my_saddle")
    assert scalar_gradient(custom) is None and isinstance(custom, Objective)
    _assert_same_run(fast_run(Adam(lr=0.1), custom, steps=20), run(Adam(lr=0.1), custom, steps=20))

    @dataclasses.dataclass(frozen=True)
    class MyAdam(Adam):
        pass

    assert not supported(MyAdam(), get_function("beale"))
    _assert_same_run(
        fast_run(MyAdam(lr=0.1), get_function("beale"), steps=20), run(MyAdam(lr=0.1), get_function("beale"), steps=20)
    )


def test_fast_race_agrees_with_race():
    s = PlaygroundSettings(optimizers=tuple(OPTIMIZERS), lr=0.02)
    optimizers = {name: build_optimizer(name, s) for name in s.optimizers}
    objective = get_function("himmelblau")
    fast, slow = fast_race(optimizers, objective, steps=150), race(optimizers, objective, steps=150)
    assert list(fast) == list(slow)
    for name in slow:
        compared = _assert_agree(fast[name], optimizers[name], objective, 150, label=name)
        assert compared == 151 or fast[name].diverged  # Nesterov diverges here
