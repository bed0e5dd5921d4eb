"""The playground's plain-float fast path gives the trajectories of adam_edu.trajectories.run."""

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


def _assert_same(fast, slow):
    """Bit for bit: the same formulas in the same order (a tolerance would not do: a chaotic run turns a
    last-bit difference into a visible one within a hundred steps)."""
    assert fast.diverged == slow.diverged
    np.testing.assert_array_equal(fast.points, slow.points)
    np.testing.assert_array_equal(fast.losses, slow.losses)
    assert fast.label == slow.label


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_scalar_gradient_equals_the_numpy_gradient_bit_for_bit(function):
    objective = get_function(function)
    grad = scalar_gradient(objective)
    points = np.random.default_rng(0).uniform(-3, 3, size=(500, 2))
    want = np.array([objective.grad(p) for p in points])  # one point at a time, as run() calls it
    got = np.array([grad(x, y) for x, y in points.tolist()])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_fast_run_equals_run_for_every_optimizer_and_function(name, function):
    objective = get_function(function)
    for lr, correction in ((0.003, True), (0.05, False), (0.3, True)):
        optimizer = build_optimizer(name, PlaygroundSettings(optimizers=(), lr=lr, bias_correction=correction))
        assert supported(optimizer, objective)
        _assert_same(fast_run(optimizer, objective, steps=300), run(optimizer, objective, steps=300))


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
def test_fast_run_equals_run_for_random_settings(name, function, lr, beta1, beta2, eps, x, y):
    s = PlaygroundSettings(optimizers=(), lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    optimizer = build_optimizer(name, s)
    objective = get_function(function)
    _assert_same(
        fast_run(optimizer, objective, start=(x, y), steps=120), run(optimizer, objective, start=(x, y), steps=120)
    )


def test_weight_decay_and_other_hyperparameters_are_honoured():
    objective = get_function("rosenbrock")
    for optimizer in (Adam(lr=0.01, weight_decay=0.1), NAdam(momentum_decay=0.01, weight_decay=0.05), RAdam(beta2=0.9)):
        _assert_same(fast_run(optimizer, objective, steps=100), run(optimizer, objective, steps=100))


@pytest.mark.parametrize("function", ["rosenbrock", "beale", "himmelblau"])
def test_a_diverging_run_diverges_the_same_way(function):
    optimizer, objective = SGD(lr=1.0), get_function(function)
    fast, slow = fast_run(optimizer, objective, steps=50), run(optimizer, objective, steps=50)
    assert slow.diverged
    _assert_same(fast, slow)


def test_division_by_zero_falls_back_to_numpy():
    optimizer = Adam(lr=0.1, eps=0.0)
    objective = get_function("saddle")  # from (-1.5, 0) the second gradient coordinate is 0: 0/0 without eps
    with np.errstate(divide="ignore", invalid="ignore"):
        _assert_same(fast_run(optimizer, objective, steps=5), run(optimizer, objective, steps=5))


def test_unknown_objectives_and_optimizer_subclasses_use_the_reference_run():
    custom = dataclasses.replace(get_function("saddle"), name="my_saddle")
    assert scalar_gradient(custom) is None and isinstance(custom, Objective)
    _assert_same(fast_run(Adam(lr=0.1), custom, steps=20), run(Adam(lr=0.1), custom, steps=20))

    @dataclasses.dataclass(frozen=True)
    class MyAdam(Adam):
        pass

    assert not supported(MyAdam(), get_function("beale"))
    _assert_same(
        fast_run(MyAdam(lr=0.1), get_function("beale"), steps=20), run(MyAdam(lr=0.1), get_function("beale"), steps=20)
    )


def test_fast_race_equals_race():
    s = PlaygroundSettings(optimizers=tuple(OPTIMIZERS), lr=0.02)
    optimizers = {name: build_optimizer(name, s) for name in s.optimizers}
    objective = get_function("himmelblau")
    fast, slow = fast_race(optimizers, objective, steps=150), race(optimizers, objective, steps=150)
    assert list(fast) == list(slow)
    for name in slow:
        _assert_same(fast[name], slow[name])
