"""The cheat sheet's numbers (adam_edu.course.cheatsheet): each result against the paper's formula written out here,
the library defaults against the libraries where they are installed, and the link to the sheet itself."""

import inspect
import math

import pytest

from adam_edu.course.cheatsheet import LIBRARY_DEFAULTS, cheatsheet_numbers, computed_numbers
from adam_edu.course.prose_numbers import CHEATSHEET, unsupported_in_cheatsheet

B1, B2, EPS = 0.9, 0.999, 1e-8  # the paper's defaults


@pytest.fixture(scope="module")
def numbers():
    return computed_numbers()


def _spike(t):
    return (1 - B1) * math.sqrt(1 - B2**t) / ((1 - B1**t) * math.sqrt(1 - B2))


def _cauchy_schwarz(t):
    gamma = B1**2 / B2
    return (1 - B1) / (1 - B1**t) * math.sqrt((1 - B2**t) / (1 - B2)) * math.sqrt((1 - gamma**t) / (1 - gamma))


def test_the_first_step_is_alpha_g_over_g_plus_eps(numbers):
    g = numbers["small_gradient"]
    assert g == 1e-6
    assert numbers["first_step_at_small_gradient"] == pytest.approx(g / (g + EPS), rel=1e-12)
    assert numbers["first_step_at_small_gradient"] == pytest.approx(0.9900990099, abs=1e-10)


def test_a_constant_eps_hat_shrinks_the_first_step_by_1_30(numbers):
    g = numbers["small_gradient"]
    effective_eps = EPS / math.sqrt(1 - B2)  # eps_hat at t = 1, as an eps of Algorithm 1
    assert numbers["constant_eps_hat_acts_as_eps_at_t1"] == pytest.approx(3.16227766e-7, rel=1e-8)
    assert numbers["first_step_at_small_gradient_constant_eps_hat"] == pytest.approx(g / (g + effective_eps), rel=1e-12)
    ratio = numbers["first_step_at_small_gradient"] / numbers["first_step_at_small_gradient_constant_eps_hat"]
    assert ratio == pytest.approx(1.303, abs=5e-4)


def test_without_bias_correction_the_first_step_is_3_16(numbers):
    assert numbers["first_step_without_bias_correction"] == pytest.approx((1 - B1) / math.sqrt(1 - B2), rel=1e-12)
    assert numbers["paper_step_bound"] == pytest.approx(3.16227766, rel=1e-9)


@pytest.mark.parametrize(("t", "expected"), [(10, 0.484426), (100, 0.975771), (1000, 2.514567)])
def test_the_spike_step_falls_then_grows(numbers, t, expected):
    assert numbers[f"spike_step_t{t}"] == pytest.approx(_spike(t), rel=1e-9)
    assert numbers[f"spike_step_t{t}"] == pytest.approx(expected, abs=1e-6)


def test_the_spike_step_tends_to_the_uncorrected_first_step(numbers):
    assert numbers["spike_step_limit"] == pytest.approx(_spike(10**6), rel=1e-9)


@pytest.mark.parametrize(("t", "expected"), [(100, 2.243364), (1000, 5.781160)])
def test_adams_worst_case_is_the_cauchy_schwarz_bound(numbers, t, expected):
    assert numbers[f"adam_worst_case_step_t{t}"] == pytest.approx(_cauchy_schwarz(t), rel=1e-9)
    assert numbers[f"adam_worst_case_step_t{t}"] == pytest.approx(expected, abs=1e-6)


def test_the_worst_cases_as_t_grows(numbers):
    gamma = B1**2 / B2
    assert numbers["adam_worst_case_step_limit"] == pytest.approx((1 - B1) / math.sqrt((1 - B2) * (1 - gamma)))
    assert round(numbers["adam_worst_case_step_limit"], 2) == 7.27
    assert numbers["adamax_worst_case_step_limit"] == pytest.approx((1 - B1) / (1 - B1 / B2), rel=1e-12)
    assert round(numbers["adamax_worst_case_step_limit"], 5) == 1.00909


def test_the_other_results(numbers):
    assert numbers["reddi_beta2"] == pytest.approx(1 / (1 + numbers["reddi_C"] ** 2)) and numbers["reddi_C"] > 2
    assert numbers["eps_in_fp16"] == 0.0  # 1e-8 is below half of fp16's smallest subnormal, 2**-24
    assert numbers["optimizer_state_bytes_per_fp32_parameter"] == 8.0
    assert (numbers["paper_lr"], numbers["paper_beta1"], numbers["paper_beta2"], numbers["paper_eps"]) == (
        1e-3,
        B1,
        B2,
        EPS,
    )
    assert numbers["paper_adamax_lr"] == 0.002


def test_results_and_library_defaults_are_named_apart_and_are_numbers():
    assert not set(computed_numbers()) & set(LIBRARY_DEFAULTS)
    values = cheatsheet_numbers()
    assert len(values) == len(computed_numbers()) + len(LIBRARY_DEFAULTS)
    assert all(isinstance(v, float) and math.isfinite(v) for v in values.values())


def _default(function, name):
    return inspect.signature(function).parameters[name].default


def test_the_torch_defaults_are_the_installed_torchs():
    torch = pytest.importorskip("torch")
    d = LIBRARY_DEFAULTS
    assert _default(torch.optim.Adam, "lr") == d["torch_adam_lr"]
    assert _default(torch.optim.Adam, "betas") == (d["torch_adam_beta1"], d["torch_adam_beta2"])
    assert _default(torch.optim.Adam, "eps") == d["torch_adam_eps"]
    assert _default(torch.optim.AdamW, "weight_decay") == d["torch_adamw_weight_decay"]
    assert _default(torch.optim.Adamax, "lr") == d["torch_adamax_lr"]
    assert _default(torch.optim.Adamax, "eps") == d["torch_adamax_eps"]


def test_the_optax_defaults_are_the_installed_optaxs():
    optax = pytest.importorskip("optax")
    d = LIBRARY_DEFAULTS
    assert (_default(optax.adam, "b1"), _default(optax.adam, "b2")) == (d["optax_adam_b1"], d["optax_adam_b2"])
    assert (_default(optax.adam, "eps"), _default(optax.adam, "eps_root")) == (d["optax_adam_eps"], 0.0)
    assert _default(optax.adamw, "weight_decay") == d["optax_adamw_weight_decay"]
    assert _default(optax.adamax, "eps") == d["optax_adamax_eps"]


def test_the_keras_defaults_are_the_installed_keras():
    keras = pytest.importorskip("keras")
    d = LIBRARY_DEFAULTS
    assert _default(keras.optimizers.Adam, "learning_rate") == d["keras_adam_learning_rate"]
    assert _default(keras.optimizers.Adam, "epsilon") == d["keras_adam_epsilon"]
    assert _default(keras.optimizers.AdamW, "weight_decay") == d["keras_adamw_weight_decay"]
    assert _default(keras.optimizers.Adamax, "epsilon") == d["keras_adamax_epsilon"]


def test_a_number_changed_on_the_sheet_and_not_here_is_caught(tmp_path):
    text = CHEATSHEET.read_text(encoding="utf-8")
    assert unsupported_in_cheatsheet(CHEATSHEET) == []
    for quoted, stale, flagged in (
        ("$2.24\\,\\alpha$", "$2.34\\,\\alpha$", "2.34"),
        ("weight_decay=0.004", "weight_decay=0.005", "0.005"),
    ):
        assert quoted in text
        planted = tmp_path / "cheatsheet.html"
        planted.write_text(text.replace(quoted, stale), encoding="utf-8")
        assert [n.text for n in unsupported_in_cheatsheet(planted)] == [flagged]
