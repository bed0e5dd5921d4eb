"""Wrong Adam steps for ``check_adam_step``, in the styles of course submissions, blog posts and small libraries.

The contract is Algorithm 1 of Kingma & Ba: ``adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999,
eps=1e-8) -> (theta, m, v)`` with t 1-based and m, v returned raw. Every function below breaks it.
"""

from __future__ import annotations

import math

import numpy as np

from . import wrong

# module-level constants, as in code that copied the paper's defaults once and for all
BETA_1 = 0.9
BETA_2 = 0.999
EPSILON = 1e-8


# ----------------------------------------------------------------------------------------- one mistake each


@wrong("adam", "no_bias_correction", source="blog post 'Adam from scratch' that leaves out the bias correction")
def adam_step_no_correction(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # moving averages of the gradient and of its square
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    theta = theta - lr * m / (np.sqrt(v) + eps)
    return theta, m, v


@wrong("adam", "t_from_zero", source="course submission whose training loop numbers iterations from 0")
def adam_step_t_from_zero(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    it = t - 1  # iteration index, 0 on the first call
    m_t = beta1 * m + (1 - beta1) * g
    v_t = beta2 * v + (1 - beta2) * g**2
    m_hat = m_t / (1 - beta1**it)
    v_hat = v_t / (1 - beta2**it)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_t, v_t


@wrong("adam", "t_plus_one", source="numba-jitted Adam helper that adds 1 to an iteration counter")
def adam_step_t_plus_one(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m2 = beta1 * m + (1 - beta1) * g
    v2 = beta2 * v + (1 - beta2) * g**2
    m_h = m2 / (1 - beta1 ** (t + 1))
    v_h = v2 / (1 - beta2 ** (t + 1))
    return theta - lr * m_h / (np.sqrt(v_h) + eps), m2, v2


@wrong("adam", "beta_squared", source="student notes that read the superscript t in beta^t as a square")
def adam_step_beta_squared(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    first_moment = beta1 * m + (1 - beta1) * g
    second_moment = beta2 * v + (1 - beta2) * np.square(g)
    m_corrected = first_moment / (1 - beta1**2)
    v_corrected = second_moment / (1 - beta2**2)
    new_theta = theta - lr * m_corrected / (np.sqrt(v_corrected) + eps)
    return new_theta, first_moment, second_moment


@wrong("adam", "v_corrected_with_beta1", source="course submission with a copy-pasted bias-correction line")
def adam_step_v_corrected_with_beta1(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    mhat = m / (1 - beta1**t)
    vhat = v / (1 - beta1**t)  # same correction as for m
    return theta - lr * mhat / (np.sqrt(vhat) + eps), m, v


@wrong("adam", "m_not_corrected", source="element-by-element Adam in a from-scratch tutorial")
def adam_step_loop_m_uncorrected(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_theta, new_m, new_v = np.array(theta, copy=True), np.array(m, copy=True), np.array(v, copy=True)
    for i in np.ndindex(theta.shape):
        new_m[i] = beta1 * m[i] + (1 - beta1) * g[i]
        new_v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
        v_hat = new_v[i] / (1 - beta2**t)
        new_theta[i] = theta[i] - lr * new_m[i] / (math.sqrt(v_hat) + eps)
    return new_theta, new_m, new_v


@wrong("adam", "fed_back", source="CS231n optim.py submission that stores the corrected moments in config")
def adam_step_fed_back(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    # correct the bias and keep the corrected values for the next step
    m = m / (1 - beta1**t)
    v = v / (1 - beta2**t)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


@wrong("adam", conventions=("eps_inside_sqrt_tf",), source="port of TensorFlow-style code with eps under the root")
def adam_step_eps_in_sqrt(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m_t = beta1 * m + (1 - beta1) * g
    v_t = beta2 * v + (1 - beta2) * g**2
    m_hat = m_t / (1 - beta1**t)
    v_hat = v_t / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m_t, v_t


@wrong("adam", "eps_inside_sqrt", source="blog post that adds eps to v before the correction, under the root")
def adam_step_eps_in_sqrt_of_raw_v(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    denom = np.sqrt((v + eps) / (1 - beta2**t))  # eps keeps v away from 0
    return theta - lr * (m / (1 - beta1**t)) / denom, m, v


@wrong("adam", conventions=("eps_hat_keras",), source="Keras-style Adam with the step size lr_t and a constant eps")
def adam_step_efficient_constant_eps(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # efficient version from section 2 of the paper
    lr_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v


@wrong(
    "adam",
    "correction_not_sqrt",
    conventions=("eps_hat_keras",),
    source="blog post on the efficient form that forgets the square root on 1 - beta2**t",
)
def adam_step_efficient_no_sqrt(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    alpha_t = lr * (1 - beta2**t) / (1 - beta1**t)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - alpha_t * m / (np.sqrt(v) + eps), m, v


@wrong("adam", "ignores_eps", source="small numpy DL library with EPSILON fixed at module level")
def adam_step_module_eps(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + EPSILON), m, v


@wrong("adam", "ignores_beta1", "ignores_beta2", source="small numpy library with BETA_1, BETA_2 fixed at module level")
def adam_step_literal_betas(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = BETA_1 * m + (1 - BETA_1) * g
    v = BETA_2 * v + (1 - BETA_2) * g**2
    m_hat = m / (1 - BETA_1**t)
    v_hat = v / (1 - BETA_2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("adam", "default_eps", source="numpy port of Keras's Adam that kept Keras's default epsilon=1e-7")
def adam_step_keras_default_eps(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("adam", "abs_for_square", source="forum answer that averages the gradient's magnitude for the second moment")
def adam_step_abs_g(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * np.abs(g)  # size of the gradient
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("adam", "betas_swapped", source="student code that took beta1 for the second-moment decay")
def adam_step_betas_swapped(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    s = beta2 * m + (1 - beta2) * g
    r = beta1 * v + (1 - beta1) * g**2
    s_hat = s / (1 - beta2**t)
    r_hat = r / (1 - beta1**t)
    return theta - lr * s_hat / (np.sqrt(r_hat) + eps), s, r


@wrong("adam", "uphill", source="gradient-ascent code reused for Adam in a reinforcement-learning notebook")
def adam_step_uphill(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    theta = theta + lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v


@wrong("adam", "gradient_in_numerator", source="course submission that updates m but steps with the raw gradient")
def adam_step_g_on_top(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_hat = v / (1 - beta2**t)
    m_hat = m / (1 - beta1**t)  # noqa: F841  (computed, then not used)
    return theta - lr * g / (np.sqrt(v_hat) + eps), m, v


@wrong("adam", "unchanged", source="in-place update on a copy whose caller gets the original theta back")
def adam_step_returns_old_theta(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = m.copy()
    v = v.copy()
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g**2
    params = theta.copy()
    params -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v


# ----------------------------------------------------------------------------------------- combinations


@wrong(
    "adam",
    "no_bias_correction",
    "eps_inside_sqrt",
    source="RMSProp-with-momentum blog code sold as Adam, eps under the root",
)
def adam_step_no_correction_eps_in_sqrt(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / np.sqrt(v + eps), m, v


@wrong("adam", "t_from_zero", "fed_back", source="class-based Adam turned into a function, counter from 0")
def adam_step_t_from_zero_fed_back(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    k = t - 1
    m_t = (beta1 * m + (1 - beta1) * g) / (1 - beta1**k)
    v_t = (beta2 * v + (1 - beta2) * g**2) / (1 - beta2**k)
    return theta - lr * m_t / (np.sqrt(v_t) + eps), m_t, v_t


@wrong("adam", "ignores_eps", "no_bias_correction", source="small numpy library: fixed EPSILON, no correction")
def adam_step_module_eps_no_correction(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    first_moment = beta1 * m + (1 - beta1) * g
    second_moment = beta2 * v + (1 - beta2) * g**2
    return theta - lr * first_moment / (np.sqrt(second_moment) + EPSILON), first_moment, second_moment


@wrong(
    "adam",
    "ignores_beta1",
    "ignores_beta2",
    "ignores_eps",
    "no_bias_correction",
    source="small numpy DL library with 0.9, 0.1, 0.999, 0.001 and 1e-8 written into the update",
)
def adam_step_all_literals(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * (g**2)
    return theta - lr * m / (np.sqrt(v) + 1e-8), m, v


@wrong(
    "adam",
    "betas_swapped",
    conventions=("eps_hat_keras",),
    source="Keras-style efficient form in a student's notebook, betas passed the wrong way round",
)
def adam_step_efficient_betas_swapped(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    step_size = lr * np.sqrt(1 - beta1**t) / (1 - beta2**t)
    m = beta2 * m + (1 - beta2) * g
    v = beta1 * v + (1 - beta1) * g**2
    return theta - step_size * m / (np.sqrt(v) + eps), m, v


@wrong(
    "adam",
    "default_eps",
    conventions=("eps_hat_keras",),
    source="line-by-line numpy translation of Keras's Adam, its epsilon=1e-7 default included",
)
def adam_step_keras_port(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7):
    local_step = float(t)
    alpha = lr * math.sqrt(1.0 - math.pow(beta2, local_step)) / (1.0 - math.pow(beta1, local_step))
    m = m + (g - m) * (1 - beta1)
    v = v + (g * g - v) * (1 - beta2)
    return theta - alpha * m / (np.sqrt(v) + eps), m, v


@wrong("adam", "abs_for_square", "no_bias_correction", source="forum pseudo-code turned into numpy")
def adam_step_abs_no_correction(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    mean_grad = beta1 * m + (1 - beta1) * g
    mean_size = beta2 * v + (1 - beta2) * abs(g)
    return theta - lr * mean_grad / (np.sqrt(mean_size) + eps), mean_grad, mean_size


@wrong(
    "adam",
    "gradient_in_numerator",
    "no_bias_correction",
    source="RMSProp code with an m added that is never used in the step",
)
def adam_step_rmsprop_with_m(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), m, v


@wrong(
    "adam",
    "m_not_corrected",
    conventions=("eps_inside_sqrt_tf",),
    source="course submission that corrects only v and puts eps under the root",
)
def adam_step_v_only_eps_in_sqrt(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m_t = beta1 * m + (1 - beta1) * g
    v_t = beta2 * v + (1 - beta2) * g**2
    v_hat = v_t / (1 - beta2**t)
    return theta - lr * m_t / np.sqrt(v_hat + eps), m_t, v_t


@wrong("adam", "beta_squared", "uphill", source="gradient-ascent notebook with beta^t read as a square")
def adam_step_beta_squared_uphill(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    theta = theta + lr * (m / (1 - beta1**2)) / (np.sqrt(v / (1 - beta2**2)) + eps)
    return theta, m, v
