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

from ._adam_family import core_mistakes, variant
from ._harness import STUB_MESSAGE, call, fail, fmt, name_of, quiet, require_callable, student_facing
from ._steps import StepContract, check_step, knob

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's


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

_l2 = variant("adam_l2")
_decoupled = variant("adamw")


L2_MISTAKES = (
    knob(
        _l2,
        "your update is AdamW's decoupled decay, theta * (1 - lr * weight_decay). Adam + L2 (torch.optim.Adam's "
        "weight_decay) adds weight_decay * theta to the gradient first, g = g + weight_decay * theta, and then "
        "runs Adam on that gradient, moments included.",
        decay="decoupled",
    ),
    knob(
        _l2,
        "your update ignores weight_decay: it has no decay term. Use the weight_decay argument you are given.",
        decay="none",
    ),
    knob(
        _l2,
        "your gradient has the opposite sign of the L2 term: it must be g + weight_decay * theta (the L2 term pulls "
        "theta towards 0).",
        decay_scale="negative",
    ),
    knob(
        _l2,
        "your L2 term is 2 * weight_decay * theta, the derivative of weight_decay * ||theta||**2: that is the "
        "convention of Keras's L2 regularizer (keras.regularizers.L2 adds weight_decay * sum(theta**2) to the "
        "loss). torch's convention (and this exercise's) adds weight_decay * theta, the derivative of "
        "(weight_decay / 2) ||theta||**2.",
        convention=True,
        decay_scale="double",
    ),
    knob(
        _l2,
        "your L2 term is half what it should be: add weight_decay * theta to the gradient (no factor 1/2).",
        decay_scale="half",
    ),
    knob(
        _l2,
        "your L2 term is multiplied by lr: add weight_decay * theta to the gradient as it is; lr enters only "
        "in the step.",
        decay_scale="times_lr",
    ),
    knob(
        _l2,
        "the L2 term enters m but not v: compute g = g + weight_decay * theta once, before both moments.",
        decay="l2_m_only",
    ),
    knob(
        _l2,
        "you add the L2 term and also shrink theta by (1 - lr * weight_decay): you decay twice. Adam + L2 keeps only "
        "the first, g = g + weight_decay * theta.",
        decay="both",
    ),
    *core_mistakes("adam_l2"),
)

ADAMW_MISTAKES = (
    knob(
        _decoupled,
        "your update is Adam + L2 (weight_decay * theta added to the gradient, so it is rescaled by "
        "1 / sqrt(v_hat)). AdamW decouples the decay: compute m and v from g alone and shrink the parameters "
        "directly, theta * (1 - lr * weight_decay).",
        decay="l2",
    ),
    knob(
        _decoupled,
        "your update ignores weight_decay: it has no decay term. Use the weight_decay argument you are given.",
        decay="none",
    ),
    knob(
        _decoupled,
        "your decay is not multiplied by lr: theta * (1 - weight_decay) is the convention of the paper's "
        "Algorithm 2 (Loshchilov & Hutter), with its own lambda. torch.optim.AdamW (and this exercise) "
        "multiplies by lr: theta * (1 - lr * weight_decay).",
        convention=True,
        decay_scale="without_lr",
    ),
    knob(
        _decoupled,
        "your decay is multiplied by lr twice: theta * (1 - lr * weight_decay), not (1 - lr**2 * weight_decay).",
        decay_scale="times_lr",
    ),
    knob(
        _decoupled,
        "your decay has the wrong sign: multiply theta by (1 - lr * weight_decay), which shrinks it.",
        decay_scale="negative",
    ),
    knob(_decoupled, "your decay is twice what it should be: theta * (1 - lr * weight_decay).", decay_scale="double"),
    knob(_decoupled, "your decay is half what it should be: theta * (1 - lr * weight_decay).", decay_scale="half"),
    knob(
        _decoupled,
        "your decay is applied after the Adam step, to theta_t. torch.optim.AdamW decays theta_{t-1}, the "
        "parameters before this update: theta * (1 - lr * weight_decay) - lr * m_hat / (np.sqrt(v_hat) + eps).",
        decay="after",
    ),
    knob(
        _decoupled,
        "your decay term weight_decay * theta is divided by (sqrt(v_hat) + eps) together with m_hat, so it is "
        "still coupled to the gradient's scale. Keep it outside: theta * (1 - lr * weight_decay), then the Adam step.",
        decay="in_direction",
    ),
    knob(
        _decoupled,
        "you decay the moments m and v. Weight decay shrinks the parameters theta only; m and v are Adam's "
        "averages of g and g**2 as usual.",
        decay="on_moments",
    ),
    knob(
        _decoupled,
        "you decay twice: weight_decay * theta is added to the gradient (L2) and theta is also shrunk by "
        "(1 - lr * weight_decay). AdamW keeps only the second: m and v see the gradient g alone.",
        decay="both",
    ),
    knob(
        _decoupled,
        "your decay is skipped on the first update (t=1). Decay every update, the first included.",
        decay_at_first=False,
    ),
    *core_mistakes("adamw"),
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
    variant=_l2,
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
    variant=_decoupled,
)


@student_facing
def check_adam_l2_step(fn: Any, seed: int = 0) -> None:
    """Check one update of Adam with L2 regularisation, as ``torch.optim.Adam(weight_decay=...)``.

    ``fn(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)`` must return
    ``(theta, m, v)``. Raises AssertionError with the failing case and a hint; prints one line when every
    case passes. ``seed`` draws other random inputs (the hidden tests use it).
    """
    check_step(fn, dataclasses.replace(ADAM_L2, name=getattr(fn, "__name__", ADAM_L2.name)), seed=seed)


@student_facing
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


@student_facing
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
