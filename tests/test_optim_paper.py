"""Adam and AdaMax (and Lion, Yogi) against the papers' pseudocode, written out plainly: one coordinate at a
time, Python floats.

The references below copy Kingma & Ba (arXiv:1412.6980) Algorithm 1 (Adam) and Algorithm 2 /
Section 7.1 (AdaMax) line by line, with no numpy in the update, so they share no code with
``adam_edu.optim``. Each test runs 500 steps on whole arrays with gradients of mixed scales and
compares every step and the final moments.

Ours and the reference take every step from the same theta_{t-1} with the same g_t, each keeping its
own moments for all 500 steps. Only theta is shared: with gradients that depend on theta, Adam near a
minimum amplifies last-digit differences chaotically, and independent runs would part after ~50 steps
for no fault of either.

Lion is Chen et al.'s Program 1 (arXiv:2302.06675), Yogi Zaheer et al.'s Algorithm 2 (NeurIPS 2018), with
and without Adam's bias correction (d2l's variant); torch 2.13 has neither.

The last Adam tests check that the comparison would catch the bugs other courses shipped
(ADAM_REFERENCE section 5): each bug, put into the reference, breaks the comparison.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from adam_edu.optim import Adam, AdaMax, Lion, Yogi

STEPS = 500
RTOL = 1e-12


class PaperAdam:
    """Algorithm 1, one coordinate at a time. ``bug`` puts in one classic mistake, to show it is caught."""

    def __init__(self, alpha, beta1, beta2, eps, bias_correction=True, bug=None):
        self.alpha, self.beta1, self.beta2, self.eps = alpha, beta1, beta2, eps
        self.bias_correction, self.bug = bias_correction, bug

    def init(self, n: int) -> dict:
        t = 1 if self.bug == "t_off_by_one" else 0  # Initialize timestep
        return {"t": t, "m": [0.0] * n, "v": [0.0] * n}  # Initialize 1st and 2nd moment vectors

    def step(self, theta: list[float], g: list[float], state: dict) -> list[float]:
        bug, alpha, eps = self.bug, self.alpha, self.eps
        beta1, beta2 = (self.beta2, self.beta1) if bug == "betas_swapped" else (self.beta1, self.beta2)
        if bug != "t_never_incremented" or state["t"] == 0:
            state["t"] = state["t"] + 1
        t, m, v = state["t"], state["m"], state["v"]
        theta = list(theta)
        for i in range(len(theta)):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * (abs(g[i]) if bug == "abs_for_square" else g[i] ** 2)
            power = 2 if bug == "square_for_power_t" else t
            if self.bias_correction and bug != "no_bias_correction":
                m_hat = m[i] / (1 - beta1**power)
                v_hat = v[i] / (1 - beta2**power)
            else:
                m_hat, v_hat = m[i], v[i]
            if bug == "eps_inside_sqrt":
                theta[i] = theta[i] - alpha * m_hat / math.sqrt(v_hat + eps)
            elif bug == "sign_flip":
                theta[i] = theta[i] + alpha * m_hat / (math.sqrt(v_hat) + eps)
            else:
                theta[i] = theta[i] - alpha * m_hat / (math.sqrt(v_hat) + eps)
        return theta


class PaperAdaMax:
    """Algorithm 2 (Section 7.1): u_t = max(beta2 u_{t-1}, |g_t|), theta -= (alpha / (1 - beta1^t)) m_t / u_t."""

    def __init__(self, alpha, beta1, beta2):
        self.alpha, self.beta1, self.beta2 = alpha, beta1, beta2

    def init(self, n: int) -> dict:
        return {"t": 0, "m": [0.0] * n, "u": [0.0] * n}  # u: the exponentially weighted infinity norm

    def step(self, theta: list[float], g: list[float], state: dict) -> list[float]:
        state["t"] = t = state["t"] + 1
        m, u = state["m"], state["u"]
        theta = list(theta)
        for i in range(len(theta)):
            m[i] = self.beta1 * m[i] + (1 - self.beta1) * g[i]
            u[i] = max(self.beta2 * u[i], abs(g[i]))
            if u[i] > 0:  # u = 0 only if every gradient so far was 0; then m = 0 and the step is 0
                theta[i] = theta[i] - (self.alpha / (1 - self.beta1**t)) * m[i] / u[i]
        return theta


def run_lockstep(opt, reference, theta0: np.ndarray, grad: Callable):
    """Ours and the reference from the same theta_{t-1} with the same g_t at every step.

    Returns ``before`` (the theta_{t-1}), ``ours`` and ``theirs`` (the theta_t), each of shape
    (T, *shape), and both final states.
    """
    theta, state = theta0.copy(), opt.init(theta0)
    reference_state = reference.init(theta0.size)
    before, ours, theirs = [], [], []
    for k in range(STEPS):
        g = grad(theta, k)
        theirs.append(reference.step(theta.ravel().tolist(), g.ravel().tolist(), reference_state))
        before.append(theta)
        theta, state = opt.step(theta, g, state)
        ours.append(theta)
    return np.array(before), np.array(ours), np.reshape(theirs, (STEPS, *theta0.shape)), state, reference_state


def gradients(kind: str, shape: tuple[int, ...], seed: int) -> Callable[[np.ndarray, int], np.ndarray]:
    """Mixed-scale noise (each coordinate's scale in [1e-6, 1e3]), alone or plus a pull toward 0."""
    rng = np.random.default_rng(seed)
    noise = 10.0 ** rng.uniform(-6, 3, size=shape) * rng.standard_normal((STEPS, *shape))
    if kind == "noise":
        return lambda theta, k: noise[k]
    curvature = rng.uniform(0.1, 2.0, size=shape)
    return lambda theta, k: curvature * theta + 1e-2 * noise[k]


def assert_same_steps(before: np.ndarray, ours: np.ndarray, theirs: np.ndarray) -> None:
    """Every step Delta_t equal to rtol 1e-12 (absolute floor: a few roundings of theta itself)."""
    assert ours.shape == theirs.shape == before.shape
    steps, reference_steps = ours - before, theirs - before
    assert np.all(reference_steps != 0), "every coordinate must move at every step"
    bad = np.abs(steps - reference_steps) > RTOL * np.abs(reference_steps) + 1e-15 * np.abs(before)
    assert not bad.any(), f"{bad.sum()} steps differ, first at (step, *index) {np.argwhere(bad)[0].tolist()}"


ADAM_SETTINGS = [
    {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},  # the paper's defaults
    {"lr": 0.05, "beta1": 0.5, "beta2": 0.99, "eps": 1e-6},
    {"lr": 0.01, "beta1": 0.0, "beta2": 0.9, "eps": 0.0},
    {"lr": 2e-3, "beta1": 0.95, "beta2": 0.9999, "eps": 1e-4},
]
ADAM_IDS = ["defaults", "fast", "beta1=0-eps=0", "long-memory"]


@pytest.mark.parametrize("kind", ["noise", "linear"])
@pytest.mark.parametrize("shape", [(3, 4), (6,)], ids=str)
@pytest.mark.parametrize("settings", ADAM_SETTINGS, ids=ADAM_IDS)
def test_adam_is_algorithm_1_for_500_steps(settings, shape, kind):
    theta0 = np.random.default_rng(7).standard_normal(shape)
    grad = gradients(kind, shape, seed=len(shape) + 10 * ADAM_SETTINGS.index(settings))
    reference = PaperAdam(*settings.values())
    before, ours, theirs, state, reference_state = run_lockstep(Adam(**settings), reference, theta0, grad)
    assert_same_steps(before, ours, theirs)
    assert state.t == reference_state["t"] == STEPS
    m, v = reference_state["m"], reference_state["v"]
    np.testing.assert_allclose(state.m.ravel(), m, rtol=RTOL, atol=1e-15 * np.abs(m).max())
    np.testing.assert_allclose(state.v.ravel(), v, rtol=RTOL, atol=0)


@pytest.mark.parametrize("settings", ADAM_SETTINGS[:2], ids=ADAM_IDS[:2])
def test_adam_without_bias_correction_is_algorithm_1_without_the_hats(settings):
    shape = (3, 4)
    theta0 = np.random.default_rng(8).standard_normal(shape)
    grad = gradients("noise", shape, seed=8)
    opt = Adam(**settings, bias_correction=False)
    reference = PaperAdam(*settings.values(), bias_correction=False)
    assert_same_steps(*run_lockstep(opt, reference, theta0, grad)[:3])


ADAMAX_SETTINGS = [
    {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999},  # the paper's defaults (alpha = 0.002)
    {"lr": 0.05, "beta1": 0.5, "beta2": 0.9},
    {"lr": 0.01, "beta1": 0.0, "beta2": 0.99},
]


@pytest.mark.parametrize("kind", ["noise", "linear"])
@pytest.mark.parametrize("shape", [(3, 4), (6,)], ids=str)
@pytest.mark.parametrize("settings", ADAMAX_SETTINGS, ids=["defaults", "fast", "beta1=0"])
def test_adamax_is_section_7_1_for_500_steps(settings, shape, kind):
    theta0 = np.random.default_rng(9).standard_normal(shape)
    grad = gradients(kind, shape, seed=len(shape) + 10 * ADAMAX_SETTINGS.index(settings) + 1)
    reference = PaperAdaMax(*settings.values())
    before, ours, theirs, state, reference_state = run_lockstep(AdaMax(**settings), reference, theta0, grad)
    assert_same_steps(before, ours, theirs)
    assert state.t == reference_state["t"] == STEPS
    m, u = reference_state["m"], reference_state["u"]
    np.testing.assert_allclose(state.m.ravel(), m, rtol=RTOL, atol=1e-15 * np.abs(m).max())
    np.testing.assert_allclose(state.u.ravel(), u, rtol=RTOL, atol=0)


def test_adamax_coordinate_whose_gradients_are_all_zero_does_not_move():
    """With no eps in AdaMax, u = m = 0 on such a coordinate: the step is 0, not 0/0."""
    theta0 = np.array([1.0, -2.0, 3.0])
    opt = AdaMax(lr=0.1)
    theta, state = theta0, opt.init(theta0)
    for k in range(50):
        g = np.array([0.0, 1.0 if k >= 20 else 0.0, -0.5])
        theta, state = opt.step(theta, g, state)
        assert np.all(np.isfinite(theta))
        assert theta[0] == 1.0
        assert (theta[1] == -2.0) == (k < 20)
    assert theta[2] > 3.0


BUGS = [
    "no_bias_correction",
    "t_off_by_one",
    "t_never_incremented",
    "eps_inside_sqrt",
    "betas_swapped",
    "abs_for_square",
    "square_for_power_t",
    "sign_flip",
]


@pytest.mark.parametrize("bug", BUGS)
def test_the_paper_comparison_catches_the_classic_bug(bug):
    """Each bug of ADAM_REFERENCE section 5, put into the reference, makes it disagree with our Adam."""
    shape = (3, 4)
    theta0 = np.random.default_rng(10).standard_normal(shape)
    grad = gradients("noise", shape, seed=10)
    buggy = PaperAdam(1e-3, 0.9, 0.999, 1e-8, bug=bug)
    with pytest.raises(AssertionError, match="steps differ"):
        assert_same_steps(*run_lockstep(Adam(), buggy, theta0, grad)[:3])
    # and without the bug, the same comparison passes
    assert_same_steps(*run_lockstep(Adam(), PaperAdam(1e-3, 0.9, 0.999, 1e-8), theta0, grad)[:3])


# --- Lion: Program 1 of Chen et al. (2023) ------------------------------------------------------------


def sign(x: float) -> float:
    return 0.0 if x == 0 else math.copysign(1.0, x)


class PaperLion:
    """Program 1, in its order: the update from the *old* momentum, then the momentum, then the decay."""

    def __init__(self, lr, beta1, beta2, wd):
        self.lr, self.beta1, self.beta2, self.wd = lr, beta1, beta2, wd

    def init(self, n: int) -> dict:
        return {"t": 0, "m": [0.0] * n}

    def step(self, weight: list[float], gradient: list[float], state: dict) -> list[float]:
        state["t"] += 1
        momentum, weight = state["m"], list(weight)
        for i in range(len(weight)):
            update = self.beta1 * momentum[i] + (1 - self.beta1) * gradient[i]  # interp(gradient, momentum, beta1)
            update = sign(update)
            momentum[i] = self.beta2 * momentum[i] + (1 - self.beta2) * gradient[i]
            weight_decay = weight[i] * self.wd
            update = update + weight_decay
            update = update * self.lr
            weight[i] = weight[i] - update
        return weight


LION_SETTINGS = [
    {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},  # the paper's defaults
    {"lr": 3e-3, "beta1": 0.8, "beta2": 0.9, "weight_decay": 0.1},
    {"lr": 1e-2, "beta1": 0.0, "beta2": 0.999, "weight_decay": 1.0},
]


@pytest.mark.parametrize("kind", ["noise", "linear"])
@pytest.mark.parametrize("shape", [(3, 4), (6,)], ids=str)
@pytest.mark.parametrize("settings", LION_SETTINGS, ids=["defaults", "decay", "beta1=0-strong-decay"])
def test_lion_is_program_1_for_500_steps(settings, shape, kind):
    theta0 = np.random.default_rng(11).standard_normal(shape)
    grad = gradients(kind, shape, seed=len(shape) + 10 * LION_SETTINGS.index(settings) + 2)
    reference = PaperLion(*settings.values())
    before, ours, theirs, state, reference_state = run_lockstep(Lion(**settings), reference, theta0, grad)
    assert_same_steps(before, ours, theirs)
    assert state.t == reference_state["t"] == STEPS
    m = reference_state["m"]
    np.testing.assert_allclose(state.m.ravel(), m, rtol=RTOL, atol=1e-15 * np.abs(m).max())


def test_lion_steps_are_lr_times_sign_and_the_kept_momentum_uses_beta2():
    """Without decay every coordinate moves by exactly lr; m is the beta2 average, not the beta1 one."""
    opt = Lion(lr=0.01, beta1=0.9, beta2=0.99)
    grads = gradients("noise", (5,), seed=12)
    theta, state = np.zeros(5), opt.init(np.zeros(5))
    for k in range(50):
        new, state = opt.step(theta, grads(theta, k), state)
        np.testing.assert_allclose(np.abs(new - theta), 0.01, rtol=1e-10)
        theta = new
    expected = sum(0.01 * 0.99 ** (49 - k) * grads(None, k) for k in range(50))
    np.testing.assert_allclose(state.m, expected, rtol=1e-10)


# --- Yogi: Algorithm 2 of Zaheer et al. (2018), and d2l's bias-corrected variant --------------------------


class PaperYogi:
    """Algorithm 2 (m_0 = v_0 = 0); ``bias_correction`` divides as Adam does (d2l's variant)."""

    def __init__(self, lr, beta1, beta2, eps, bias_correction):
        self.lr, self.beta1, self.beta2, self.eps, self.bias_correction = lr, beta1, beta2, eps, bias_correction

    def init(self, n: int) -> dict:
        return {"t": 0, "m": [0.0] * n, "v": [0.0] * n}

    def step(self, theta: list[float], g: list[float], state: dict) -> list[float]:
        state["t"] = t = state["t"] + 1
        m, v, theta = state["m"], state["v"], list(theta)
        for i in range(len(theta)):
            m[i] = self.beta1 * m[i] + (1 - self.beta1) * g[i]
            v[i] = v[i] - (1 - self.beta2) * sign(v[i] - g[i] ** 2) * g[i] ** 2
            if self.bias_correction:
                m_hat, v_hat = m[i] / (1 - self.beta1**t), v[i] / (1 - self.beta2**t)
            else:
                m_hat, v_hat = m[i], v[i]
            theta[i] = theta[i] - self.lr * m_hat / (math.sqrt(v_hat) + self.eps)
        return theta


YOGI_SETTINGS = [
    {"lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3},  # the paper's defaults
    {"lr": 0.05, "beta1": 0.5, "beta2": 0.99, "eps": 1e-6},
    {"lr": 0.01, "beta1": 0.0, "beta2": 0.9, "eps": 0.0},
]


@pytest.mark.parametrize("bias_correction", [False, True], ids=["algorithm-2", "d2l-corrected"])
@pytest.mark.parametrize("kind", ["noise", "linear"])
@pytest.mark.parametrize("shape", [(3, 4), (6,)], ids=str)
@pytest.mark.parametrize("settings", YOGI_SETTINGS, ids=["defaults", "fast", "beta1=0-eps=0"])
def test_yogi_is_algorithm_2_for_500_steps(settings, shape, kind, bias_correction):
    theta0 = np.random.default_rng(13).standard_normal(shape)
    grad = gradients(kind, shape, seed=len(shape) + 10 * YOGI_SETTINGS.index(settings) + 3)
    opt = Yogi(**settings, bias_correction=bias_correction)
    reference = PaperYogi(*settings.values(), bias_correction)
    before, ours, theirs, state, reference_state = run_lockstep(opt, reference, theta0, grad)
    assert_same_steps(before, ours, theirs)
    assert state.t == reference_state["t"] == STEPS
    m, v = reference_state["m"], reference_state["v"]
    np.testing.assert_allclose(state.m.ravel(), m, rtol=RTOL, atol=1e-15 * np.abs(m).max())
    np.testing.assert_allclose(state.v.ravel(), v, rtol=1e-10, atol=0)  # additive updates: v may cancel a little


def test_the_yogi_variants_differ():
    """The comparison above would notice a bias_correction flag that does nothing."""
    grad = gradients("noise", (6,), seed=14)
    theta0 = np.zeros(6)
    with pytest.raises(AssertionError, match="steps differ"):
        assert_same_steps(*run_lockstep(Yogi(), PaperYogi(1e-2, 0.9, 0.999, 1e-3, True), theta0, grad)[:3])


def v_increments(opt, grads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """v_{t-1} and v_t - v_{t-1} for each step."""
    theta, state, before, increments = np.zeros_like(grads[0]), opt.init(grads[0]), [], []
    for g in grads:
        theta, new = opt.step(theta, g, state)
        before.append(state.v)
        increments.append(new.v - state.v)
        state = new
    return np.array(before), np.array(increments)


def test_yogi_moves_v_by_1_minus_beta2_times_g_squared_adam_by_a_fraction_of_the_gap():
    """|v_t - v_{t-1}| = (1-beta2) g_t^2 for Yogi, (1-beta2) |g_t^2 - v_{t-1}| for Adam, step after step."""
    rng = np.random.default_rng(15)
    grads = 10.0 ** rng.uniform(-3, 3, size=(200, 8)) * rng.standard_normal((200, 8))
    for bias_correction in (False, True):
        v_before, dv = v_increments(Yogi(beta2=0.99, bias_correction=bias_correction), grads)
        assert_increments(dv, 0.01 * grads**2, v_before)
    v_before, dv = v_increments(Adam(beta2=0.99), grads)
    assert_increments(dv, 0.01 * np.abs(grads**2 - v_before), v_before)
    # and the two laws differ on these gradients: Yogi's increments are not Adam's
    assert np.median(np.abs(np.abs(dv) / (0.01 * grads**2) - 1)) > 0.1


def assert_increments(dv: np.ndarray, expected: np.ndarray, v_before: np.ndarray) -> None:
    """|dv| = expected to rtol 1e-9, with a floor of a few ulps of v: v_t - v_{t-1} is found by subtraction."""
    bad = np.abs(np.abs(dv) - expected) > 1e-9 * expected + 1e-15 * np.maximum(v_before, expected)
    assert not bad.any(), f"{bad.sum()} increments differ, first at (step, index) {np.argwhere(bad)[0].tolist()}"


def test_after_a_spike_yogi_keeps_v_while_adam_forgets_it_by_beta2_per_step():
    """One g = 1e3, then 1000 steps of g = 1e-3 (defaults): Adam's v decays to ~beta2^1000 of its peak, so
    its effective step alpha/sqrt(v) grows; Yogi's v falls by (1-beta2) g^2 = 1e-9 a step and stays put."""
    grads = np.array([[1e3]] + [[1e-3]] * 1000)
    yogi_v = np.cumsum(v_increments(Yogi(), grads)[1][:, 0])
    adam_v = np.cumsum(v_increments(Adam(), grads)[1][:, 0])
    assert yogi_v[0] == adam_v[0] == pytest.approx(1e3, rel=1e-12)  # the same first step: v_1 = (1-beta2) g^2
    np.testing.assert_allclose(yogi_v[-1], 1e3 - 1000 * 1e-9, rtol=1e-12)
    np.testing.assert_allclose(adam_v[-1] / adam_v[0], 0.999**1000, rtol=1e-6)
    assert adam_v[-1] < 0.37 * yogi_v[-1]
