"""Wrong RMSProp steps for ``check_rmsprop_step``, in the styles of course code, blog posts and small libraries.

The contract is ``rmsprop_step(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8) -> (theta, v)`` with
``v = beta2 * v + (1 - beta2) * g**2`` and ``theta - lr * g / (sqrt(v) + eps)``: no bias correction, eps
outside the square root. Every function below breaks it.
"""

from __future__ import annotations

import math

import numpy as np

from . import wrong

DECAY_RATE = 0.99  # module-level constants, as in small libraries that fixed them once
EPSILON = 1e-7


# ----------------------------------------------------------------------------------------- conventions


@wrong(
    "rmsprop",
    conventions=("eps_inside_sqrt_tf",),
    source="numpy port of TensorFlow 1's tf.train.RMSPropOptimizer (eps added to ms under the root)",
)
def rmsprop_step_tf(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    ms = beta2 * v + (1 - beta2) * np.square(g)
    mom = lr * g / np.sqrt(ms + eps)
    return theta - mom, ms


# ----------------------------------------------------------------------------------------- one mistake each


@wrong("rmsprop", "abs_for_square", source="forum answer that averages the size of the gradient")
def rmsprop_step_abs(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    cache = beta2 * v + (1 - beta2) * np.abs(g)
    return theta - lr * g / (np.sqrt(cache) + eps), cache


@wrong("rmsprop", "no_sqrt", source="student notes that divide by the mean square instead of its root")
def rmsprop_step_no_root(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    s = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / (s + eps), s


@wrong("rmsprop", "old_state_in_step", source="course submission that divides by the cache before updating it")
def rmsprop_step_old_cache(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    step = lr * g / (np.sqrt(v) + eps)
    v = beta2 * v + (1 - beta2) * g * g
    return theta - step, v


@wrong("rmsprop", "weights_swapped", source="small numpy library: cache = g**2 * decay_rate + (1 - decay_rate) * cache")
def rmsprop_step_swapped(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    cache = np.power(g, 2) * beta2 + (1 - beta2) * v
    change = np.multiply(lr / (np.sqrt(cache) + eps), g)
    return theta - change, cache


@wrong("rmsprop", "adagrad", source="AdaGrad code renamed RMSProp in a from-scratch tutorial")
def rmsprop_step_adagrad(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    h = v.copy()
    h += g * g  # accumulate squared gradients
    return theta - lr * g / (np.sqrt(h) + eps), h


@wrong("rmsprop", "no_one_minus_beta2", source="Hinton-slides-from-memory blog post: v = rho * v + g**2")
def rmsprop_step_no_one_minus(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


@wrong("rmsprop", "ignores_eps", source="'deep learning from scratch' optimizer with the literal 1e-7 in the step")
def rmsprop_step_literal_eps(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    h = v * beta2
    h = h + (1 - beta2) * g * g
    return theta - lr * g / (np.sqrt(h) + 1e-7), h


@wrong("rmsprop", "ignores_beta2", source="small numpy library with DECAY_RATE fixed at module level")
def rmsprop_step_module_decay(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = DECAY_RATE * v + (1 - DECAY_RATE) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


@wrong("rmsprop", "default_beta2", source="port of Keras's RMSprop that kept its rho=0.9 as the default")
def rmsprop_step_keras_rho(theta, g, v, lr=0.01, beta2=0.9, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


@wrong("rmsprop", "eps_on_theta", source="course submission with a missing pair of parentheses")
def rmsprop_step_eps_precedence(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * g / np.sqrt(v) + eps, v


@wrong("rmsprop", "uphill", source="element-by-element RMSProp in a reinforcement-learning notebook (ascent)")
def rmsprop_step_loop_uphill(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    new_theta, new_v = np.array(theta, copy=True), np.array(v, copy=True)
    for i in np.ndindex(theta.shape):
        new_v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
        new_theta[i] = theta[i] + lr * g[i] / (math.sqrt(new_v[i]) + eps)
    return new_theta, new_v


# ----------------------------------------------------------------------------------------- combinations


@wrong(
    "rmsprop",
    "old_state_in_step",
    conventions=("eps_inside_sqrt_tf",),
    source="TensorFlow-1-style RMSProp port that steps before updating ms",
)
def rmsprop_step_tf_old_ms(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    new_theta = theta - lr * g / np.sqrt(v + eps)
    ms = beta2 * v + (1 - beta2) * g**2
    return new_theta, ms


@wrong("rmsprop", "no_one_minus_beta2", "uphill", source="gradient-ascent notebook with Hinton's rule from memory")
def rmsprop_step_no_one_minus_uphill(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    s = beta2 * v + g**2
    theta = theta + lr * g / (np.sqrt(s) + eps)
    return theta, s


@wrong(
    "rmsprop",
    "weights_swapped",
    "ignores_eps",
    source="small numpy library: swapped decay weights and EPSILON fixed at module level",
)
def rmsprop_step_swapped_module_eps(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    cache = beta2 * g**2 + (1 - beta2) * v
    return theta - lr * g / (np.sqrt(cache) + EPSILON), cache


@wrong("rmsprop", "abs_for_square", "no_sqrt", source="blog post that normalises by the average gradient magnitude")
def rmsprop_step_mean_abs(theta, g, v, lr=0.01, beta2=0.99, eps=1e-8):
    mean_abs = beta2 * v + (1 - beta2) * abs(g)
    return theta - lr * g / (mean_abs + eps), mean_abs
