"""Wrong AMSGrad steps for ``check_amsgrad_step``, in the styles of blog posts, course submissions and ports.

The contract is torch's form: ``amsgrad_step(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999,
eps=1e-8) -> (theta, m, v, v_max)`` with ``v_max = max(v_max, v)`` over the raw v and the step
``lr * m_hat / (sqrt(v_max / (1 - beta2**t)) + eps)``. Every function below breaks it.
"""

from __future__ import annotations

import math

import numpy as np

from . import wrong

# ----------------------------------------------------------------------------------------- one mistake each


@wrong("amsgrad", "amsgrad_plain_adam", source="blog post that keeps v_max but divides by the current v")
def amsgrad_step_plain_adam(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.maximum(v_max, v)  # keep the largest v seen so far
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, v_max


@wrong(
    "amsgrad",
    conventions=("amsgrad_max_of_v_hat_optax",),
    source="numpy port of optax's amsgrad, the maximum taken over the corrected v_hat",
)
def amsgrad_step_max_of_v_hat(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    mu = beta1 * m + (1 - beta1) * g
    nu = beta2 * v + (1 - beta2) * g**2
    mu_hat = mu / (1 - beta1**t)
    nu_hat = nu / (1 - beta2**t)
    nu_max = np.maximum(v_max, nu_hat)
    return theta - lr * mu_hat / (np.sqrt(nu_max) + eps), mu, nu, nu_max


@wrong(
    "amsgrad",
    conventions=("amsgrad_no_correction_reddi",),
    source="implementation of Algorithm 2 of Reddi et al. as printed, constant step size",
)
def amsgrad_step_reddi_no_correction(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m_t = beta1 * m + (1 - beta1) * g
    v_t = beta2 * v + (1 - beta2) * g * g
    v_hat = np.maximum(v_max, v_t)
    return theta - lr * m_t / (np.sqrt(v_hat) + eps), m_t, v_t, v_hat


@wrong(
    "amsgrad",
    conventions=("lr_over_sqrt_t_reddi",),
    source="course submission that takes Reddi et al.'s alpha_t = alpha / sqrt(t) into torch's form",
)
def amsgrad_step_lr_over_sqrt_t(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    alpha_t = lr / np.sqrt(t)  # decreasing step size from the convergence proof
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.maximum(v_max, v)
    denom = np.sqrt(v_max / (1 - beta2**t)) + eps
    return theta - alpha_t * (m / (1 - beta1**t)) / denom, m, v, v_max


@wrong(
    "amsgrad",
    conventions=("eps_hat_keras",),
    source="blog post AMSGrad from scratch with a 'learning rate hat' and a constant epsilon",
)
def amsgrad_step_lr_hat(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    learning_rate_hat = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    moment1 = beta1 * m + (1 - beta1) * g
    moment2 = beta2 * v + (1 - beta2) * g**2
    moment2_hat = np.maximum(v_max, moment2)
    update = -learning_rate_hat * moment1 / (moment2_hat**0.5 + eps)
    return theta + update, moment1, moment2, moment2_hat


@wrong("amsgrad", "v_not_corrected", source="course submission that corrects m and forgets v_max")
def amsgrad_step_v_max_uncorrected(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.maximum(v_max, v)
    m_hat = m / (1 - beta1**t)
    return theta - lr * m_hat / (np.sqrt(v_max) + eps), m, v, v_max


@wrong("amsgrad", "amsgrad_max_before_v", source="student code that updates v_max before the new v is computed")
def amsgrad_step_max_with_old_v(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    v_max = np.maximum(v_max, v)  # max first, then the moments
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v_max / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, v_max


@wrong("amsgrad", "amsgrad_old_max_returned", source="function version of a class that kept a local max")
def amsgrad_step_returns_old_max(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    largest = np.maximum(v_max, v)
    m_hat = m / (1 - beta1**t)
    v_hat = largest / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, v_max


@wrong("amsgrad", "amsgrad_max_g2", source="summary of AMSGrad as 'the maximum of past squared gradients'")
def amsgrad_step_max_of_g2(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.maximum(v_max, g**2)  # maximum of past squared gradients
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@wrong("amsgrad", "amsgrad_v_from_max", source="course submission that continues the average from v_max")
def amsgrad_step_v_from_max(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v_max + (1 - beta2) * g**2
    v_max = np.maximum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@wrong("amsgrad", "amsgrad_minimum", source="student code with np.minimum typed for np.maximum")
def amsgrad_step_minimum(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.minimum(v_max, v)
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@wrong("amsgrad", "np_max_two_args", source="course submission that calls np.max with two arrays")
def amsgrad_step_np_max(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.max(v_max, v)  # the second argument is taken as an axis: TypeError
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


@wrong("amsgrad", "python_max", source="scalar AMSGrad from a blog post applied to arrays")
def amsgrad_step_python_max(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = max(v_max, v)  # fine on floats, ambiguous on arrays
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps), m, v, v_max


# ----------------------------------------------------------------------------------------- combinations


@wrong(
    "amsgrad",
    conventions=("amsgrad_max_of_v_hat_optax", "eps_inside_sqrt_tf"),
    source="port of optax's amsgrad with eps_root in place of eps: max over v_hat, eps under the root",
)
def amsgrad_step_optax_eps_root(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.maximum(v_max, v / (1 - beta2**t))
    return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v_max + eps), m, v, v_max


@wrong(
    "amsgrad",
    conventions=("amsgrad_no_correction_reddi", "lr_over_sqrt_t_reddi"),
    source="reproduction of Reddi et al.'s synthetic experiment: Algorithm 2 with alpha / sqrt(t), no correction",
)
def amsgrad_step_reddi_algorithm_2(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    alpha_t = lr / math.sqrt(t)
    m_t = beta1 * m + (1 - beta1) * g
    v_t = beta2 * v + (1 - beta2) * g**2
    v_hat = np.maximum(v_max, v_t)
    return theta - alpha_t * m_t / (np.sqrt(v_hat) + eps), m_t, v_t, v_hat


@wrong(
    "amsgrad",
    "amsgrad_old_max_returned",
    conventions=("eps_hat_keras",),
    source="Keras-style efficient form in a notebook that forgets to return the new maximum",
)
def amsgrad_step_lr_hat_old_max(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    vhat = np.maximum(v_max, v)
    return theta - lr_t * m / (np.sqrt(vhat) + eps), m, v, v_max


@wrong("amsgrad", "v_not_corrected", "amsgrad_max_g2", source="forum answer: max of squared gradients, m_hat only")
def amsgrad_step_max_g2_uncorrected(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    first = beta1 * m + (1 - beta1) * g
    second = beta2 * v + (1 - beta2) * g**2
    largest = np.maximum(v_max, np.square(g))
    return theta - lr * (first / (1 - beta1**t)) / (np.sqrt(largest) + eps), first, second, largest


@wrong(
    "amsgrad",
    "amsgrad_plain_adam",
    "no_bias_correction",
    source="uncorrected Adam with a v_max added that the step never reads",
)
def amsgrad_step_plain_adam_uncorrected(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_max = np.maximum(v_max, v)
    return theta - lr * m / (np.sqrt(v) + eps), m, v, v_max


@wrong(
    "amsgrad",
    "t_from_zero",
    "amsgrad_max_before_v",
    source="class-based AMSGrad turned into a function: counter from 0, max taken before the new v",
)
def amsgrad_step_t_from_zero_old_v(theta, g, m, v, v_max, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    step = t - 1
    new_v_max = np.maximum(v_max, v)
    new_m = beta1 * m + (1 - beta1) * g
    new_v = beta2 * v + (1 - beta2) * g**2
    m_hat = new_m / (1 - beta1**step)
    v_hat = new_v_max / (1 - beta2**step)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v, new_v_max
