"""Mutation tests: the checkers reject wrong implementations, each with a message, and accept correct ones.

For every core exercise a catalog of wrong implementations, written the way learners write them and
drawn from bugs that courses and libraries shipped (no bias correction, t from 0, eps inside the square
root or added to the parameter, beta1 and beta2 swapped, |g| for g**2, a flipped sign, beta**2 for
beta**t, corrected moments fed back, inputs mutated, only the first row updated, float32 turned into
float64, ...). Each must make its checker raise AssertionError with a message; a stub that raises
NotImplementedError must be rejected with a message that says so; correct alternatives must pass.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

from adam_edu.averages import ema as package_ema
from adam_edu.checks import (
    check_adam_l2_step,
    check_adam_step,
    check_adamax_step,
    check_adamw_step,
    check_amsgrad_step,
    check_ema,
    check_momentum_step,
    check_rmsprop_step,
)
from adam_edu.optim import Adam, AdaMax, AdamW, AMSGrad, Momentum, RMSProp
from adam_edu.optim.states import InfinityNormState, MaxMomentState, MomentState, SecondMomentState, VelocityState

CHECKERS = {
    "ema": check_ema,
    "momentum": check_momentum_step,
    "rmsprop": check_rmsprop_step,
    "adam": check_adam_step,
    "adamax": check_adamax_step,
    "amsgrad": check_amsgrad_step,
    "adam_l2": check_adam_l2_step,
    "adamw": check_adamw_step,
}
MUTANTS: dict[str, list] = defaultdict(list)
CORRECT: dict[str, list] = defaultdict(list)


def mutant(exercise: str):
    def register(fn):
        MUTANTS[exercise].append(fn)
        return fn

    return register


def correct(exercise: str):
    def register(fn):
        CORRECT[exercise].append(fn)
        return fn

    return register


# ---------------------------------------------------------------------------------------------------- Adam


@mutant("adam")
def adam_no_bias_correction(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


@mutant("adam")
def adam_t_from_zero(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = t - 1  # "t starts at 0"
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


_counter = {"t": 0}


@mutant("adam")
def adam_t_never_incremented(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    step = _counter["t"] + 1  # keeps its own count and never stores it back (d2l's TensorFlow Adam)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**step)
    v_hat = v / (1 - beta2**step)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_t_plus_one(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t += 1  # increments a t that was already this update's count
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


@mutant("adam")
def adam_eps_inside_sqrt(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v


@mutant("adam")
def adam_eps_added_to_parameter(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat) + eps, m, v


@mutant("adam")
def adam_betas_swapped(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta2 * m + (1 - beta2) * g
    v = beta1 * v + (1 - beta1) * g**2
    m_hat = m / (1 - beta2**t)
    v_hat = v / (1 - beta1**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_abs_for_square(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * np.abs(g)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_sign_flip(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta + lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_beta_squared_for_beta_t(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**2)
    v_hat = v / (1 - beta2**2)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_corrected_moments_fed_back(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m = m / (1 - beta1**t)  # s vs s_corrected: the corrected value overwrites the state
    v = v / (1 - beta2**t)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


@mutant("adam")
def adam_mutates_inputs(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g**2
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v


@mutant("adam")
def adam_first_row_only(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    new = theta.copy()
    new[0] = theta[0] - lr * (m[0] / (1 - beta1**t)) / (np.sqrt(v[0] / (1 - beta2**t)) + eps)
    return new, m, v


@mutant("adam")
def adam_upcasts_float32(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    beta1, beta2, lr, eps = (np.float64(x) for x in (beta1, beta2, lr, eps))
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_sqrt_of_v_not_v_hat(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    return theta - lr * m_hat / (np.sqrt(v) + eps), m, v


@mutant("adam")
def adam_efficient_form_constant_eps(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v  # keras: its eps is the paper's eps_hat


@mutant("adam")
def adam_v_corrected_with_beta1(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta1**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_no_one_minus_beta1(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_gradient_in_numerator(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_hat = v / (1 - beta2**t)
    return theta - lr * g / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_ignores_lr_argument(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - 1e-3 * m_hat / (np.sqrt(v_hat) + eps), m, v


@mutant("adam")
def adam_returns_state_in_wrong_order(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), v, m


@correct("adam")
def adam_plain(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@correct("adam")
def adam_in_place_on_copies(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    theta, m, v = theta.copy(), m.copy(), v.copy()
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    denominator = np.sqrt(v / (1 - beta2**t))
    denominator += eps
    theta -= lr / (1 - beta1**t) * m / denominator
    return theta, m, v


@correct("adam")
def adam_efficient_form(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    lr_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    eps_hat = eps * math.sqrt(1 - beta2**t)
    return theta - lr_t * m / (np.sqrt(v) + eps_hat), m, v


@correct("adam")
def adam_via_package(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    theta, state = optimizer.step(theta, g, MomentState(t=t - 1, m=m, v=v))
    return theta, state.m, state.v


@correct("adam")
def adam_in_float32_arithmetic(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    dtype = theta.dtype
    one = dtype.type(1)
    b1, b2 = dtype.type(beta1), dtype.type(beta2)
    m = b1 * m + (one - b1) * g
    v = b2 * v + (one - b2) * np.square(g)
    m_hat = m / (one - b1**t)
    v_hat = v / (one - b2**t)
    return theta - dtype.type(lr) * m_hat / (np.sqrt(v_hat) + dtype.type(eps)), m, v


# ---------------------------------------------------------------------------------------------------- EMA


def _ema_loop(values, beta, bias_correction=False, **changes):
    out = np.zeros(values.shape)
    m = np.zeros(values.shape[1:])
    for k, g in enumerate(values):
        m = beta * m + (1 - beta) * g
        out[k] = m / (1 - beta ** (k + 1)) if bias_correction else m
    return out


@mutant("ema")
def ema_ignores_flag(values, beta, bias_correction=False):
    return _ema_loop(values, beta, False)


@mutant("ema")
def ema_always_corrects(values, beta, bias_correction=False):
    return _ema_loop(values, beta, True)


@mutant("ema")
def ema_starts_at_first_value(values, beta, bias_correction=False):
    out = np.zeros(values.shape)
    m = values[0].astype(float)
    out[0] = m
    for k in range(1, len(values)):
        m = beta * m + (1 - beta) * values[k]
        out[k] = m / (1 - beta ** (k + 1)) if bias_correction else m
    return out


@mutant("ema")
def ema_weights_swapped(values, beta, bias_correction=False):
    out = np.zeros(values.shape)
    m = np.zeros(values.shape[1:])
    for k, g in enumerate(values):
        m = (1 - beta) * m + beta * g
        out[k] = m / (1 - beta ** (k + 1)) if bias_correction else m
    return out


@mutant("ema")
def ema_t_from_zero(values, beta, bias_correction=False):
    out = np.zeros(values.shape)
    m = np.zeros(values.shape[1:])
    for t, g in enumerate(values):  # t = 0, 1, ...
        m = beta * m + (1 - beta) * g
        out[t] = m / (1 - beta**t) if bias_correction else m
    return out


@mutant("ema")
def ema_one_minus_beta_to_the_t(values, beta, bias_correction=False):
    out = np.zeros(values.shape)
    m = np.zeros(values.shape[1:])
    for k, g in enumerate(values):
        m = beta * m + (1 - beta) * g
        out[k] = m / (1 - beta) ** (k + 1) if bias_correction else m
    return out


@mutant("ema")
def ema_beta_squared(values, beta, bias_correction=False):
    out = np.zeros(values.shape)
    m = np.zeros(values.shape[1:])
    for k, g in enumerate(values):
        m = beta * m + (1 - beta) * g
        out[k] = m / (1 - beta**2) if bias_correction else m
    return out


@mutant("ema")
def ema_corrected_value_fed_back(values, beta, bias_correction=False):
    out = np.zeros(values.shape)
    m = np.zeros(values.shape[1:])
    for k, g in enumerate(values):
        m = beta * m + (1 - beta) * g
        if bias_correction:
            m = m / (1 - beta ** (k + 1))
        out[k] = m
    return out


@mutant("ema")
def ema_first_column_only(values, beta, bias_correction=False):
    out = np.array(values, dtype=float)
    flat = out.reshape(len(values), -1)
    flat[:, 0] = _ema_loop(values.reshape(len(values), -1)[:, 0], beta, bias_correction)
    return out


@mutant("ema")
def ema_writes_into_values(values, beta, bias_correction=False):
    m = np.zeros(values.shape[1:])
    for k in range(len(values)):
        m = beta * m + (1 - beta) * values[k]
        values[k] = m / (1 - beta ** (k + 1)) if bias_correction else m
    return values


@mutant("ema")
def ema_includes_m0_drops_last(values, beta, bias_correction=False):
    out = np.zeros(values.shape)
    m = np.zeros(values.shape[1:])
    for k in range(1, len(values)):
        m = beta * m + (1 - beta) * values[k - 1]
        out[k] = m / (1 - beta**k) if bias_correction else m
    return out


@mutant("ema")
def ema_returns_last_average_only(values, beta, bias_correction=False):
    return _ema_loop(values, beta, bias_correction)[-1]


@mutant("ema")
def ema_running_mean(values, beta, bias_correction=False):
    counts = np.arange(1, len(values) + 1).reshape((-1,) + (1,) * (values.ndim - 1))
    return np.cumsum(values, axis=0) / counts


@mutant("ema")
def ema_no_one_minus_beta(values, beta, bias_correction=False):
    out = np.zeros(values.shape)
    m = np.zeros(values.shape[1:])
    for k, g in enumerate(values):
        m = beta * m + g
        out[k] = m / (1 - beta ** (k + 1)) if bias_correction else m
    return out


@mutant("ema")
def ema_returns_a_list(values, beta, bias_correction=False):
    return list(_ema_loop(values, beta, bias_correction))


@correct("ema")
def ema_plain(values, beta, bias_correction=False):
    return _ema_loop(values, beta, bias_correction)


@correct("ema")
def ema_closed_form(values, beta, bias_correction=False):
    t = np.arange(1, len(values) + 1)
    lag = np.clip(t[:, None] - t[None, :], 0, None)
    weights = (1 - beta) * beta**lag * (t[:, None] >= t[None, :])
    out = np.tensordot(weights, values.astype(float), axes=(1, 0))
    if bias_correction:
        out = out / (1 - beta**t).reshape((-1,) + (1,) * (values.ndim - 1))
    return out


@correct("ema")
def ema_via_package(values, beta, bias_correction=False):
    return package_ema(values, beta, bias_correction=bias_correction)


@correct("ema")
def ema_in_input_precision(values, beta, bias_correction=False):
    out = np.zeros_like(values)
    m = np.zeros_like(values[0])
    for k, g in enumerate(values):
        m = beta * m + (1 - beta) * g
        out[k] = m / (1 - beta ** (k + 1)) if bias_correction else m
    return out


# ---------------------------------------------------------------------------------------------------- momentum


@mutant("momentum")
def momentum_dampened(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + (1 - momentum) * g
    return theta - lr * velocity, velocity


@mutant("momentum")
def momentum_steps_with_old_velocity(theta, g, velocity, lr=0.01, momentum=0.9):
    theta = theta - lr * velocity
    return theta, momentum * velocity + g


@mutant("momentum")
def momentum_nesterov(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    return theta - lr * (g + momentum * velocity), velocity


@mutant("momentum")
def momentum_sutskever_velocity(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity - lr * g
    return theta + velocity, velocity


@mutant("momentum")
def momentum_lr_inside_velocity(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + lr * g
    return theta - velocity, velocity


@mutant("momentum")
def momentum_sign_flip(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    return theta + lr * velocity, velocity


@mutant("momentum")
def momentum_plain_gradient_step(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    return theta - lr * g, velocity


@mutant("momentum")
def momentum_lr_and_momentum_swapped(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = lr * velocity + g
    return theta - momentum * velocity, velocity


@mutant("momentum")
def momentum_mutates_velocity(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity *= momentum
    velocity += g
    return theta - lr * velocity, velocity


@mutant("momentum")
def momentum_mutates_theta(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    theta -= lr * velocity
    return theta, velocity


@mutant("momentum")
def momentum_first_element_only(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    new = theta.copy()
    new.flat[0] -= lr * velocity.flat[0]
    return new, velocity


@mutant("momentum")
def momentum_upcasts_float32(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = np.float64(momentum) * velocity + g
    return theta - np.float64(lr) * velocity, velocity


@mutant("momentum")
def momentum_on_the_gradient(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = velocity + momentum * g
    return theta - lr * velocity, velocity


@mutant("momentum")
def momentum_ignores_momentum_argument(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = 0.9 * velocity + g
    return theta - lr * velocity, velocity


@mutant("momentum")
def momentum_returns_old_velocity(theta, g, velocity, lr=0.01, momentum=0.9):
    new_velocity = momentum * velocity + g
    return theta - lr * new_velocity, velocity


@mutant("momentum")
def momentum_decays_the_sum(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * (velocity + g)
    return theta - lr * velocity, velocity


@correct("momentum")
def momentum_plain(theta, g, velocity, lr=0.01, momentum=0.9):
    velocity = momentum * velocity + g
    return theta - lr * velocity, velocity


@correct("momentum")
def momentum_in_place_on_copies(theta, g, velocity, lr=0.01, momentum=0.9):
    theta, velocity = theta.copy(), velocity.copy()
    velocity *= momentum
    velocity += g
    theta -= lr * velocity
    return theta, velocity


@correct("momentum")
def momentum_via_package(theta, g, velocity, lr=0.01, momentum=0.9):
    theta, state = Momentum(lr=lr, momentum=momentum).step(theta, g, VelocityState(t=0, velocity=velocity))
    return theta, state.velocity


# ---------------------------------------------------------------------------------------------------- RMSProp


@mutant("rmsprop")
def rmsprop_eps_inside_sqrt(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / np.sqrt(v + eps), v


@mutant("rmsprop")
def rmsprop_abs_for_square(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * np.abs(g)
    return theta - lr * g / (np.sqrt(v) + eps), v


@mutant("rmsprop")
def rmsprop_no_square_root(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / (v + eps), v


@mutant("rmsprop")
def rmsprop_steps_with_old_v(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    theta = theta - lr * g / (np.sqrt(v) + eps)
    return theta, beta2 * v + (1 - beta2) * g**2


@mutant("rmsprop")
def rmsprop_weights_swapped(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = (1 - beta2) * v + beta2 * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


@mutant("rmsprop")
def rmsprop_adagrad_sum(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = v + g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


@mutant("rmsprop")
def rmsprop_no_one_minus_beta2(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


@mutant("rmsprop")
def rmsprop_sign_flip(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g**2
    return theta + lr * g / (np.sqrt(v) + eps), v


@mutant("rmsprop")
def rmsprop_eps_added_to_parameter(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / np.sqrt(v) + eps, v


@mutant("rmsprop")
def rmsprop_mutates_v(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v *= beta2
    v += (1 - beta2) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


@mutant("rmsprop")
def rmsprop_first_row_only(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g**2
    new = theta.copy()
    new[0] = theta[0] - lr * g[0] / (np.sqrt(v[0]) + eps)
    return new, v


@mutant("rmsprop")
def rmsprop_upcasts_float32(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g.astype(float) ** 2
    return theta - lr * g / (np.sqrt(v) + eps), v


@mutant("rmsprop")
def rmsprop_ignores_beta2_argument(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = 0.99 * v + 0.01 * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


@mutant("rmsprop")
def rmsprop_returns_outputs_swapped(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g**2
    return v, theta - lr * g / (np.sqrt(v) + eps)


@correct("rmsprop")
def rmsprop_plain(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


@correct("rmsprop")
def rmsprop_in_place_on_copies(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    theta, v = theta.copy(), v.copy()
    v *= beta2
    v += (1 - beta2) * g * g
    theta -= lr * g / (np.sqrt(v) + eps)
    return theta, v


@correct("rmsprop")
def rmsprop_via_package(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    theta, state = RMSProp(lr=lr, beta2=beta2, eps=eps).step(theta, g, SecondMomentState(t=0, v=v))
    return theta, state.v


# ---------------------------------------------------------------------------------------------------- AdaMax


@mutant("adamax")
def adamax_no_bias_correction(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - lr * m / u, m, u


@mutant("adamax")
def adamax_corrects_u(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - lr * (m / (1 - beta1**t)) / (u / (1 - beta2**t)), m, u


@mutant("adamax")
def adamax_u_never_decays(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(u, np.abs(g))
    return theta - lr / (1 - beta1**t) * m / u, m, u


@mutant("adamax")
def adamax_decay_after_max(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = beta2 * np.maximum(u, np.abs(g))
    return theta - lr / (1 - beta1**t) * m / u, m, u


@mutant("adamax")
def adamax_no_absolute_value(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, g)
    return theta - lr / (1 - beta1**t) * m / u, m, u


@mutant("adamax")
def adamax_torch_eps(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g) + 1e-8)
    return theta - lr / (1 - beta1**t) * m / u, m, u


@mutant("adamax")
def adamax_weighted_like_adam(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, (1 - beta2) * np.abs(g))
    return theta - lr / (1 - beta1**t) * m / u, m, u


@mutant("adamax")
def adamax_t_from_zero(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - lr / (1 - beta1 ** (t - 1)) * m / u, m, u


@mutant("adamax")
def adamax_fixed_t(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - lr / (1 - beta1) * m / u, m, u


@mutant("adamax")
def adamax_sign_flip(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta + lr / (1 - beta1**t) * m / u, m, u


@mutant("adamax")
def adamax_l2_norm(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.sqrt(beta2 * u**2 + (1 - beta2) * g**2)
    return theta - lr / (1 - beta1**t) * m / u, m, u


@mutant("adamax")
def adamax_mutates_u(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u *= beta2
    np.maximum(u, np.abs(g), out=u)
    return theta - lr / (1 - beta1**t) * m / u, m, u


@mutant("adamax")
def adamax_first_row_only(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    new = theta.copy()
    new[0] = theta[0] - lr / (1 - beta1**t) * m[0] / u[0]
    return new, m, u


@mutant("adamax")
def adamax_upcasts_float32(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - np.float64(lr / (1 - beta1**t)) * m / u, m, u


@mutant("adamax")
def adamax_builtin_max(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = max(beta2 * u, np.abs(g))  # ValueError: the truth value of an array is ambiguous
    return theta - lr / (1 - beta1**t) * m / u, m, u


@mutant("adamax")
def adamax_global_max(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.max(np.abs(g)))
    return theta - lr / (1 - beta1**t) * m / u, m, u


@correct("adamax")
def adamax_plain(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - lr / (1 - beta1**t) * m / u, m, u


@correct("adamax")
def adamax_in_place_on_copies(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    theta, m, u = theta.copy(), m.copy(), u.copy()
    m *= beta1
    m += (1 - beta1) * g
    u *= beta2
    np.maximum(u, np.abs(g), out=u)
    theta -= (lr / (1 - beta1**t)) * m / u
    return theta, m, u


@correct("adamax")
def adamax_via_package(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    theta, state = AdaMax(lr=lr, beta1=beta1, beta2=beta2).step(theta, g, InfinityNormState(t=t - 1, m=m, u=u))
    return theta, state.m, state.u


# ---------------------------------------------------------------------------------------------------- AMSGrad


def _moments(g, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g**2


@mutant("amsgrad")
def amsgrad_is_plain_adam(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_max_of_corrected(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v / (1 - beta2**t))  # optax's convention, not torch's
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_average_continues_from_max(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v_max, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_max_of_squared_gradients(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, g**2)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_minimum(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.minimum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_returns_old_max(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    largest = np.maximum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(largest / (1 - beta2**t)) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_no_bias_correction(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return theta - lr * m / (np.sqrt(v_max) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_eps_inside_sqrt(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v_max / (1 - beta2**t) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_max_with_old_v(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    v_max = np.maximum(v_max, v)
    m, v = _moments(g, m, v, beta1, beta2)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_mutates_v_max(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    np.maximum(v_max, v, out=v_max)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_first_row_only(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    new = theta.copy()
    new[0] = theta[0] - lr * (m[0] / (1 - beta1**t)) / (np.sqrt(v_max[0] / (1 - beta2**t)) + eps)
    return new, m, v, v_max


@mutant("amsgrad")
def amsgrad_upcasts_float32(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    v_hat = v_max / np.float64(1 - beta2**t)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_hat) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_only_m_corrected(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_sign_flip(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return theta + lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@mutant("amsgrad")
def amsgrad_t_from_zero(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = t - 1
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@correct("amsgrad")
def amsgrad_plain(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(g, m, v, beta1, beta2)
    v_max = np.maximum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@correct("amsgrad")
def amsgrad_in_place_on_copies(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    theta, m, v, v_max = theta.copy(), m.copy(), v.copy(), v_max.copy()
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    np.maximum(v_max, v, out=v_max)
    theta -= lr / (1 - beta1**t) * m / (np.sqrt(v_max / (1 - beta2**t)) + eps)
    return theta, m, v, v_max


@correct("amsgrad")
def amsgrad_via_package(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    optimizer = AMSGrad(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    theta, state = optimizer.step(theta, g, MaxMomentState(t=t - 1, m=m, v=v, v_max=v_max))
    return theta, state.m, state.v, state.v_max


# ---------------------------------------------------------------------------------------------------- Adam + L2


def _adam_update(theta, m, v, t, lr, beta1, beta2, eps):
    """theta after Adam's step from the already-updated raw moments m and v (Algorithm 1)."""
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)


def _mv(g, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g**2


@mutant("adam_l2")
def l2_decoupled_instead(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta * (1 - lr * weight_decay), m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_ignored(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_sign_flipped(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g - weight_decay * theta, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_twice_the_decay(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g + 2 * weight_decay * theta, m, v, beta1, beta2)  # d/dtheta of weight_decay * theta**2
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_half_the_decay(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g + 0.5 * weight_decay * theta, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_in_m_only(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m = beta1 * m + (1 - beta1) * (g + weight_decay * theta)
    v = beta2 * v + (1 - beta2) * g**2
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_multiplied_by_lr(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g + lr * weight_decay * theta, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_added_after_the_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps) - weight_decay * theta, m, v


@mutant("adam_l2")
def l2_no_bias_correction(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g + weight_decay * theta, m, v, beta1, beta2)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


@mutant("adam_l2")
def l2_eps_inside_sqrt(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g + weight_decay * theta, m, v, beta1, beta2)
    return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


@mutant("adam_l2")
def l2_mutates_the_gradient(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    g += weight_decay * theta  # writes into the caller's gradient
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_upcasts_float32(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g + np.float64(weight_decay) * theta, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_decays_with_the_new_theta(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m0, v0 = _mv(g, m, v, beta1, beta2)
    ahead = _adam_update(theta, m0, v0, t, lr, beta1, beta2, eps)  # L2 term from the parameters after the step
    m, v = _mv(g + weight_decay * ahead, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adam_l2")
def l2_t_from_zero(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g + weight_decay * theta, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t - 1, lr, beta1, beta2, eps), m, v


@correct("adam_l2")
def l2_plain(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    g = g + weight_decay * theta
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@correct("adam_l2")
def l2_in_place_on_copies(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    theta, g, m, v = theta.copy(), g.copy(), m.copy(), v.copy()
    g += weight_decay * theta
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v


@correct("adam_l2")
def l2_efficient_form(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m, v = _mv(g + weight_decay * theta, m, v, beta1, beta2)
    lr_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m / (np.sqrt(v) + eps * math.sqrt(1 - beta2**t)), m, v


@correct("adam_l2")
def l2_via_package(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    theta, state = optimizer.step(theta, g, MomentState(t=t - 1, m=m, v=v))
    return theta, state.m, state.v


@correct("adam_l2")
def l2_in_float32_arithmetic(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    dtype = theta.dtype.type
    g = g + dtype(weight_decay) * theta
    m = dtype(beta1) * m + dtype(1 - beta1) * g
    v = dtype(beta2) * v + dtype(1 - beta2) * g * g
    return theta - dtype(lr) * (m / dtype(1 - beta1**t)) / (np.sqrt(v / dtype(1 - beta2**t)) + dtype(eps)), m, v


# ---------------------------------------------------------------------------------------------------- AdamW


@mutant("adamw")
def adamw_l2_instead(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g + weight_decay * theta, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adamw")
def adamw_no_decay(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adamw")
def adamw_decay_times_lr_twice(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta * (1 - lr * lr * weight_decay), m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adamw")
def adamw_papers_unscaled_lambda(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps) - weight_decay * theta, m, v


@mutant("adamw")
def adamw_decay_on_the_moments(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m * (1 - lr * weight_decay), v * (1 - lr * weight_decay), beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adamw")
def adamw_decay_after_the_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps) * (1 - lr * weight_decay), m, v


@mutant("adamw")
def adamw_decay_sign_flipped(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta * (1 + lr * weight_decay), m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adamw")
def adamw_decay_skipped_at_t1(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    decayed = theta if t == 1 else theta * (1 - lr * weight_decay)
    return _adam_update(decayed, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adamw")
def adamw_decay_in_the_adam_direction(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * (m_hat + weight_decay * theta) / (np.sqrt(v_hat) + eps), m, v


@mutant("adamw")
def adamw_no_bias_correction(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    return theta * (1 - lr * weight_decay) - lr * m / (np.sqrt(v) + eps), m, v


@mutant("adamw")
def adamw_eps_inside_sqrt(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    step = lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps)
    return theta * (1 - lr * weight_decay) - step, m, v


@mutant("adamw")
def adamw_mutates_theta(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    theta *= 1 - lr * weight_decay  # torch does this in place on the parameter; here it is the caller's array
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta, m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adamw")
def adamw_l2_and_decoupled_both(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g + weight_decay * theta, m, v, beta1, beta2)  # decays twice: through the gradient and directly
    return _adam_update(theta * (1 - lr * weight_decay), m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adamw")
def adamw_first_row_only(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    new = _adam_update(theta, m, v, t, lr, beta1, beta2, eps)
    new[0] = new[0] - lr * weight_decay * theta[0]  # decays the first row only
    return new, m, v


@mutant("adamw")
def adamw_upcasts_float32(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    return _adam_update(theta * np.float64(1 - lr * weight_decay), m, v, t, lr, beta1, beta2, eps), m, v


@mutant("adamw")
def adamw_decay_by_lr_over_sqrt_t(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)  # decays by a schedule of its own
    return _adam_update(theta * (1 - lr / math.sqrt(t) * weight_decay), m, v, t, lr, beta1, beta2, eps), m, v


@correct("adamw")
def adamw_plain(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    theta = theta * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@correct("adamw")
def adamw_papers_form(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)  # Loshchilov & Hutter's line 12 with their lambda = lr * weight_decay
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - (lr * m_hat / (np.sqrt(v_hat) + eps) + lr * weight_decay * theta), m, v


@correct("adamw")
def adamw_in_place_on_copies(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    theta, m, v = theta.copy(), m.copy(), v.copy()
    theta *= 1 - lr * weight_decay
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v


@correct("adamw")
def adamw_efficient_form(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m, v = _mv(g, m, v, beta1, beta2)
    lr_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta * (1 - lr * weight_decay) - lr_t * m / (np.sqrt(v) + eps * math.sqrt(1 - beta2**t)), m, v


@correct("adamw")
def adamw_via_package(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    optimizer = AdamW(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
    theta, state = optimizer.step(theta, g, MomentState(t=t - 1, m=m, v=v))
    return theta, state.m, state.v


@correct("adamw")
def adamw_in_float32_arithmetic(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    dtype = theta.dtype.type
    m = dtype(beta1) * m + dtype(1 - beta1) * g
    v = dtype(beta2) * v + dtype(1 - beta2) * g * g
    step = dtype(lr) * (m / dtype(1 - beta1**t)) / (np.sqrt(v / dtype(1 - beta2**t)) + dtype(eps))
    return theta * dtype(1 - lr * weight_decay) - step, m, v


# ---------------------------------------------------------------------------------------------------- tests


def _ids(pairs):
    return [fn.__name__ for _, fn in pairs]


MUTANT_CASES = [(exercise, fn) for exercise, fns in MUTANTS.items() for fn in fns]
CORRECT_CASES = [(exercise, fn) for exercise, fns in CORRECT.items() for fn in fns]


@pytest.mark.parametrize("exercise", list(CHECKERS))
def test_every_core_exercise_has_a_catalog_of_at_least_12_mutants(exercise):
    assert len(MUTANTS[exercise]) >= 12, f"{exercise}: only {len(MUTANTS[exercise])} mutants"
    assert len(CORRECT[exercise]) >= 3, f"{exercise}: only {len(CORRECT[exercise])} correct alternatives"


@pytest.mark.parametrize(("exercise", "fn"), MUTANT_CASES, ids=_ids(MUTANT_CASES))
def test_mutant_is_rejected_with_a_message(exercise, fn, capsys):
    with pytest.raises(AssertionError) as info:
        CHECKERS[exercise](fn)
    message = str(info.value)
    assert message.strip(), f"{fn.__name__} was rejected without a message"
    assert "Case:" in message, f"the message does not say which case failed:\n{message}"
    assert "Hint:" in message, f"the message gives no hint:\n{message}"
    captured = capsys.readouterr()
    assert captured.err == "", f"the checker wrote to stderr: {captured.err!r}"
    assert "is correct" not in captured.out


@pytest.mark.parametrize(("exercise", "fn"), CORRECT_CASES, ids=_ids(CORRECT_CASES))
def test_correct_alternative_is_accepted_with_one_line(exercise, fn, capsys):
    CHECKERS[exercise](fn)
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert len(lines) == 1 and "is correct" in lines[0], captured.out


@pytest.mark.parametrize("exercise", list(CHECKERS))
def test_stub_is_rejected_with_a_message_that_says_so(exercise, capsys):
    def stub(*args, **kwargs):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="NotImplementedError") as info:
        CHECKERS[exercise](stub)
    assert "not implemented yet" in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert capsys.readouterr().err == ""


def test_mutant_counts_per_checker(capsys):
    """The closing note's table: mutants caught / total, per checker (every one must be caught)."""
    rows = []
    for exercise, fns in MUTANTS.items():
        caught = 0
        for fn in fns:
            try:
                CHECKERS[exercise](fn)
            except AssertionError:
                caught += 1
        rows.append((CHECKERS[exercise].__name__, caught, len(fns)))
    capsys.readouterr()
    assert all(caught == total for _, caught, total in rows), rows
