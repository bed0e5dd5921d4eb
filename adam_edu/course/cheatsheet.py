"""The numbers the cheat sheet quotes, computed: the sheet (``handouts_assets/cheatsheet.html``) has no code cells.

:func:`cheatsheet_numbers` returns every number the sheet quotes, keyed by what it is. ``adam-edu prose-numbers``
(and ``tests/test_prose_numbers.py``) checks that each number on the sheet is one of these values after rounding to
the precision quoted, so a number that is edited on the sheet but not here fails. Two kinds of numbers:

- **results**, computed here by running the course's optimizers (:mod:`adam_edu.optim`) or from the exact bounds
  (:mod:`adam_edu.bounds`); ``tests/test_cheatsheet.py`` checks several against the paper's formulas written out;
- **library defaults** (:data:`LIBRARY_DEFAULTS`), which no computation gives: copied from the signatures of
  torch 2.13, optax 0.2.8 and keras 3, each with the place it is defined. ``tests/test_cheatsheet.py`` compares the
  torch ones with the installed torch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..bounds import adam_worst_case_gradients, adam_worst_case_limit, adamax_worst_case_limit, paper_step_bound
from ..optim import Adam, AdaMax

SMALL_GRADIENT = 1e-6  # the |g| at which the sheet quotes the first step
REDDI_C = 3.0  # Reddi, Kale & Kumar's counterexample as the course runs it

# Library defaults the sheet quotes, as the libraries define them (not computable; check them when a version changes).
LIBRARY_DEFAULTS: dict[str, float] = {
    # torch 2.13, torch/optim/adam.py: Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    "torch_adam_lr": 1e-3,
    "torch_adam_beta1": 0.9,
    "torch_adam_beta2": 0.999,
    "torch_adam_eps": 1e-8,
    # torch 2.13, torch/optim/adamw.py: AdamW(..., weight_decay=1e-2)
    "torch_adamw_weight_decay": 1e-2,
    # torch 2.13, torch/optim/adamax.py: Adamax(lr=2e-3, betas=(0.9, 0.999), eps=1e-8)
    "torch_adamax_lr": 2e-3,
    "torch_adamax_eps": 1e-8,
    # optax 0.2.8, optax/_src/alias.py: adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0)
    "optax_adam_b1": 0.9,
    "optax_adam_b2": 0.999,
    "optax_adam_eps": 1e-8,
    "optax_adam_eps_root": 0.0,
    # optax 0.2.8, optax/_src/alias.py: adamw(..., weight_decay=1e-4)
    "optax_adamw_weight_decay": 1e-4,
    # optax 0.2.8, optax/_src/alias.py: adamax(learning_rate, b1=0.9, b2=0.999, eps=1e-8)
    "optax_adamax_eps": 1e-8,
    # keras 3, keras/src/optimizers/adam.py: Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    "keras_adam_learning_rate": 1e-3,
    "keras_adam_beta_1": 0.9,
    "keras_adam_beta_2": 0.999,
    "keras_adam_epsilon": 1e-7,
    # keras 3, keras/src/optimizers/adamw.py: AdamW(learning_rate=0.001, weight_decay=0.004, ..., epsilon=1e-7)
    "keras_adamw_weight_decay": 0.004,
    # keras 3, keras/src/optimizers/adamax.py: Adamax(learning_rate=0.001, ..., epsilon=1e-7)
    "keras_adamax_epsilon": 1e-7,
}


def _step_sizes(opt, gradients: Iterable[float]) -> np.ndarray:
    """:math:`|\\Delta_t|/\\alpha` for each gradient in turn, one coordinate, from the optimizer's zero state.

    Each step starts from :math:`\\theta = 0` (the state does not depend on :math:`\\theta`), so the step is read
    without cancellation.
    """
    zero = np.zeros(1)
    state, sizes = opt.init(zero), []
    for g in gradients:
        theta, state = opt.step(zero, np.array([float(g)]), state)
        sizes.append(abs(float(theta[0])) / opt.lr)
    return np.array(sizes)


def _spike_step(t: int, beta1: float, beta2: float) -> float:
    """Adam's step ``t`` after ``t - 1`` zero gradients (eps only avoids 0/0 while the gradient is 0)."""
    return float(_step_sizes(Adam(lr=1.0, beta1=beta1, beta2=beta2, eps=1e-300), [0.0] * (t - 1) + [1.0])[-1])


def _constant_eps_hat_first_step(g: float, eps_hat: float, beta1: float, beta2: float) -> float:
    """|Delta_1| / alpha of the paper's efficient form with a constant eps_hat (Keras's epsilon).

    Written out, as no optimizer of adam_edu uses this form: alpha_1 m_1 / (sqrt(v_1) + eps_hat) with
    alpha_1 = alpha sqrt(1 - beta2) / (1 - beta1).
    """
    m, v = (1 - beta1) * g, (1 - beta2) * g**2
    return math.sqrt(1 - beta2) / (1 - beta1) * abs(m) / (math.sqrt(v) + eps_hat)


def computed_numbers() -> dict[str, float]:
    """The results the cheat sheet quotes, computed with the paper's defaults."""
    adam, adamax = Adam(), AdaMax()
    beta1, beta2, eps = adam.beta1, adam.beta2, adam.eps
    worst = {t: float(_step_sizes(Adam(lr=1.0, eps=0.0), adam_worst_case_gradients(t))[-1]) for t in (100, 1000)}
    return {
        # Algorithm 1's defaults, as adam_edu.optim's Adam and AdaMax define them (the paper's)
        "paper_lr": adam.lr,
        "paper_beta1": beta1,
        "paper_beta2": beta2,
        "paper_eps": eps,
        "paper_adamax_lr": adamax.lr,
        "memory_of_m_in_steps": 1 / (1 - beta1),
        "memory_of_v_in_steps": 1 / (1 - beta2),
        # the first step, Algorithm 1 and the efficient form with a constant eps_hat = eps
        "small_gradient": SMALL_GRADIENT,
        "first_step_at_small_gradient": float(_step_sizes(Adam(), [SMALL_GRADIENT])[0]),
        "first_step_at_small_gradient_constant_eps_hat": _constant_eps_hat_first_step(
            SMALL_GRADIENT, eps_hat=eps, beta1=beta1, beta2=beta2
        ),
        "constant_eps_hat_acts_as_eps_at_t1": eps / math.sqrt(1 - beta2),
        # no bias correction: Adam's first step (Section 3)
        "first_step_without_bias_correction": float(_step_sizes(Adam(eps=0.0, bias_correction=False), [1.0])[0]),
        # Section 2.1: the paper's bound, and the worst case Cauchy-Schwarz gives (attained)
        "paper_step_bound": paper_step_bound(beta1, beta2),
        "adam_worst_case_step_t100": worst[100],
        "adam_worst_case_step_t1000": worst[1000],
        "adam_worst_case_step_limit": adam_worst_case_limit(beta1, beta2),
        # one gradient spike after zeros, with bias correction
        "spike_step_t10": _spike_step(10, beta1, beta2),
        "spike_step_t100": _spike_step(100, beta1, beta2),
        "spike_step_t1000": _spike_step(1000, beta1, beta2),
        "spike_step_limit": (1 - beta1) / math.sqrt(1 - beta2),
        # AdaMax (Section 7.1): the paper's bound alpha, and the exact worst case as t grows
        "adamax_worst_case_step_limit": adamax_worst_case_limit(adamax.beta1, adamax.beta2),
        # AMSGrad: Reddi et al.'s counterexample, beta1 = 0 and beta2 = 1 / (1 + C^2)
        "reddi_C": REDDI_C,
        "reddi_beta2": 1 / (1 + REDDI_C**2),
        # memory and precision
        "optimizer_state_bytes_per_fp32_parameter": 2.0 * np.dtype(np.float32).itemsize,
        "eps_in_fp16": float(np.float16(eps)),
    }


def cheatsheet_numbers() -> dict[str, float]:
    """Every number the cheat sheet quotes: the computed results, then the library defaults."""
    return {**computed_numbers(), **LIBRARY_DEFAULTS}
