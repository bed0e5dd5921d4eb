"""PyTorch for the labs: a clear message when it is missing, the device, seeding, quick or full mode.

Importing this module does not import torch; each function imports it when called, through
:func:`require_torch`, which turns a missing torch into one message with the install command.

Environment variables
---------------------
``ADAM_EDU_FULL``
    ``1`` runs the paper's model sizes and epochs; ``0`` forces quick mode even on a GPU. Unset: full
    mode exactly when a CUDA GPU is present.
``ADAM_EDU_DATA``
    A folder holding MNIST's IDX files and/or CIFAR-10's python batches, used in full mode.
``ADAM_EDU_DEVICE``
    ``cpu``, ``cuda``, ``cuda:1`` or ``mps`` to override the automatic choice.
``ADAM_EDU_EPOCHS``
    An epoch count that overrides every lab's (for a short smoke test of full mode).
``ADAM_EDU_PROGRESS``
    ``0`` hides the progress bars.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import random
from pathlib import Path
from typing import Any

import numpy as np

TORCH_HINT = 'pip install torch==2.13.0 (the CPU build) or pip install -e ".[labs]" (torch and scikit-learn)'
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def require_torch() -> Any:
    """Import and return torch, or raise an ``ImportError`` that says how to install it."""
    try:
        import torch
    except ImportError:
        raise ImportError(
            f"The adam_edu labs train networks with PyTorch, which is not installed in this Python. "
            f"Install it with: {TORCH_HINT}"
        ) from None
    return torch


def env_flag(name: str) -> bool | None:
    """``True``/``False`` for a set boolean environment variable, ``None`` when unset or empty."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return None
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"The environment variable {name} must be 1 or 0 (or true/false). Got {value!r} instead.")


@functools.cache
def _chosen_device(requested: str | None) -> Any:
    torch = require_torch()
    if requested:
        device = torch.device(requested)
    elif torch.cuda.is_available():
        device = torch.device("cuda")
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        device = torch.device("mps")
    else:
        device = torch.device("cpu")
    return device


def describe_device(device: Any) -> str:
    """One line naming the device: the GPU's name, or the CPU with torch's thread count."""
    torch = require_torch()
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)}), torch {torch.__version__}"
    if device.type == "mps":
        return f"mps (Apple GPU), torch {torch.__version__}"
    return f"cpu ({torch.get_num_threads()} thread(s)), torch {torch.__version__}"


_printed: set[str] = set()


def pick_device(verbose: bool = True) -> Any:
    """The device to train on: CUDA if present, else Apple's MPS, else the CPU; printed the first time.

    ``ADAM_EDU_DEVICE`` overrides the choice.
    """
    device = _chosen_device(os.environ.get("ADAM_EDU_DEVICE", "").strip() or None)
    if verbose and str(device) not in _printed:
        _printed.add(str(device))
        print(f"Device: {describe_device(device)}")
    return device


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's generators (all devices), so that CPU runs repeat exactly.

    GPU kernels may still differ in the last bits from run to run; the labs assert with margins.
    """
    torch = require_torch()
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (the legacy global generator, for code that still uses it)
    torch.manual_seed(seed)  # also seeds every CUDA device


def setup_torch(threads: int = 1) -> Any:
    """Set torch's CPU thread count (one is as fast for these small models, and bit-repeatable); return torch.

    On two cores, two threads once made the CNN lab ten times slower.
    """
    torch = require_torch()
    torch.set_num_threads(threads)
    return torch


@dataclasses.dataclass(frozen=True)
class LabMode:
    """How a lab runs: quick (small, CPU-sized, with asserts) or full (the paper's sizes), where, on what data.

    Attributes
    ----------
    full : bool
        ``True`` for the paper's model sizes and epochs.
    device : torch.device
        Where to train.
    data_folder : pathlib.Path or None
        ``ADAM_EDU_DATA``: where to look for MNIST/CIFAR-10 in full mode.
    epochs_override : int or None
        ``ADAM_EDU_EPOCHS``, if set.
    reason : str
        Why this mode was chosen.
    """

    full: bool
    device: Any
    data_folder: Path | None
    epochs_override: int | None
    reason: str

    @property
    def quick(self) -> bool:
        return not self.full

    @property
    def name(self) -> str:
        return "full" if self.full else "quick"

    def epochs(self, quick: int, full: int) -> int:
        """The epoch count for this mode (``ADAM_EDU_EPOCHS`` wins when set)."""
        if self.epochs_override is not None:
            return self.epochs_override
        return full if self.full else quick


def lab_mode(verbose: bool = True) -> LabMode:
    """Decide quick or full mode from the environment and the hardware; print the decision.

    Full mode when ``ADAM_EDU_FULL=1``, or when it is unset and a CUDA GPU is present. Quick mode
    otherwise (``ADAM_EDU_FULL=0`` forces it).
    """
    torch = setup_torch()
    device = pick_device(verbose=verbose)
    asked = env_flag("ADAM_EDU_FULL")
    if asked is not None:
        full, reason = asked, f"ADAM_EDU_FULL={os.environ['ADAM_EDU_FULL'].strip()}"
    elif device.type == "cuda" and torch.cuda.is_available():
        full, reason = True, "a CUDA GPU is present (ADAM_EDU_FULL=0 forces quick mode)"
    else:
        full, reason = False, "no CUDA GPU (ADAM_EDU_FULL=1 forces full mode)"
    folder = os.environ.get("ADAM_EDU_DATA", "").strip()
    epochs = os.environ.get("ADAM_EDU_EPOCHS", "").strip()
    if epochs and not (epochs.isdigit() and int(epochs) > 0):
        raise ValueError(f"The environment variable ADAM_EDU_EPOCHS must be a positive integer. Got {epochs!r}.")
    mode = LabMode(full, device, Path(folder).expanduser() if folder else None, int(epochs) if epochs else None, reason)
    if verbose:
        print(f"Mode: {mode.name} ({reason})")
        if mode.epochs_override is not None:
            print(f"Epochs: {mode.epochs_override} in every run (ADAM_EDU_EPOCHS)")
    return mode
