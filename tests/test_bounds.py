"""Step-size bounds of Adam and AdaMax: closed forms against the optimizers run on the extreme sequences."""

import math

import numpy as np
import pytest

from adam_edu.bounds import (
    adam_worst_case_gradients,
    adam_worst_case_limit,
    adam_worst_case_ratio,
    adamax_worst_case_gradients,
    adamax_worst_case_limit,
    adamax_worst_case_ratio,
    paper_step_bound,
    spike_step_ratio,
)
from adam_edu.optim import Adam, AdaMax

TINY = 1e-300  # an eps that only keeps 0/0 away: steps after zero gradients stay 0, not NaN


def last_step_ratios(optimizer, grads):
    """|Delta_t| / lr for every step of ``optimizer`` fed ``grads`` (shape (T, ...)), from theta = 0."""
    theta = np.zeros(grads.shape[1:])
    state = optimizer.init(theta)
    ratios = []
    for g in grads:
        new, state = optimizer.step(theta, g, state)
        ratios.append(np.abs(new - theta) / optimizer.lr)
        theta = new
    return np.array(ratios)


def test_paper_bound_with_defaults_is_one_tenth_over_root_one_thousandth():
    assert paper_step_bound() == pytest.approx(3.16227766, abs=1e-8)
    assert paper_step_bound(beta1=0.99, beta2=0.999) == 1.0  # 1 - beta1 < sqrt(1 - beta2)


def test_adam_worst_case_numbers_of_the_reference():
    assert adam_worst_case_ratio(100) == pytest.approx(2.243364, abs=1e-6)
    assert adam_worst_case_ratio(1000) == pytest.approx(5.781160, abs=1e-6)
    assert adam_worst_case_limit() == pytest.approx(7.2703, abs=1e-4)
    assert adam_worst_case_ratio(1) == pytest.approx(1.0)
    assert float(adam_worst_case_ratio(10**7)) == pytest.approx(adam_worst_case_limit(), rel=1e-12)


@pytest.mark.parametrize(
    ("beta1", "beta2", "t"), [(0.9, 0.999, 100), (0.9, 0.999, 1000), (0.5, 0.9, 40), (0.0, 0.99, 30)]
)
def test_adam_on_the_worst_case_sequence_steps_exactly_the_closed_form(beta1, beta2, t):
    grads = adam_worst_case_gradients(t, beta1, beta2)  # with beta1 = 0: zeros, then 1
    ratios = last_step_ratios(Adam(lr=0.01, beta1=beta1, beta2=beta2, eps=TINY), grads[:, None])
    assert ratios[-1, 0] == pytest.approx(float(adam_worst_case_ratio(t, beta1, beta2)), rel=1e-9)


def test_no_random_sequence_beats_the_worst_case_at_any_step():
    rng = np.random.default_rng(0)
    t = 300
    grads = rng.standard_normal((t, 2000)) * np.exp(3 * rng.standard_normal((t, 2000)))
    ratios = last_step_ratios(Adam(lr=1.0, eps=0.0), grads)
    bound = adam_worst_case_ratio(np.arange(1, t + 1))
    assert np.all(ratios <= bound[:, None] * (1 + 1e-12))


def test_perturbing_the_worst_case_sequence_shrinks_the_step():
    t = 200
    best = adam_worst_case_gradients(t)
    rng = np.random.default_rng(1)
    perturbed = best[:, None] * (1 + 0.05 * rng.standard_normal((t, 50)))
    ratios = last_step_ratios(Adam(lr=1.0, eps=0.0), perturbed)[-1]
    assert np.all(ratios < adam_worst_case_ratio(t))


def test_worst_case_beats_the_paper_bound_from_step_210_with_defaults():
    t = np.arange(1, 1001)
    exceeds = adam_worst_case_ratio(t) > paper_step_bound()
    assert not exceeds[:209].any() and exceeds[209:].all()


def test_adam_limit_is_infinite_when_gamma_reaches_one():
    assert adam_worst_case_limit(beta1=0.99, beta2=0.9) == math.inf


def test_spike_after_zeros_matches_the_reference_numbers():
    got = spike_step_ratio(np.array([1, 10, 100, 1000]))
    assert got == pytest.approx([1.0, 0.484426, 0.975771, 2.514567], abs=1e-6)
    assert spike_step_ratio(7, bias_correction=False) == pytest.approx(3.16227766, abs=1e-8)


@pytest.mark.parametrize("bias_correction", [True, False])
def test_spike_ratio_matches_adam(bias_correction):
    t = 50
    grads = np.zeros((t, 1))
    grads[-1] = -4.0
    ratios = last_step_ratios(Adam(lr=0.1, eps=TINY, bias_correction=bias_correction), grads)
    assert np.all(ratios[:-1] == 0)
    ratio = ratios[-1, 0]
    assert ratio == pytest.approx(float(spike_step_ratio(t, bias_correction=bias_correction)), rel=1e-12)


def test_adamax_limit_is_1_00909_with_defaults():
    assert adamax_worst_case_limit() == pytest.approx(1.0090909, abs=1e-7)
    assert adamax_worst_case_limit(beta1=0.9, beta2=0.9) == math.inf
    assert adamax_worst_case_ratio(1) == pytest.approx(1.0)


@pytest.mark.parametrize(("beta1", "beta2", "t"), [(0.9, 0.999, 50), (0.9, 0.999, 500), (0.5, 0.8, 20)])
def test_adamax_on_the_worst_case_sequence_steps_exactly_the_closed_form(beta1, beta2, t):
    grads = adamax_worst_case_gradients(t, beta2)
    ratios = last_step_ratios(AdaMax(lr=0.002, beta1=beta1, beta2=beta2), grads[:, None])
    assert ratios[-1, 0] == pytest.approx(float(adamax_worst_case_ratio(t, beta1, beta2)), rel=1e-9)


def test_adamax_random_sequences_stay_below_the_limit():
    rng = np.random.default_rng(2)
    grads = rng.standard_normal((400, 1000)) * np.exp(2 * rng.standard_normal((400, 1000)))
    ratios = last_step_ratios(AdaMax(lr=1.0), grads)
    assert ratios.max() <= adamax_worst_case_limit()
    assert np.all(ratios <= adamax_worst_case_ratio(np.arange(1, 401))[:, None] * (1 + 1e-12))


@pytest.mark.parametrize(
    "call",
    [
        lambda: adam_worst_case_ratio(0),
        lambda: adam_worst_case_ratio(2.5),
        lambda: adam_worst_case_ratio(10, beta1=1.0),
        lambda: adam_worst_case_ratio(10, beta2=0.0),
        lambda: adamax_worst_case_gradients(5, beta2=0.0),
        lambda: paper_step_bound(beta2=float("nan")),
        lambda: spike_step_ratio(True),
    ],
)
def test_bad_arguments_raise_with_a_message(call):
    with pytest.raises((ValueError, TypeError), match=r"beta|step t"):
        call()
