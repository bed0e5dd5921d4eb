"""Exponential moving averages: the closed form, the weight they put on the data, and bias correction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adam_edu.averages import ema, weight_sum


def closed_form(values: np.ndarray, beta: float) -> np.ndarray:
    """m_t = (1 - beta) sum_{i=1..t} beta^(t-i) g_i, written as a plain double loop."""
    out = np.zeros_like(values, dtype=float)
    for t in range(1, len(values) + 1):
        out[t - 1] = (1 - beta) * sum(beta ** (t - i) * values[i - 1] for i in range(1, t + 1))
    return out


@settings(max_examples=50, deadline=None)
@given(beta=st.floats(0.0, 0.999), seed=st.integers(0, 2**32 - 1), length=st.integers(1, 60))
def test_ema_is_the_closed_form_sum(beta, seed, length):
    values = np.random.default_rng(seed).standard_normal((length, 3)) * [1e-3, 1.0, 1e3]
    np.testing.assert_allclose(ema(values, beta), closed_form(values, beta), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999])
def test_ema_of_a_long_stream_matches_the_closed_form(beta):
    values = np.random.default_rng(1).standard_normal(300)
    np.testing.assert_allclose(ema(values, beta), closed_form(values, beta), rtol=1e-9, atol=1e-13)


def test_ema_starts_at_zero_so_its_first_value_is_1_minus_beta_times_g():
    averages = ema(np.array([4.0, 4.0, 4.0]), 0.9)
    np.testing.assert_allclose(averages, [0.4, 0.76, 1.084], rtol=1e-14)  # 4 (1 - 0.9^t)


def test_ema_with_beta_zero_is_the_values_themselves():
    values = np.array([3.0, -1.0, 2.5])
    np.testing.assert_array_equal(ema(values, 0.0), values)


@pytest.mark.parametrize("beta", [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999])
@pytest.mark.parametrize("constant", [1.0, 3.7, -2.5e-6, 1e3])
def test_corrected_ema_of_a_constant_is_that_constant(beta, constant):
    """Exact in exact arithmetic: m_t = c (1 - beta^t). In float64 it holds to 1e-12 (1 - beta^t loses
    digits as beta -> 1), and exactly when every operation is exact in binary (beta = 0.5, c = 1)."""
    corrected = ema(np.full(2000, constant), beta, bias_correction=True)
    np.testing.assert_allclose(corrected, constant, rtol=1e-12)
    uncorrected = ema(np.full(2000, constant), beta)
    if beta > 0:
        assert abs(uncorrected[0]) < abs(constant)  # the cold start the correction removes


def test_corrected_ema_is_exact_when_the_arithmetic_is():
    np.testing.assert_array_equal(ema(np.ones(50), 0.5, bias_correction=True), np.ones(50))


def test_corrected_ema_divides_each_row_by_its_weight_sum():
    values = np.random.default_rng(2).standard_normal((40, 2, 3))
    corrected = ema(values, 0.8, bias_correction=True)
    assert corrected.shape == (40, 2, 3)
    t = np.arange(1, 41)[:, None, None]
    np.testing.assert_allclose(corrected, ema(values, 0.8) / (1 - 0.8**t), rtol=1e-14)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999])
def test_weight_sum_is_1_minus_beta_to_the_t(beta):
    t = np.arange(0, 500)
    np.testing.assert_allclose(weight_sum(beta, t), 1 - beta**t, rtol=1e-14, atol=0)
    assert weight_sum(beta, 0) == 0.0
    # and it is the weight the closed form puts on the values: the EMA of ones
    np.testing.assert_allclose(ema(np.ones(499), beta), weight_sum(beta, t[1:]), rtol=1e-12)


def test_weight_sum_at_a_few_familiar_points():
    assert weight_sum(0.9, 1) == pytest.approx(0.1, rel=1e-14)
    assert weight_sum(0.999, 1) == pytest.approx(0.001, rel=1e-12)
    assert weight_sum(0.999, 1000) == pytest.approx(1 - 0.999**1000, rel=1e-14)  # 0.632
    assert float(weight_sum(0.999, 1000)) == pytest.approx(0.6323, abs=1e-4)


def test_ema_keeps_its_input_and_accepts_integers():
    values = np.array([1, 2, 3])
    out = ema(values, 0.5)
    np.testing.assert_array_equal(values, [1, 2, 3])
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [0.5, 1.25, 2.125], rtol=1e-15)


def test_ema_of_nothing_is_empty():
    assert ema(np.array([]), 0.9).shape == (0,)
    assert ema(np.array([]), 0.9, bias_correction=True).shape == (0,)


@pytest.mark.parametrize("function", [ema, weight_sum])
@pytest.mark.parametrize("beta", [1.0, -0.1, 1.5, float("nan")])
def test_beta_outside_0_1_is_refused(function, beta):
    args = (np.ones(3), beta) if function is ema else (beta, 3)
    with pytest.raises(ValueError, match=rf"'beta' parameter \(β\) of {function.__name__} .*\[0, 1\)\. Got {beta!r}"):
        function(*args)


@pytest.mark.parametrize("beta", [True, "0.9", None])
def test_beta_that_is_not_a_number_is_refused(beta):
    with pytest.raises(TypeError, match=r"'beta' parameter \(β\) of ema must be a real number in \[0, 1\)"):
        ema(np.ones(3), beta)
