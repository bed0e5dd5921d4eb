r"""Exercise 11: Adam with L2 regularisation and AdamW (decoupled weight decay), and training a network with them.

Contracts (torch's conventions: ``torch.optim.Adam(weight_decay=...)`` and ``torch.optim.AdamW``)::

    adam_l2_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0) -> (theta, m, v)
    adamw_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2) -> (theta, m, v)

Adam + L2 adds :math:`\lambda\theta_{t-1}` to the gradient before the moments, so the decay is rescaled by
:math:`1/(\sqrt{\hat v_t}+\epsilon)` like the gradient. AdamW shrinks the parameters directly,
:math:`\theta_{t-1}(1-\alpha\lambda)`, and then takes Adam's step computed from :math:`g_t` alone
(Loshchilov & Hutter's Algorithm 2 with torch's :math:`\lambda`, which is the paper's divided by
:math:`\alpha`). ``t`` is 1-based; ``m`` and ``v`` are returned raw; no input is changed; the dtype is kept.
The references are :class:`adam_edu.optim.Adam` with ``weight_decay`` and :class:`adam_edu.optim.AdamW`.

:func:`check_training` runs :func:`adam_edu.mlp.train` with the learner's step function and
hyperparameters and checks the test accuracy of the trained network.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ._harness import STUB_MESSAGE, call, fail, fmt, name_of, quiet, require_callable
from ._steps import Mistake, StepContract, check_step


def _moments(g, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g**2


def _adam_direction(m, v, t, beta1, beta2, eps, correct=True, eps_inside=False):
    m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if correct else (m, v)
    return m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps)


def _adam_l2(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    g = g + weight_decay * theta
    m, v = _moments(g, m, v, beta1, beta2)
    return theta - lr * _adam_direction(m, v, t, beta1, beta2, eps), m, v


def _adamw(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    decayed = theta * (1 - lr * weight_decay)
    m, v = _moments(g, m, v, beta1, beta2)
    return decayed - lr * _adam_direction(m, v, t, beta1, beta2, eps), m, v


# ------------------------------------------------------------------------------------- known wrong forms


def _l2_with(factor):
    """Adam + L2 with ``factor * weight_decay * theta`` added to the gradient."""

    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        return _adam_l2(theta, g, m, v, t, lr, beta1, beta2, eps, factor * weight_decay)

    return step


def _l2_in_m_only(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m = beta1 * m + (1 - beta1) * (g + weight_decay * theta)
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * _adam_direction(m, v, t, beta1, beta2, eps), m, v


def _l2_variant(correct=True, eps_inside=False):
    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        m, v = _moments(g + weight_decay * theta, m, v, beta1, beta2)
        return theta - lr * _adam_direction(m, v, t, beta1, beta2, eps, correct, eps_inside), m, v

    return step


def _l2_times_lr(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return _adam_l2(theta, g, m, v, t, lr, beta1, beta2, eps, lr * weight_decay)


def _both_decays(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    _, m, v = _adam_l2(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay)
    return theta * (1 - lr * weight_decay) - lr * _adam_direction(m, v, t, beta1, beta2, eps), m, v


def _decoupled_with(shrink):
    """AdamW whose parameters are multiplied by ``shrink(lr, weight_decay)`` before the step."""

    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        m, v = _moments(g, m, v, beta1, beta2)
        return theta * shrink(lr, weight_decay) - lr * _adam_direction(m, v, t, beta1, beta2, eps), m, v

    return step


def _decay_after_update(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m, v = _moments(g, m, v, beta1, beta2)
    return (theta - lr * _adam_direction(m, v, t, beta1, beta2, eps)) * (1 - lr * weight_decay), m, v


def _decay_in_direction(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m, v = _moments(g, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * (m_hat + weight_decay * theta) / (np.sqrt(v_hat) + eps), m, v


def _decay_on_moments(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    shrink = 1 - lr * weight_decay
    m, v = _moments(g, m * shrink, v * shrink, beta1, beta2)
    return theta - lr * _adam_direction(m, v, t, beta1, beta2, eps), m, v


def _decay_skipped_at_first_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return _adamw(theta, g, m, v, t, lr, beta1, beta2, eps, 0.0 if t == 1 else weight_decay)


def _adamw_variant(correct=True, eps_inside=False):
    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        m, v = _moments(g, m, v, beta1, beta2)
        direction = _adam_direction(m, v, t, beta1, beta2, eps, correct, eps_inside)
        return theta * (1 - lr * weight_decay) - lr * direction, m, v

    return step


def _plain_adam(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return _adam_l2(theta, g, m, v, t, lr, beta1, beta2, eps, 0.0)


NO_DECAY = Mistake(
    "your update ignores weight_decay: it matches plain Adam. Use the weight_decay argument you are given.",
    _plain_adam,
)
NO_CORRECTION = "your update matches the right decay but Adam without bias correction: divide m by (1 - beta1**t) "
NO_CORRECTION += "and v by (1 - beta2**t) before the step (and return the raw m and v)."
EPS_INSIDE = "eps belongs outside the square root: m_hat / (np.sqrt(v_hat) + eps)."

L2_MISTAKES = (
    Mistake(
        "your update is AdamW's decoupled decay, theta * (1 - lr * weight_decay). Adam + L2 (torch.optim.Adam's "
        "weight_decay) adds weight_decay * theta to the gradient first, g = g + weight_decay * theta, and then "
        "runs Adam on that gradient, moments included.",
        _adamw,
    ),
    NO_DECAY,
    Mistake(
        "your gradient has the opposite sign of the L2 term: it must be g + weight_decay * theta (the L2 term pulls "
        "theta towards 0).",
        _l2_with(-1.0),
    ),
    Mistake(
        "your L2 term is 2 * weight_decay * theta, the derivative of weight_decay * ||theta||**2. torch's "
        "convention (and this exercise's) adds weight_decay * theta, the derivative of "
        "(weight_decay / 2) ||theta||**2.",
        _l2_with(2.0),
    ),
    Mistake(
        "your L2 term is half what it should be: add weight_decay * theta to the gradient (no factor 1/2).",
        _l2_with(0.5),
    ),
    Mistake(
        "your L2 term is multiplied by lr: add weight_decay * theta to the gradient as it is; lr enters only "
        "in the step.",
        _l2_times_lr,
    ),
    Mistake(
        "the L2 term enters m but not v: compute g = g + weight_decay * theta once, before both moments.",
        _l2_in_m_only,
    ),
    Mistake(NO_CORRECTION, _l2_variant(correct=False)),
    Mistake(EPS_INSIDE, _l2_variant(eps_inside=True)),
)

ADAMW_MISTAKES = (
    Mistake(
        "your update is Adam + L2 (weight_decay * theta added to the gradient, so it is rescaled by "
        "1 / sqrt(v_hat)). AdamW decouples the decay: compute m and v from g alone and shrink the parameters "
        "directly, theta * (1 - lr * weight_decay).",
        _adam_l2,
    ),
    NO_DECAY,
    Mistake(
        "your decay is not multiplied by lr: theta * (1 - weight_decay) is the paper's Algorithm 2 with its own "
        "lambda. torch.optim.AdamW (and this exercise) multiplies by lr: theta * (1 - lr * weight_decay).",
        _decoupled_with(lambda lr, wd: 1 - wd),
    ),
    Mistake(
        "your decay is multiplied by lr twice: theta * (1 - lr * weight_decay), not (1 - lr**2 * weight_decay).",
        _decoupled_with(lambda lr, wd: 1 - lr**2 * wd),
    ),
    Mistake(
        "your decay has the wrong sign: multiply theta by (1 - lr * weight_decay), which shrinks it.",
        _decoupled_with(lambda lr, wd: 1 + lr * wd),
    ),
    Mistake(
        "your decay is applied after the Adam step, to theta_t. torch.optim.AdamW decays theta_{t-1}, the "
        "parameters before this update: theta * (1 - lr * weight_decay) - lr * m_hat / (np.sqrt(v_hat) + eps).",
        _decay_after_update,
    ),
    Mistake(
        "your decay term weight_decay * theta is divided by (sqrt(v_hat) + eps) together with m_hat, so it is "
        "still coupled to the gradient's scale. Keep it outside: theta * (1 - lr * weight_decay), then the Adam step.",
        _decay_in_direction,
    ),
    Mistake(
        "you decay the moments m and v. Weight decay shrinks the parameters theta only; m and v are Adam's "
        "averages of g and g**2 as usual.",
        _decay_on_moments,
    ),
    Mistake(
        "you decay twice: weight_decay * theta is added to the gradient (L2) and theta is also shrunk by "
        "(1 - lr * weight_decay). AdamW keeps only the second: m and v see the gradient g alone.",
        _both_decays,
    ),
    Mistake(
        "your decay is skipped on the first update (t=1). Decay every update, the first included.",
        _decay_skipped_at_first_step,
    ),
    Mistake(NO_CORRECTION, _adamw_variant(correct=False)),
    Mistake(EPS_INSIDE, _adamw_variant(eps_inside=True)),
)

OUTPUT_HINTS_L2 = {
    "theta": "m and v are right, so the mistake is in the update of theta: check the bias corrections, where "
    "eps goes and the sign of the step.",
    "m": "with L2, m averages g + weight_decay * theta: m = beta1 * m + (1 - beta1) * (g + weight_decay * theta), "
    "with theta the parameters before this update. Return the raw m.",
    "v": "with L2, v averages (g + weight_decay * theta)**2. Return the raw v, not v_hat.",
}
OUTPUT_HINTS_ADAMW = {
    "theta": "m and v are right, so the mistake is in theta: AdamW is theta * (1 - lr * weight_decay) - "
    "lr * m_hat / (np.sqrt(v_hat) + eps), with theta the parameters before this update.",
    "m": "in AdamW the moments see the gradient alone: m = beta1 * m + (1 - beta1) * g. Return the raw m.",
    "v": "in AdamW the moments see the gradient alone: v = beta2 * v + (1 - beta2) * g**2. Return the raw v.",
}

SETTINGS = (
    {"lr": 0.01, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.1},
    {"lr": 0.1, "beta1": 0.0, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.01},
    {"lr": 0.003, "beta1": 0.95, "beta2": 0.9, "eps": 1e-7, "weight_decay": 1.0},
    {"lr": 0.05, "beta1": 0.8, "beta2": 0.999, "eps": 0.0, "weight_decay": 0.5},
)

ADAM_L2 = StepContract(
    name="adam_l2_step",
    checker="check_adam_l2_step",
    state=("m", "v"),
    uses_t=True,
    defaults={"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    settings=SETTINGS,
    reference=_adam_l2,
    mistakes=L2_MISTAKES,
    output_hints=OUTPUT_HINTS_L2,
)

ADAMW = StepContract(
    name="adamw_step",
    checker="check_adamw_step",
    state=("m", "v"),
    uses_t=True,
    defaults={"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
    settings=SETTINGS,
    reference=_adamw,
    mistakes=ADAMW_MISTAKES,
    output_hints=OUTPUT_HINTS_ADAMW,
)


def check_adam_l2_step(fn: Any, seed: int = 0) -> None:
    """Check one update of Adam with L2 regularisation, as ``torch.optim.Adam(weight_decay=...)``.

    ``fn(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)`` must return
    ``(theta, m, v)``. Raises AssertionError with the failing case and a hint; prints one line when every
    case passes. ``seed`` draws other random inputs (the hidden tests use it).
    """
    check_step(fn, dataclasses.replace(ADAM_L2, name=getattr(fn, "__name__", ADAM_L2.name)), seed=seed)


def check_adamw_step(fn: Any, seed: int = 0) -> None:
    """Check one update of AdamW, as ``torch.optim.AdamW``: ``theta * (1 - lr * weight_decay)``, then Adam's step.

    ``fn(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2)`` must return
    ``(theta, m, v)``. Raises AssertionError with the failing case and a hint; prints one line when every
    case passes. ``seed`` draws other random inputs (the hidden tests use it).
    """
    check_step(fn, dataclasses.replace(ADAMW, name=getattr(fn, "__name__", ADAMW.name)), seed=seed)


# ------------------------------------------------------------------------------------------ training

TRAINING_EPOCHS = 10
TRAINING_TARGET = 0.96  # test accuracy on the 500 held-out digits


def check_training(step_fn: Any, hyperparameters: Any, seed: int = 0, target: float = TRAINING_TARGET) -> None:
    """Train the course's MLP with ``step_fn`` and ``hyperparameters``; the test accuracy must reach ``target``.

    ``hyperparameters`` is a dict with ``lr`` and a positive ``weight_decay`` (or a function of no
    arguments that returns one, such as the exercise's ``digits_hyperparameters``), passed to
    :func:`adam_edu.mlp.train` (10 epochs, minibatches of 64, the fixed split of the digits). ``seed``
    changes the initial weights and the order of the minibatches. Needs scikit-learn (for the digits).
    """
    from ..mlp import N_TEST, train

    require_callable("check_training", step_fn, "check_training(adamw_step, digits_hyperparameters)")
    if callable(hyperparameters):
        hyperparameters = call(hyperparameters, (), {}, "calling it with no arguments")
    case = f"train(your step function, {hyperparameters!r}, epochs={TRAINING_EPOCHS}, seed={seed})"
    if not isinstance(hyperparameters, dict) or set(hyperparameters) != {"lr", "weight_decay"}:
        fail(
            "check_training needs a dict with exactly the keys 'lr' and 'weight_decay'.",
            case,
            f"Got {hyperparameters!r}.",
            'return for example {"lr": 0.001, "weight_decay": 0.01} (your own values).',
        )
    values = {}
    for key, value in hyperparameters.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            fail(
                f"The {key!r} hyperparameter must be a positive finite number.",
                case,
                f"Got {value!r}.",
                "weight decay is part of the task: use a weight_decay above 0.",
            )
        values[key] = float(value)
    if values["lr"] * values["weight_decay"] >= 1:
        fail(
            "lr * weight_decay must be below 1, or AdamW's factor 1 - lr * weight_decay flips or zeroes the weights.",
            case,
            f"Got lr * weight_decay = {fmt(values['lr'] * values['weight_decay'])}.",
            "take a weight_decay of about 1e-4 to 1e-1 with an lr of about 1e-3 to 1e-2.",
        )
    try:
        with quiet():
            result = train(step_fn, epochs=TRAINING_EPOCHS, seed=seed, **values)
    except NotImplementedError:
        raise AssertionError(STUB_MESSAGE.format(name=name_of(step_fn))) from None
    except Exception as exc:
        raise AssertionError(
            f"Training with {name_of(step_fn)} raised {type(exc).__name__}: {exc}\nCase: {case}\n"
            "Hint: check your step function with its checker first; the traceback above shows the line."
        ) from exc
    if result.diverged:
        fail(
            "The training diverged: the loss became NaN or infinite.",
            case,
            f"Training loss per epoch: {', '.join(fmt(x) for x in result.train_loss)}.",
            "lower lr (and check your step function with check_adamw_step first).",
        )
    if result.test_accuracy < target:
        wrong = round((1 - result.test_accuracy) * N_TEST)
        fail(
            f"The trained network classifies {fmt(result.test_accuracy)} of the test digits correctly "
            f"({wrong} of {N_TEST} wrong); the target is {fmt(target)}.",
            case,
            f"Training loss per epoch: {', '.join(f'{x:.4g}' for x in result.train_loss)}.",
            "if the loss falls slowly, raise lr (try 1e-3 to 3e-2); if it jumps about or rises, lower it. A large "
            "weight_decay pulls the weights to 0 and the loss stays high: try 1e-4 to 1e-1.",
        )
    print(  # the accuracy itself is not printed: its last digit may differ from one CPU to another
        f"Training reached the target: test accuracy at least {target:g} after {TRAINING_EPOCHS} epochs "
        f"with {hyperparameters}."
    )
