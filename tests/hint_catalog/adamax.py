"""Wrong AdaMax steps for ``check_adamax_step``, in the styles of course code, blog posts and library ports.

The contract is Algorithm 2 of Kingma & Ba: ``adamax_step(theta, g, m, u, t, lr=0.002, beta1=0.9,
beta2=0.999) -> (theta, m, u)`` with ``u = max(beta2 * u, |g|)`` elementwise and
``theta - lr / (1 - beta1**t) * m / u``, no eps, t 1-based. Every function below breaks it.
"""

from __future__ import annotations

import numpy as np

from . import wrong

EPSILON = 1e-7  # Keras's default epsilon, fixed at module level as in ports of its Adamax


# ----------------------------------------------------------------------------------------- conventions


@wrong(
    "adamax",
    conventions=("adamax_eps_in_max_torch",),
    source="numpy port of torch.optim.Adamax (exp_inf = max(beta2 * exp_inf, |g| + eps), eps=1e-8)",
)
def adamax_step_torch_eps(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    exp_avg = beta1 * m + (1 - beta1) * g
    exp_inf = np.maximum(beta2 * u, np.abs(g) + 1e-8)
    clr = lr / (1 - beta1**t)
    return theta - clr * exp_avg / exp_inf, exp_avg, exp_inf


@wrong(
    "adamax",
    conventions=("adamax_eps_on_u_keras",),
    source="numpy port of Keras's Adamax docstring (w - current_lr * m / (u + epsilon), epsilon=1e-7)",
)
def adamax_step_keras_eps(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    current_lr = lr / (1 - beta1**t)
    return theta - current_lr * m / (u + EPSILON), m, u


# ----------------------------------------------------------------------------------------- one mistake each


@wrong("adamax", "m_not_corrected", source="blog post that drops the 1 / (1 - beta1**t) of Algorithm 2")
def adamax_step_m_uncorrected(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m_t = beta1 * m + (1 - beta1) * g
    u_t = np.maximum(beta2 * u, np.abs(g))
    return theta - lr * m_t / u_t, m_t, u_t


@wrong("adamax", "u_corrected", source="Adam code edited into AdaMax that kept the second bias correction")
def adamax_step_u_corrected(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    m_hat = m / (1 - beta1**t)
    u_hat = u / (1 - beta2**t)  # as for v_hat in Adam
    return theta - lr * m_hat / u_hat, m, u


@wrong("adamax", "u_no_decay", source="course submission that keeps the running maximum of |g|")
def adamax_step_running_max(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(u, np.abs(g))  # largest gradient seen so far
    return theta - (lr / (1 - beta1**t)) * m / u, m, u


@wrong("adamax", "u_decay_after_max", source="student notes that read max(beta2 * u, |g|) as beta2 * max(u, |g|)")
def adamax_step_decay_outside(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = beta2 * np.maximum(u, np.abs(g))
    return theta - (lr / (1 - beta1**t)) * m / u, m, u


@wrong("adamax", "u_signed", source="element-by-element AdaMax in a from-scratch tutorial, abs forgotten")
def adamax_step_loop_signed(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    new_theta, new_m, new_u = np.array(theta, copy=True), np.array(m, copy=True), np.array(u, copy=True)
    step = lr / (1 - beta1**t)
    for i in np.ndindex(theta.shape):
        new_m[i] = beta1 * m[i] + (1 - beta1) * g[i]
        new_u[i] = max(beta2 * u[i], g[i])
        new_theta[i] = theta[i] - step * new_m[i] / new_u[i]
    return new_theta, new_m, new_u


@wrong("adamax", "np_max_two_args", source="course submission that calls np.max with two arrays")
def adamax_step_np_max(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.max(beta2 * u, np.abs(g))  # the second argument is taken as an axis
    return theta - (lr / (1 - beta1**t)) * m / u, m, u


@wrong("adamax", "python_max", source="scalar AdaMax from the paper's pseudo-code applied to arrays")
def adamax_step_python_max(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = max(beta2 * u, abs(g))  # fine on floats, ambiguous on arrays
    return theta - (lr / (1 - beta1**t)) * m / u, m, u


@wrong("adamax", "t_from_zero", source="class-based AdaMax turned into a function, iteration counted from 0")
def adamax_step_t_from_zero(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    it = t - 1
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - lr / (1 - beta1**it) * m / u, m, u


@wrong("adamax", "u_weighted", source="Adam habit carried over: u = max(beta2 * u, (1 - beta2) * |g|)")
def adamax_step_weighted(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, (1 - beta2) * np.abs(g))
    return theta - (lr / (1 - beta1**t)) * m / u, m, u


# ----------------------------------------------------------------------------------------- combinations


@wrong(
    "adamax",
    "m_not_corrected",
    conventions=("adamax_eps_on_u_keras",),
    source="small numpy library: Keras's u + epsilon and no bias correction of m",
)
def adamax_step_keras_eps_m_uncorrected(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g))
    return theta - lr * m / (u + EPSILON), m, u


@wrong("adamax", "m_not_corrected", "u_no_decay", source="blog post with a running maximum and no correction")
def adamax_step_running_max_uncorrected(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m_new = beta1 * m + (1 - beta1) * g
    u_new = np.maximum(u, np.abs(g))
    return theta - lr * m_new / u_new, m_new, u_new


@wrong("adamax", "u_signed", "t_from_zero", source="course submission: no abs and an iteration counter from 0")
def adamax_step_signed_t_from_zero(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    k = t - 1
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, g)
    return theta - lr / (1 - beta1**k) * m / u, m, u


@wrong(
    "adamax",
    "u_weighted",
    "u_corrected",
    source="Adam function edited into AdaMax: weighted |g| and a u_hat",
)
def adamax_step_adam_habits(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, (1 - beta2) * np.abs(g))
    m_hat = m / (1 - beta1**t)
    u_hat = u / (1 - beta2**t)
    return theta - lr * m_hat / u_hat, m, u
