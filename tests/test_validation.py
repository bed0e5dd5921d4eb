"""Hyperparameter validation: every bad value of every hyperparameter of every optimizer is refused.

A message names the optimizer, the parameter, its symbol, the allowed range and the value received::

    The 'beta1' parameter (β₁) of Adam must be a real number in [0, 1). Got 1.0 instead.
"""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from adam_edu.optim import (
    SGD,
    AdaDelta,
    Adafactor,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    Lion,
    Momentum,
    NAdam,
    Nesterov,
    RAdam,
    RMSProp,
    RMSPropMomentum,
    Yogi,
)
from adam_edu.optim.validation import check_arrays, check_flag, check_real

UNIT = "[0, 1)"  # decay rates: beta1, beta2, momentum
NONNEGATIVE = "[0, inf)"  # step sizes, epsilons, decay strengths
NONPOSITIVE = "(-inf, 0]"  # Adafactor's beta2_decay (as torch: 1 - t**tau must stay in [0, 1))
AT_LEAST_ONE = "[1, inf)"  # Adafactor's clipping threshold d (as torch)

# Every real hyperparameter: (class, name, symbol, allowed range as the message writes it).
HYPERPARAMETERS = [
    (SGD, "lr", "α", NONNEGATIVE),
    (Momentum, "lr", "α", NONNEGATIVE),
    (Momentum, "momentum", "μ", UNIT),
    (Nesterov, "lr", "α", NONNEGATIVE),
    (Nesterov, "momentum", "μ", UNIT),
    (AdaGrad, "lr", "α", NONNEGATIVE),
    (AdaGrad, "eps", "ε", NONNEGATIVE),
    (RMSProp, "lr", "α", NONNEGATIVE),
    (RMSProp, "beta2", "β₂", UNIT),
    (RMSProp, "eps", "ε", NONNEGATIVE),
    *[
        (cls, name, symbol, bounds)
        for cls in (Adam, AMSGrad, AdamW, NAdam, RAdam)
        for name, symbol, bounds in [
            ("lr", "α", NONNEGATIVE),
            ("beta1", "β₁", UNIT),
            ("beta2", "β₂", UNIT),
            ("eps", "ε", NONNEGATIVE),
            ("weight_decay", "λ", NONNEGATIVE),
        ]
    ],
    (AdaMax, "lr", "α", NONNEGATIVE),
    (AdaMax, "beta1", "β₁", UNIT),
    (AdaMax, "beta2", "β₂", UNIT),
    (AdaMax, "weight_decay", "λ", NONNEGATIVE),
    (NAdam, "momentum_decay", "ψ", NONNEGATIVE),
    (AdaDelta, "lr", "α", NONNEGATIVE),
    (AdaDelta, "rho", "ρ", UNIT),
    (AdaDelta, "eps", "ε", NONNEGATIVE),
    (AdaDelta, "weight_decay", "λ", NONNEGATIVE),
    (RMSPropMomentum, "lr", "α", NONNEGATIVE),
    (RMSPropMomentum, "beta2", "β₂", UNIT),
    (RMSPropMomentum, "momentum", "μ", UNIT),
    (RMSPropMomentum, "eps", "ε", NONNEGATIVE),
    (Lion, "lr", "α", NONNEGATIVE),
    (Lion, "beta1", "β₁", UNIT),
    (Lion, "beta2", "β₂", UNIT),
    (Lion, "weight_decay", "λ", NONNEGATIVE),
    (Yogi, "lr", "α", NONNEGATIVE),
    (Yogi, "beta1", "β₁", UNIT),
    (Yogi, "beta2", "β₂", UNIT),
    (Yogi, "eps", "ε", NONNEGATIVE),
    (Adafactor, "lr", "γ", NONNEGATIVE),
    (Adafactor, "beta2_decay", "τ", NONPOSITIVE),
    (Adafactor, "eps2", "ε₂", NONNEGATIVE),
    (Adafactor, "d", "d", AT_LEAST_ONE),
    (Adafactor, "weight_decay", "λ", NONNEGATIVE),
]
IDS = [f"{cls.__name__}.{name}" for cls, name, _, _ in HYPERPARAMETERS]

OUT_OF_RANGE = {
    UNIT: [-0.1, 1.0, 1.5, -1e-300, math.nan, math.inf, -math.inf, np.float64(1.0)],
    NONNEGATIVE: [-0.1, -1, -1e-300, math.nan, math.inf, -math.inf, np.float32(-1.0)],
    NONPOSITIVE: [0.5, 1e-300, 1, math.nan, math.inf, -math.inf, np.float64(0.8)],
    AT_LEAST_ONE: [0.5, 1 - 1e-12, 0, -1.0, math.nan, math.inf, np.float32(0.9)],
}
NOT_A_REAL_NUMBER = [True, False, np.True_, "0.1", None, 1j, [0.1], np.array([0.1])]
ACCEPTED = {
    UNIT: [0, 0.0, 0.5, 1 - 1e-12, np.float32(0.25), Fraction(1, 4)],
    NONNEGATIVE: [0, 0.0, 1e-300, 3, 1e6, np.float64(0.25), Fraction(1, 4)],
    NONPOSITIVE: [0, -0.0, -0.8, -1e-300, -5, np.float32(-0.5), Fraction(-4, 5)],
    AT_LEAST_ONE: [1, 1.0, 2.5, 1e6, np.float64(1.5), Fraction(3, 2)],
}


def message_pattern(cls, name: str, symbol: str, bounds: str, value: object) -> str:
    """The whole message, as a regular expression (the value may carry its type in brackets)."""
    return (
        rf"^The '{name}' parameter \({re.escape(symbol)}\) of {cls.__name__} must be a real number in "
        rf"{re.escape(bounds)}\. Got {re.escape(repr(value))}( \(\w+\))? instead\.$"
    )


OLD_CLASSES = (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdaMax, AMSGrad, AdamW, NAdam, RAdam)


def test_the_table_covers_every_real_hyperparameter_of_every_optimizer():
    declared = {
        (cls, field.name)
        for cls in (*OLD_CLASSES, AdaDelta, RMSPropMomentum, Lion, Yogi, Adafactor)
        for field in dataclasses.fields(cls)
        if field.name not in ("bias_correction", "eps1")  # a flag; None or a real (tested below)
    }
    assert declared == {(cls, name) for cls, name, _, _ in HYPERPARAMETERS}
    assert len(HYPERPARAMETERS) == len(set(IDS))


@pytest.mark.parametrize(("cls", "name", "symbol", "bounds"), HYPERPARAMETERS, ids=IDS)
def test_out_of_range_values_raise_value_error_naming_parameter_symbol_range_and_value(cls, name, symbol, bounds):
    for value in OUT_OF_RANGE[bounds]:
        with pytest.raises(ValueError, match=message_pattern(cls, name, symbol, bounds, value)):
            cls(**{name: value})


@pytest.mark.parametrize(("cls", "name", "symbol", "bounds"), HYPERPARAMETERS, ids=IDS)
def test_values_that_are_not_real_numbers_raise_type_error(cls, name, symbol, bounds):
    for value in NOT_A_REAL_NUMBER:
        with pytest.raises(TypeError, match=message_pattern(cls, name, symbol, bounds, value)) as error:
            cls(**{name: value})
        assert f"({type(value).__name__})" in str(error.value)  # says what it got: bool is not a number


@pytest.mark.parametrize(("cls", "name", "symbol", "bounds"), HYPERPARAMETERS, ids=IDS)
def test_values_in_range_are_accepted_as_floats(cls, name, symbol, bounds):
    for value in ACCEPTED[bounds]:
        opt = cls(**{name: value})
        assert type(getattr(opt, name)) is float
        assert getattr(opt, name) == float(value)


def test_the_messages_read_as_documented():
    with pytest.raises(ValueError) as error:
        Adam(beta1=1.0)
    assert str(error.value) == "The 'beta1' parameter (β₁) of Adam must be a real number in [0, 1). Got 1.0 instead."
    with pytest.raises(ValueError) as error:
        Adam(lr=-0.1)
    assert str(error.value) == "The 'lr' parameter (α) of Adam must be a real number in [0, inf). Got -0.1 instead."
    with pytest.raises(TypeError) as error:
        RMSProp(beta2=True)
    assert str(error.value) == (
        "The 'beta2' parameter (β₂) of RMSProp must be a real number in [0, 1). Got True (bool) instead."
    )


@pytest.mark.parametrize("value", [1, 0, "yes", None, 1.0, np.array([True])])
def test_bias_correction_must_be_a_bool(value):
    with pytest.raises(TypeError) as error:
        Adam(bias_correction=value)
    text = str(error.value)
    assert "'bias_correction'" in text and "of Adam" in text and "True or False" in text
    described = repr(value) if isinstance(value, float) else f"{value!r} ({type(value).__name__})"
    assert f"Got {described} instead." in text


@pytest.mark.parametrize("value", [True, False, np.True_, np.False_])
def test_bias_correction_accepts_python_and_numpy_bools(value):
    opt = Adam(bias_correction=value)
    assert opt.bias_correction is bool(value)


def test_the_new_optimizers_name_their_bad_hyperparameter():
    with pytest.raises(ValueError) as error:
        AdaDelta(rho=1.0)
    assert str(error.value) == "The 'rho' parameter (ρ) of AdaDelta must be a real number in [0, 1). Got 1.0 instead."
    with pytest.raises(ValueError) as error:
        Adafactor(beta2_decay=0.5)
    assert str(error.value) == (
        "The 'beta2_decay' parameter (τ) of Adafactor must be a real number in (-inf, 0]. Got 0.5 instead."
    )
    with pytest.raises(
        ValueError, match=r"^The 'd' parameter \(d\) of Adafactor .* in \[1, inf\)\. Got 0\.5 instead\.$"
    ):
        Adafactor(d=0.5)
    with pytest.raises(TypeError, match=r"'bias_correction' parameter of Yogi must be True or False\. Got 1 \(int\)"):
        Yogi(bias_correction=1)


@pytest.mark.parametrize("value", [-1e-3, -1, math.nan, math.inf, -math.inf])
def test_adafactor_eps1_out_of_range_says_none_is_allowed(value):
    with pytest.raises(ValueError) as error:
        Adafactor(eps1=value)
    assert str(error.value) == (
        "The 'eps1' parameter (ε₁) of Adafactor must be None (machine epsilon) or a real number in [0, inf). "
        f"Got {value!r} instead."
    )


@pytest.mark.parametrize("value", [True, "1e-30", [1e-30], 1j])
def test_adafactor_eps1_of_the_wrong_type_raises_type_error(value):
    with pytest.raises(
        TypeError, match=r"^The 'eps1' parameter \(ε₁\) of Adafactor must be None .* instead\.$"
    ) as error:
        Adafactor(eps1=value)
    assert f"({type(value).__name__})" in str(error.value)


def test_adafactor_eps1_accepts_none_and_reals_and_none_means_machine_epsilon():
    assert Adafactor().eps1 is None and Adafactor(eps1=None).eps1 is None
    for value in (0, 1e-30, np.float32(1e-3), Fraction(1, 1000)):
        assert type(Adafactor(eps1=value).eps1) is float and Adafactor(eps1=value).eps1 == float(value)
    with pytest.raises(ValueError, match="'eps1'"):
        dataclasses.replace(Adafactor(), eps1=-1.0)
    # None is the dtype's machine epsilon: the same steps as passing it, in float64 and float32
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        theta, grads = rng.standard_normal((3, 4)).astype(dtype), 1e-12 * rng.standard_normal((5, 3, 4))
        runs = []
        for opt in (Adafactor(), Adafactor(eps1=float(np.finfo(dtype).eps)), Adafactor(eps1=1e-30)):
            point, state = theta, opt.init(theta)
            for g in grads:
                point, state = opt.step(point, g, state)
            runs.append(point)
        np.testing.assert_array_equal(runs[0], runs[1])
        assert np.all(np.isfinite(runs[2])) and not np.array_equal(runs[0], runs[2])  # the paper's 1e-30 differs


def test_dataclasses_replace_validates_too():
    """A schedule built with dataclasses.replace(opt, lr=...) cannot sneak in a bad value."""
    with pytest.raises(ValueError, match=r"'lr' parameter \(α\) of Adam"):
        dataclasses.replace(Adam(), lr=-1.0)
    assert dataclasses.replace(Adam(), lr=0.5).lr == 0.5


def test_validation_survives_python_dash_o():
    """Errors are raised, not asserted: python -O strips asserts but not these checks."""
    code = (
        "from adam_edu.optim import Adam\n"
        "try:\n    Adam(beta2=1.0)\nexcept ValueError as e:\n    print('refused:', e)\n"
        "else:\n    print('accepted')\n"
    )
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("refused: The 'beta2' parameter (β₂) of Adam")


# --- the validation helpers themselves ---------------------------------------------------------------


def test_check_real_describes_open_and_closed_intervals():
    assert check_real("f", "x", "x", 2.0, 1.0, 2.0, high_closed=True) == 2.0
    with pytest.raises(ValueError, match=r"in \(1, 2\]\. Got 1\.0"):
        check_real("f", "x", "x", 1.0, 1.0, 2.0, low_closed=False, high_closed=True)
    with pytest.raises(ValueError, match=r"in \[0, 1\)\. Got 1\.0"):
        check_real("f", "x", "x", 1.0, 0.0, 1.0)


def test_check_flag_returns_a_python_bool():
    assert check_flag("f", "on", np.True_) is True
    with pytest.raises(TypeError, match=r"'on' parameter of f must be True or False\. Got 0 \(int\)"):
        check_flag("f", "on", 0)


def test_check_arrays_casts_grad_to_the_dtype_of_theta():
    theta, grad = check_arrays("Opt", np.zeros(2, dtype=np.float32), [1, 2])
    assert theta.dtype == grad.dtype == np.float32
    theta, grad = check_arrays("Opt", [1, 2], np.array([0.5, 0.5], dtype=np.float32))
    assert theta.dtype == grad.dtype == np.float64
    with pytest.raises(ValueError, match=r"^Opt\.step: 'grad' must have the shape of 'theta' \(2,\)\. Got shape \(\)"):
        check_arrays("Opt", [1.0, 2.0], 3.0)
