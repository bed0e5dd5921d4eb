"""L^p moments and their L^infinity limit, checked against Adam's v, an EMA and AdaMax's u."""

import itertools

import numpy as np
import pytest

from adam_edu.averages import ema
from adam_edu.lp_norms import lp_moment, weighted_max
from adam_edu.optim import Adam, AdaMax
from adam_edu.recording import feed


@pytest.fixture
def grads():
    rng = np.random.default_rng(0)
    return rng.standard_normal((300, 4)) * np.exp(rng.standard_normal((300, 4)))


def test_p_equal_two_is_the_square_root_of_adams_v_with_decay_beta2_squared(grads):
    beta2 = 0.99
    v = feed(Adam(beta2=beta2**2), grads).state_array("v")[1:]
    assert lp_moment(grads, beta2, p=2) == pytest.approx(np.sqrt(v), rel=1e-12)


def test_p_equal_one_is_the_moving_average_of_absolute_gradients(grads):
    assert lp_moment(grads, 0.9, p=1) == pytest.approx(ema(np.abs(grads), 0.9), rel=1e-12)


def test_weighted_max_is_adamax_u(grads):
    u = feed(AdaMax(beta2=0.95), grads).state_array("u")[1:]
    assert weighted_max(grads, 0.95) == pytest.approx(u, rel=1e-12)


def test_lp_moment_tends_to_the_weighted_max_and_stays_in_its_sandwich(grads):
    beta2, t = 0.999, np.arange(1, len(grads) + 1)[:, None]
    u = weighted_max(grads, beta2)
    errors = []
    for p in [1, 4, 16, 64, 256, 1024]:
        root = lp_moment(grads, beta2, p)
        factor = (1 - beta2**p) ** (1 / p)
        assert np.all(root >= factor * u * (1 - 1e-12))
        assert np.all(root <= factor * t ** (1 / p) * u * (1 + 1e-12))
        errors.append(np.max(np.abs(root / u - 1)))
    assert all(a > b for a, b in itertools.pairwise(errors))
    assert errors[-1] < 0.01


def test_huge_p_and_huge_gradients_neither_overflow_nor_underflow():
    g = np.array([1e200, 1e-200, 0.0, 3.0])
    root = lp_moment(g, 0.5, p=1e4)
    assert np.all(np.isfinite(root))
    assert root == pytest.approx(weighted_max(g, 0.5), rel=1e-3)


def test_zero_gradients_give_zero():
    assert np.all(lp_moment(np.zeros((5, 2)), 0.9, p=3) == 0)
    assert np.all(weighted_max(np.zeros((5, 2)), 0.9) == 0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: lp_moment(np.ones(3), 1.0, 2),
        lambda: lp_moment(np.ones(3), 0.9, 0),
        lambda: lp_moment(np.ones(0), 0.9, 2),
        lambda: weighted_max(np.float64(1.0), 0.9),
        lambda: weighted_max(np.ones(3), 0.0),
    ],
)
def test_bad_arguments_raise(call):
    with pytest.raises(ValueError, match=r"beta2|'p'|gradients"):
        call()
