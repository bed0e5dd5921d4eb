"""Wrong Adam + L2 and AdamW steps (exercise 11), as learners and blog posts write them."""

from __future__ import annotations

import math

import numpy as np

from . import wrong

WEIGHT_DECAY = 0.01  # a module constant, as in code that fixed the decay once


@wrong("adam_l2", "l2_is_adamw", source="blog post 'Adam with weight decay' that shrinks the weights directly")
def adam_l2_step_decoupled(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    theta = theta * (1 - lr * weight_decay)  # "weight decay"
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


@wrong("adam_l2", conventions=("l2_factor_two_keras",), source="port of a Keras model with an L2 regularizer")
def adam_l2_step_gradient_of_the_penalty(
    theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0
):
    grad = g + 2 * weight_decay * theta  # d/dtheta of weight_decay * sum(theta**2)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("adam_l2", "l2_m_only", "no_bias_correction", source="course submission that regularises the first moment")
def adam_l2_step_first_moment_only(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m_t = beta1 * m + (1 - beta1) * (g + weight_decay * theta)
    v_t = beta2 * v + (1 - beta2) * np.square(g)
    return theta - lr * m_t / (np.sqrt(v_t) + eps), m_t, v_t


@wrong("adam_l2", "l2_sign", source="small numpy library whose penalty term has the sign of gradient ascent")
def adam_l2_step_minus_penalty(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    g = g - weight_decay * theta
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


@wrong("adam_l2", "ignores_weight_decay", source="notebook that never used the regularisation argument")
def adam_l2_step_forgets_the_decay(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


@wrong("adamw", "adamw_is_l2", source="blog post 'AdamW from scratch' that adds the decay to the gradient")
def adamw_step_coupled(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    g = g + weight_decay * theta
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


@wrong("adamw", conventions=("adamw_paper_lambda",), source="transcription of Loshchilov & Hutter's Algorithm 2")
def adamw_step_papers_lambda(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - (lr * m_hat / (np.sqrt(v_hat) + eps) + weight_decay * theta), m, v


@wrong("adamw", "decay_after_step", "eps_inside_sqrt", source="course submission that decays the updated weights")
def adamw_step_decay_last(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    new = theta - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps)
    return new * (1 - lr * weight_decay), m, v


@wrong("adamw", "ignores_weight_decay", source="small library with the decay fixed at module level")
def adamw_step_module_decay(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    theta = theta * (1 - lr * WEIGHT_DECAY)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


@wrong("adamw", "decay_twice", "no_bias_correction", source="port that keeps torch.optim.Adam's weight_decay too")
def adamw_step_both_decays(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    grad = g + weight_decay * theta
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta * (1 - lr * weight_decay) - lr * m / (math.sqrt(1.0) * np.sqrt(v) + eps), m, v
