"""The paper's claims about Adam as properties, with the numbers of ADAM_REFERENCE section 4 (float64).

Where a property is about the step Delta_t = theta_t - theta_{t-1}, :func:`step_sequence` hands the
optimizer theta = 0 at every step (with the state it carries): for an update that does not depend on
theta (no weight decay), the returned "theta" is then exactly Delta_t, with no rounding from adding it
to a parameter.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adam_edu.optim import AdaGrad, Adam, AdaMax, AdamW, AMSGrad, NAdam, RMSProp

PROPERTY = settings(max_examples=50, deadline=None)

lrs = st.floats(1e-5, 1.0)
beta1s = st.floats(0.0, 0.99)
beta2s = st.floats(0.0, 0.9999)
epsilons = st.sampled_from([0.0, 1e-10, 1e-8, 1e-6, 1e-3])
seeds = st.integers(0, 2**32 - 1)


def mixed_scale(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """Nonzero values of random sign and magnitude 10**uniform(-6, 3)."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(-6, 3, size=shape)


def step_sequence(opt, grads: np.ndarray) -> np.ndarray:
    """Delta_1..Delta_T of ``opt`` on the gradients ``grads[k]``: every step taken from theta = 0."""
    zero = np.zeros_like(grads[0])
    state, steps = opt.init(zero), []
    for g in grads:
        delta, state = opt.step(zero, g, state)
        steps.append(delta)
    return np.array(steps)


# --- 1. The first step --------------------------------------------------------------------------------


@PROPERTY
@given(seed=seeds, lr=lrs, beta1=beta1s, beta2=beta2s, eps=epsilons)
def test_first_step_is_lr_times_g_over_abs_g_plus_eps(seed, lr, beta1, beta2, eps):
    """Delta_1 = -alpha g / (|g| + eps) whatever beta1, beta2: bias correction makes m_hat = g, v_hat = g^2."""
    g = mixed_scale(seed, (4, 5))
    for opt in (
        Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps),
        AMSGrad(lr=lr, beta1=beta1, beta2=beta2, eps=eps),
        AdamW(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=0.0),
    ):
        np.testing.assert_allclose(step_sequence(opt, g[None])[0], -lr * g / (np.abs(g) + eps), rtol=1e-12)


def test_first_step_is_lr_times_sign_up_to_eps_at_g_1e_minus_6():
    g = 1e-6 * np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
    delta = step_sequence(Adam(), g[None])[0]
    np.testing.assert_allclose(np.abs(delta) / 1e-3, 0.9900990099, rtol=1e-10)  # 1 / (1 + 1e-8 / 1e-6)
    np.testing.assert_array_equal(np.sign(delta), -np.sign(g))


# --- 2. A constant gradient ----------------------------------------------------------------------------


@PROPERTY
@given(seed=seeds, lr=lrs, beta1=beta1s, beta2=beta2s, eps=epsilons)
def test_constant_gradient_gives_the_same_step_every_time(seed, lr, beta1, beta2, eps):
    """m_hat_t = g and v_hat_t = g^2 for every t, so every step is alpha g / (|g| + eps).

    rtol 1e-10: 1 - beta2^t loses up to log10(1 / (1 - beta2)) digits when beta2 is near 1.
    """
    g = mixed_scale(seed, (7,))
    steps = step_sequence(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps), np.broadcast_to(g, (200, 7)))
    np.testing.assert_allclose(steps, np.broadcast_to(-lr * g / (np.abs(g) + eps), (200, 7)), rtol=1e-10)


# --- 3. Algorithm 1 and the "efficient" form (end of Section 2) ----------------------------------------


def efficient_form_steps(grads, lr, beta1, beta2, eps_hat) -> np.ndarray:
    """alpha_t = alpha sqrt(1 - beta2^t) / (1 - beta1^t); Delta_t = -alpha_t m_t / (sqrt(v_t) + eps_hat_t).

    ``eps_hat(t)`` gives the epsilon of step t.
    """
    m = v = np.zeros_like(grads[0])
    steps = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        alpha_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        steps.append(-alpha_t * m / (np.sqrt(v) + eps_hat(t)))
    return np.array(steps)


@PROPERTY
@given(seed=seeds, lr=lrs, beta1=beta1s, beta2=beta2s, eps=epsilons)
def test_algorithm_1_equals_the_efficient_form_with_eps_hat_eps_sqrt_1_minus_beta2_t(seed, lr, beta1, beta2, eps):
    grads = mixed_scale(seed, (200, 6)) * np.random.default_rng(seed).standard_normal((200, 6))
    ours = step_sequence(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps), grads)
    efficient = efficient_form_steps(grads, lr, beta1, beta2, lambda t: eps * math.sqrt(1 - beta2**t))
    np.testing.assert_allclose(ours, efficient, rtol=1e-12, atol=0)


def test_a_constant_eps_hat_is_not_algorithm_1_on_small_gradients():
    """keras-style constant eps_hat = 1e-8: on |g| ~ 1e-6 the early steps differ by O(1) relative."""
    grads = 1e-6 * np.random.default_rng(0).standard_normal((1000, 3))
    ours = step_sequence(Adam(), grads)
    constant = efficient_form_steps(grads, 1e-3, 0.9, 0.999, lambda t: 1e-8)
    relative = np.abs(ours - constant) / np.abs(constant)
    # first step, per coordinate: (|g| + eps / sqrt(1 - beta2)) / (|g| + eps) - 1
    g = np.abs(grads[0])
    np.testing.assert_allclose(relative[0], (g + 1e-8 / math.sqrt(1e-3)) / (g + 1e-8) - 1, rtol=1e-9)
    assert 2.0 < relative[0].max() < 2.5  # ~2.3 (ADAM_REFERENCE 4.3) on this seed's smallest |g|
    assert 0.02 < relative[9].max() < 0.3  # the gap shrinks as 1 - beta2^t grows
    # exactly 0.3032 at |g| = 1e-6 on the first step
    one = step_sequence(Adam(), np.full((1, 1), 1e-6))[0, 0]
    one_constant = efficient_form_steps(np.full((1, 1), 1e-6), 1e-3, 0.9, 0.999, lambda t: 1e-8)[0, 0]
    assert one / one_constant - 1 == pytest.approx(0.303195808, rel=1e-8)


# --- 4. Scale invariance with eps = 0 ------------------------------------------------------------------

SCALE_INVARIANT = [
    Adam(eps=0.0),
    Adam(lr=0.01, beta1=0.5, beta2=0.9, eps=0.0),
    AMSGrad(eps=0.0),
    AdamW(eps=0.0, weight_decay=0.0),
    NAdam(eps=0.0),
    AdaMax(),
    RMSProp(eps=0.0),
    AdaGrad(eps=0.0),
]


@PROPERTY
@given(seed=seeds, which=st.sampled_from(range(len(SCALE_INVARIANT))))
def test_with_eps_zero_gradients_times_1e4_give_the_same_trajectory(seed, which):
    opt = SCALE_INVARIANT[which]
    grads = mixed_scale(seed, (150, 2, 3)) * np.random.default_rng(seed).standard_normal((150, 2, 3))
    theta0 = np.random.default_rng(seed + 1).standard_normal((2, 3))
    paths = []
    for scale in (1.0, 1e4):
        theta, state, path = theta0, opt.init(theta0), []
        for g in grads:
            theta, state = opt.step(theta, scale * g, state)
            path.append(theta)
        paths.append(np.array(path))
    np.testing.assert_allclose(paths[1], paths[0], rtol=1e-12, atol=1e-15)
    assert np.abs(paths[0][-1] - theta0).min() > 0  # it moved


def test_with_eps_the_scale_matters_on_small_gradients():
    """The counter-check: eps = 1e-8 breaks the invariance when |g| is near eps."""
    grads = 1e-7 * np.random.default_rng(1).standard_normal((50, 4))
    small = step_sequence(Adam(), grads)
    large = step_sequence(Adam(), 1e4 * grads)
    assert np.max(np.abs(small - large) / np.abs(large)) > 0.05


# --- 5. Without bias correction ------------------------------------------------------------------------


def test_without_bias_correction_the_first_step_is_3_16_alpha():
    g = mixed_scale(2, (3, 3))
    delta = step_sequence(Adam(eps=0.0, bias_correction=False), g[None])[0]
    np.testing.assert_allclose(np.abs(delta) / 1e-3, 3.16227766, rtol=1e-8)
    np.testing.assert_allclose(np.abs(delta) / 1e-3, 0.1 / math.sqrt(0.001), rtol=1e-12)


@PROPERTY
@given(seed=seeds, lr=lrs, beta1=beta1s, beta2=beta2s)
def test_without_bias_correction_the_first_step_is_alpha_1_minus_beta1_over_sqrt_1_minus_beta2(seed, lr, beta1, beta2):
    g = mixed_scale(seed, (5,))
    delta = step_sequence(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=0.0, bias_correction=False), g[None])[0]
    np.testing.assert_allclose(delta, -lr * np.sign(g) * (1 - beta1) / math.sqrt(1 - beta2), rtol=1e-12)


# --- 6. One gradient spike after zeros -----------------------------------------------------------------


def spike_ratio(T: int, beta1: float = 0.9, beta2: float = 0.999) -> float:
    return (1 - beta1) * math.sqrt(1 - beta2**T) / ((1 - beta1**T) * math.sqrt(1 - beta2))


@pytest.mark.parametrize(
    ("T", "expected"), [(1, 1.0), (10, 0.484426), (100, 0.975771), (1000, 2.514567), (20_000, 3.162278)]
)
def test_a_spike_after_zeros_moves_by_the_predicted_multiple_of_alpha(T, expected):
    """T - 1 zero gradients, then g: |Delta_T| / alpha = (1-b1) sqrt(1-b2^T) / ((1-b1^T) sqrt(1-b2))."""
    g = np.array([[1e3, -300.0], [500.0, -1e3]])  # large, so eps = 1e-8 is negligible (< 1e-8 relative)
    grads = np.zeros((T, 2, 2))
    grads[-1] = g
    steps = step_sequence(Adam(), grads)
    np.testing.assert_array_equal(steps[:-1], 0.0)
    m_hat, v_hat = 0.1 * np.abs(g) / (1 - 0.9**T), 1e-3 * g**2 / (1 - 0.999**T)  # the only nonzero m, v
    np.testing.assert_allclose(np.abs(steps[-1]), 1e-3 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(np.abs(steps[-1]) / 1e-3, spike_ratio(T), rtol=1e-8)
    np.testing.assert_allclose(np.abs(steps[-1]) / 1e-3, expected, atol=5e-7)
    np.testing.assert_array_equal(np.sign(steps[-1]), -np.sign(g))


def test_the_spike_ratio_tends_to_the_uncorrected_first_step():
    assert spike_ratio(10**6) == pytest.approx(0.1 / math.sqrt(0.001), rel=1e-12)


# --- 7. The AdaGrad limit (Section 5) ------------------------------------------------------------------


def adam_with_decaying_lr(beta2: float, grads: np.ndarray, alpha: float = 0.1) -> np.ndarray:
    """beta1 = 0, eps = 0, alpha_t = alpha / sqrt(t): returns theta_T from theta_0 = 0."""
    opt = Adam(lr=alpha, beta1=0.0, beta2=beta2, eps=0.0)
    theta, state = np.zeros_like(grads[0]), opt.init(grads[0])
    for t, g in enumerate(grads, start=1):
        theta, state = dataclasses.replace(opt, lr=alpha / math.sqrt(t)).step(theta, g, state)
    return theta


def test_adam_tends_to_adagrad_as_beta2_tends_to_1():
    """beta1 = 0, alpha_t = alpha / sqrt(t), eps = 0, T = 200: the gap to AdaGrad is O(1 - beta2).

    Measured on this seed: relative gap of theta_T 3.0e-3, 3.0e-5, 3.0e-7 for 1 - beta2 = 1e-3, 1e-5, 1e-7.
    """
    grads = np.random.default_rng(0).standard_normal((200, 5))
    adagrad = step_sequence(AdaGrad(lr=0.1, eps=0.0), grads).sum(axis=0)  # theta_T from theta_0 = 0
    gaps = []
    for one_minus_beta2 in (1e-3, 1e-5, 1e-7):
        theta = adam_with_decaying_lr(1 - one_minus_beta2, grads)
        gaps.append(np.max(np.abs(theta - adagrad) / np.abs(adagrad)))
    assert 2e-3 < gaps[0] < 4e-3
    assert 2e-5 < gaps[1] < 4e-5
    assert 2e-7 < gaps[2] < 4e-7
    assert 90 < gaps[0] / gaps[1] < 110 and 90 < gaps[1] / gaps[2] < 110  # linear in 1 - beta2


def test_without_the_decaying_lr_adam_is_not_adagrad():
    """The alpha / sqrt(t) schedule is part of the limit: with a constant alpha the gap is O(1)."""
    grads = np.random.default_rng(0).standard_normal((200, 5))
    adagrad = step_sequence(AdaGrad(lr=0.1, eps=0.0), grads).sum(axis=0)
    constant = step_sequence(Adam(lr=0.1, beta1=0.0, beta2=1 - 1e-7, eps=0.0), grads).sum(axis=0)
    assert np.max(np.abs(constant - adagrad) / np.abs(adagrad)) > 1.0
