r"""A small network to train with your own optimizer: a 64-h-10 tanh MLP on scikit-learn's 8x8 digits.

Everything is plain numpy, so a whole training run takes a fraction of a second and a grid of runs fits
in a notebook. The pieces:

==============================  ==========================================================================
:func:`load_digits_split`       the 1,797 digits as flat vectors in [0, 1], split once: 1,297 train, 500 test
:func:`init_params`             ``{"W1", "b1", "W2", "b2"}``, Glorot-uniform weights, zero biases, from a seed
:func:`loss_and_grads`          mean softmax cross-entropy and its gradient, one array per parameter
:func:`accuracy`                fraction of inputs whose largest logit is the true class
:func:`train`                   minibatch loop that calls *your* step function once per parameter array
:func:`sweep`                   test error of :func:`train` over a grid of learning rates and weight decays
:func:`decay_edge`              per learning rate, the largest decay that costs little test error
:func:`optimizer_step`          a step function made from :class:`adam_edu.optim.Adam` or ``AdamW``
==============================  ==========================================================================

The network is :math:`\text{logits} = \tanh(x W_1 + b_1) W_2 + b_2` and the loss is
:math:`L = -\frac1n \sum_i \log \operatorname{softmax}(\text{logits}_i)_{y_i}`. There is no
regularisation term in :func:`loss_and_grads`: weight decay (L2 or decoupled) is the optimizer's job,
as with ``torch.optim.Adam(weight_decay=...)`` and ``torch.optim.AdamW``.

A step function has the contract of the exercises::

    step_fn(theta, g, m, v, t, lr=..., weight_decay=...) -> (theta, m, v)

with ``t`` the 1-based count of updates of that array. :func:`train` keeps ``m``, ``v`` and ``t`` per
parameter array (as torch keeps ``optimizer.state[p]``) and decays every array, biases included
(torch's default when all parameters sit in one group).

Only :func:`load_digits_split` needs scikit-learn (imported when called); the rest is numpy.

Examples
--------
>>> from adam_edu.optim import Adam
>>> step = optimizer_step(Adam)
>>> result = train(step, lr=0.01, epochs=3)  # doctest: +SKIP
>>> result.test_accuracy > 0.85  # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

N_INPUTS = 64  # 8 x 8 pixels
N_CLASSES = 10
HIDDEN = 32
N_TEST = 500  # the last 500 of one fixed permutation (seed SPLIT_SEED) are the test set
SPLIT_SEED = 0
SKLEARN_HINT = 'pip install scikit-learn (or pip install -e ".[labs]")'
PARAMETER_NAMES = ("W1", "b1", "W2", "b2")


@dataclasses.dataclass(frozen=True)
class Digits:
    """The digits as flat float64 vectors in [0, 1] (``x``: (n, 64)) with integer labels 0-9 (``y``)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __repr__(self) -> str:
        return f"Digits({len(self.y_train)} train, {len(self.y_test)} test, 64 inputs, 10 classes)"


_CACHE: dict[str, Digits] = {}


def load_digits_split() -> Digits:
    """scikit-learn's 8x8 digits (1,797 images, shipped offline), split once and for all.

    Pixels are divided by 16 (their maximum), images flattened to 64 values. The split is a fixed
    permutation drawn with ``numpy.random.default_rng(0)``: its last 500 images are the test set,
    the other 1,297 the training set. The result is cached; its arrays are read-only.
    """
    if "digits" not in _CACHE:
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise ImportError(
                f"The digits ship with scikit-learn, which is not installed. Install it with: {SKLEARN_HINT}"
            ) from None
        bunch = load_digits()
        x = bunch.data.astype(np.float64) / 16.0
        y = bunch.target.astype(np.int64)
        order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
        train, test = order[:-N_TEST], order[-N_TEST:]
        arrays = [x[train], y[train], x[test], y[test]]
        for array in arrays:
            array.setflags(write=False)
        _CACHE["digits"] = Digits(*arrays)
    return _CACHE["digits"]


def init_params(seed: int = 0, hidden: int = HIDDEN) -> dict[str, np.ndarray]:
    """Glorot-uniform weights (limit sqrt(6 / (fan_in + fan_out))) and zero biases, float64."""
    if isinstance(hidden, bool) or not isinstance(hidden, int | np.integer) or hidden < 1:
        raise ValueError(f"The 'hidden' parameter of init_params must be an integer >= 1. Got {hidden!r} instead.")
    rng = np.random.default_rng(seed)

    def glorot(fan_in: int, fan_out: int) -> np.ndarray:
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))

    return {
        "W1": glorot(N_INPUTS, hidden),
        "b1": np.zeros(hidden),
        "W2": glorot(hidden, N_CLASSES),
        "b2": np.zeros(N_CLASSES),
    }


def logits(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The network's output before the softmax, shape (n, 10)."""
    return np.tanh(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def loss(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Mean softmax cross-entropy (natural log) of the labels ``y`` under the network."""
    return float(-_log_softmax(logits(params, x))[np.arange(len(y)), y].mean())


def loss_and_grads(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """The mean cross-entropy and its gradient with respect to each parameter array (same keys, same shapes)."""
    n = len(y)
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    log_p = _log_softmax(hidden @ params["W2"] + params["b2"])
    value = float(-log_p[np.arange(n), y].mean())
    d_logits = np.exp(log_p)
    d_logits[np.arange(n), y] -= 1.0
    d_logits /= n
    d_pre = (d_logits @ params["W2"].T) * (1.0 - hidden**2)
    grads = {
        "W1": x.T @ d_pre,
        "b1": d_pre.sum(axis=0),
        "W2": hidden.T @ d_logits,
        "b2": d_logits.sum(axis=0),
    }
    return value, grads


def accuracy(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows of ``x`` whose largest logit is at the true class ``y``."""
    return float(np.mean(np.argmax(logits(params, x), axis=1) == y))


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns: the final parameters, the loss after each epoch, and test results."""

    params: dict[str, np.ndarray]
    train_loss: np.ndarray  # full training loss after each epoch (no regularisation term)
    test_loss: float
    test_accuracy: float
    hyperparameters: dict[str, float]

    @property
    def test_error(self) -> float:
        return 1.0 - self.test_accuracy

    @property
    def diverged(self) -> bool:
        return not (np.all(np.isfinite(self.train_loss)) and math.isfinite(self.test_loss))

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v:g}" for k, v in self.hyperparameters.items())
        return (
            f"TrainResult({settings}: {len(self.train_loss)} epochs, final train loss {self.train_loss[-1]:.4g}, "
            f"test accuracy {self.test_accuracy:.4f})"
        )


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"The {name!r} parameter of train must be an integer >= 1. Got {value!r} instead.")
    return int(value)


def train(
    step_fn: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]],
    *,
    lr: float,
    weight_decay: float = 0.0,
    epochs: int = 10,
    batch_size: int = 64,
    seed: int = 0,
    hidden: int = HIDDEN,
    data: Digits | None = None,
) -> TrainResult:
    """Train the MLP with ``step_fn`` on the digits' training set; report the test loss and accuracy.

    Every epoch visits the training set once in a fresh random order (``default_rng(seed)``, the same
    order for every ``step_fn``), in minibatches of ``batch_size`` (the last one smaller). Each
    minibatch calls ``step_fn(theta, g, m, v, t, lr=lr, weight_decay=weight_decay)`` once per parameter
    array, with that array's own ``m``, ``v`` (zeros at first) and 1-based ``t``. ``init_params(seed)``
    gives the start. A run whose loss becomes NaN or infinite stops there and is reported as diverged
    (test loss inf, accuracy 0.1, chance).
    """
    if not callable(step_fn):
        raise TypeError(f"train needs a step function as its first argument. Got {type(step_fn).__name__} instead.")
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    data = load_digits_split() if data is None else data
    params = init_params(seed, hidden)
    state = {name: (np.zeros_like(p), np.zeros_like(p)) for name, p in params.items()}
    rng = np.random.default_rng(seed)
    n, t = len(data.y_train), 0
    history = []
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                batch = order[start : start + batch_size]
                _, grads = loss_and_grads(params, data.x_train[batch], data.y_train[batch])
                t += 1
                for name in PARAMETER_NAMES:
                    m, v = state[name]
                    params[name], m, v = step_fn(params[name], grads[name], m, v, t, lr=lr, weight_decay=weight_decay)
                    state[name] = (m, v)
            history.append(loss(params, data.x_train, data.y_train))
            if not math.isfinite(history[-1]):
                break
        test_loss = loss(params, data.x_test, data.y_test)
        test_accuracy = accuracy(params, data.x_test, data.y_test)
    if not (math.isfinite(history[-1]) and math.isfinite(test_loss)):
        test_loss, test_accuracy = math.inf, 1.0 / N_CLASSES
    return TrainResult(
        params=params,
        train_loss=np.asarray(history),
        test_loss=test_loss,
        test_accuracy=test_accuracy,
        hyperparameters={"lr": float(lr), "weight_decay": float(weight_decay)},
    )


def optimizer_step(optimizer_class: type, **fixed: float) -> Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A step function (the exercises' contract) made from an :mod:`adam_edu.optim` class with ``m`` and ``v``.

    ``optimizer_step(AdamW)(theta, g, m, v, t, lr=0.01, weight_decay=0.1)`` is one step of
    ``AdamW(lr=0.01, weight_decay=0.1)`` from the state ``(t - 1, m, v)``. ``fixed`` sets other
    hyperparameters (``beta1``, ``beta2``, ``eps``).
    """
    from .optim.states import MomentState

    @functools.lru_cache(maxsize=64)
    def optimizer(**hyper):  # validated once per setting, not once per step
        return optimizer_class(**fixed, **hyper)

    def step(theta, g, m, v, t, **hyper):
        theta, new = optimizer(**hyper).step(theta, g, MomentState(t=t - 1, m=m, v=v))
        return theta, new.m, new.v

    step.__name__ = f"{optimizer_class.__name__.lower()}_step"
    return step


def implemented(step_fn: Callable[..., Any]) -> bool:
    """False while ``step_fn`` is an exercise's stub (it raises NotImplementedError), True once it returns."""
    one = np.ones(1)
    try:
        with np.errstate(all="ignore"):
            step_fn(one, one, 0 * one, 0 * one, 1, lr=1e-3, weight_decay=1e-2)
    except NotImplementedError:
        return False
    return True


def sweep(
    step_fn: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]],
    lrs: Any,
    weight_decays: Any,
    *,
    per_step_decay: bool = False,
    **train_kwargs: Any,
) -> np.ndarray:
    """Test error of :func:`train` over a grid: rows are ``lrs``, columns ``weight_decays``.

    With ``per_step_decay=True`` each column is the decay *per step* of the paper's AdamW
    (Loshchilov & Hutter's :math:`\\lambda`, not multiplied by :math:`\\alpha`): the step function is
    called with torch's ``weight_decay = decay / lr``, so that ``lr * weight_decay = decay``.
    """
    lrs, weight_decays = np.asarray(lrs, dtype=float), np.asarray(weight_decays, dtype=float)
    errors = np.empty((len(lrs), len(weight_decays)))
    for i, lr in enumerate(lrs):
        for j, decay in enumerate(weight_decays):
            wd = decay / lr if per_step_decay else decay
            errors[i, j] = train(step_fn, lr=float(lr), weight_decay=float(wd), **train_kwargs).test_error
    return errors


def decay_edge(errors: Any, weight_decays: Any, tolerance: float = 0.05, reference: str = "best") -> np.ndarray:
    """Per row of a :func:`sweep` grid, log10 of the largest decay that costs at most ``tolerance`` test error.

    The cost is measured from the row's best error (``reference="best"``) or from its error at the
    smallest decay of the grid (``reference="smallest"``: where decay starts to hurt, not fooled by one
    lucky cell in a noisy row). Scanning each row from the smallest decay, the edge is where the error
    first rises above the reference plus ``tolerance``, interpolated linearly in log10(decay) between the
    two grid points around the crossing; a row that never crosses gets the largest decay of the grid.
    """
    if reference not in ("best", "smallest"):
        raise ValueError(
            f"The 'reference' parameter of decay_edge must be 'best' or 'smallest'. Got {reference!r} instead."
        )
    errors, logs = np.asarray(errors, dtype=float), np.log10(np.asarray(weight_decays, dtype=float))
    edges = np.empty(len(errors))
    for i, row in enumerate(errors):
        limit = (row.min() if reference == "best" else row[0]) + tolerance
        k = 0
        while k + 1 < len(row) and row[k + 1] <= limit:
            k += 1
        if k + 1 == len(row):
            edges[i] = logs[-1]
        else:
            fraction = (limit - row[k]) / (row[k + 1] - row[k])  # row[k] <= limit < row[k + 1]
            edges[i] = logs[k] + fraction * (logs[k + 1] - logs[k])
    return edges
