"""A small, readable training loop: minibatches from in-memory tensors, one record per epoch.

No DataLoader: the data sit on the device as two tensors and each minibatch is an index into them
(for these small models a DataLoader costs more than the training). After every epoch the loop
measures the *full* training loss with dropout off (what the paper's figures plot), the accuracy
where there are classes, and the test loss where there is a test split.

A run whose loss becomes NaN or infinite is stopped and marked ``diverged``; its remaining epochs
are recorded with an infinite loss, so that comparisons (``<``, ``min``) treat it as the worst run
instead of silently skipping it (``nan < x`` is ``False``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .backend import env_flag, require_torch
from .data import Dataset

torch = require_torch()
F = torch.nn.functional

Objective = Callable[[Any, Any, Any], tuple[Any, Any]]


@dataclasses.dataclass(frozen=True)
class TensorData:
    """A :class:`~adam_edu.labs.data.Dataset` as tensors on one device (``x_test`` may be ``None``)."""

    x_train: Any
    y_train: Any
    x_test: Any = None
    y_test: Any = None

    @classmethod
    def from_dataset(cls, data: Dataset, device: Any = "cpu", dtype: Any = None) -> TensorData:
        """Copy ``data``'s arrays to ``device`` (inputs as ``dtype``, default float32)."""
        dtype = dtype or torch.float32

        def x(a):
            return None if a is None else torch.as_tensor(a, dtype=dtype, device=device)

        def y(a):
            return None if a is None else torch.as_tensor(a, dtype=torch.int64, device=device)

        return cls(x(data.x_train), y(data.y_train), x(data.x_test), y(data.y_test))

    def __len__(self) -> int:
        return len(self.x_train)


@dataclasses.dataclass(frozen=True)
class EpochRecord:
    """What the loop measured after one epoch (epoch 0: before training).

    ``loss`` is the full training loss with dropout off; ``accuracy`` the training accuracy (NaN for
    the VAE); ``test_loss``/``test_accuracy`` are NaN without a test split; ``seconds`` is the training
    time so far (evaluation excluded); ``steps`` the updates so far.
    """

    run: str
    epoch: int
    loss: float
    accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float
    steps: int


@dataclasses.dataclass(frozen=True)
class History:
    """The records of one training run, epoch 0 (before training) to the last."""

    run: str
    records: tuple[EpochRecord, ...]
    diverged: bool

    @property
    def losses(self) -> np.ndarray:
        """Training loss after each epoch, epoch 0 included (``inf`` after a divergence)."""
        return np.array([r.loss for r in self.records])

    @property
    def final_loss(self) -> float:
        """Training loss after the last epoch."""
        return self.records[-1].loss

    @property
    def auc(self) -> float:
        """Mean training loss over epochs 1..E: small when the loss falls early ("area under the curve")."""
        return float(np.mean(self.losses[1:])) if len(self.records) > 1 else self.records[0].loss

    @property
    def final_accuracy(self) -> float:
        return self.records[-1].accuracy

    @property
    def seconds(self) -> float:
        return self.records[-1].seconds

    @property
    def steps(self) -> int:
        return self.records[-1].steps


def classification(l2: float = 0.0) -> Objective:
    r"""Cross-entropy of the logits, plus :math:`\tfrac{\lambda}{2}\lVert W\rVert^2` over the weight matrices
    (``l2`` :math:`=\lambda`), the same objective for every optimizer."""

    def objective(model, x, y):
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        if l2:
            loss = loss + 0.5 * l2 * sum(p.square().sum() for p in model.parameters() if p.ndim > 1)
        return loss, logits

    return objective


def elbo(model, x, y=None):
    """The VAE's objective: negative ELBO per example (no class scores)."""
    return model.loss(x), None


def inverse_sqrt(step: int) -> float:
    r"""The paper's Fig. 1 schedule :math:`\alpha_t = \alpha/\sqrt{t}` as a factor of the base rate (step t >= 1)."""
    return 1.0 / math.sqrt(step)


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    flag = env_flag("ADAM_EDU_PROGRESS")
    return True if flag is None else flag


def _device_rng(device: Any):
    """A context in which torch's generators can be reseeded without disturbing the training's stream."""
    if device.type == "cuda":
        return torch.random.fork_rng(devices=[device.index or 0])
    if device.type == "mps":
        return torch.random.fork_rng(devices=[0], device_type="mps")
    return torch.random.fork_rng(devices=[])


@torch.no_grad()
def evaluate(model, objective: Objective, x, y, batch_size: int = 2048, seed: int = 0) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on ``(x, y)`` with dropout off, in chunks of ``batch_size``.

    Sampling (the VAE's) is reseeded with ``seed`` inside a forked generator, so the value does not
    depend on when it is measured and does not change the training's random stream.
    """
    was_training = model.training
    model.eval()
    total, correct, count, scored = 0.0, 0, 0, False
    with _device_rng(x.device):
        torch.manual_seed(seed)
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size]
            yb = None if y is None else y[start : start + batch_size]
            loss, scores = objective(model, xb, yb)
            total += float(loss) * len(xb)
            if scores is not None and yb is not None:
                correct += int((scores.argmax(1) == yb).sum())
                scored = True
            count += len(xb)
    model.train(was_training)
    accuracy = correct / count if scored else math.nan
    return total / count, accuracy


def _sync(device: Any) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def train(
    model,
    optimizer,
    data: TensorData,
    *,
    epochs: int,
    objective: Objective,
    batch_size: int = 128,
    schedule: Callable[[int], float] | None = None,
    seed: int = 0,
    run: str = "",
    progress: bool | None = None,
    on_epoch_end: Callable[[int, Any, Any], None] | None = None,
) -> History:
    """Train ``model`` with ``optimizer`` for ``epochs`` passes over ``data``; return its :class:`History`.

    Parameters
    ----------
    model : torch.nn.Module
        Already on ``data``'s device.
    optimizer : torch.optim.Optimizer
        Any: torch.optim's, :class:`~adam_edu.labs.torch_adam.PaperAdam`, or an ``adam_edu.optim``
        optimizer wrapped by :class:`~adam_edu.labs.bridge.NumpyOptimizer`.
    data : TensorData
        Training (and test) tensors.
    epochs : int
        Passes over the training data.
    objective : callable
        ``objective(model, x, y) -> (loss, logits or None)``: :func:`classification` or :func:`elbo`.
    batch_size : int, default 128
        The paper's minibatch size.
    schedule : callable, optional
        ``schedule(t)`` multiplies each parameter group's initial ``lr`` at step ``t`` (1, 2, ...), for
        example :func:`inverse_sqrt`.
    seed : int
        Seeds the order of the minibatches (and dropout, through torch's global generator).
    run : str
        A name for the records and the progress bar.
    progress : bool, optional
        Show a progress bar (``tqdm.auto``: a widget in Jupyter). Default: on, unless ``ADAM_EDU_PROGRESS=0``.
    on_epoch_end : callable, optional
        ``on_epoch_end(epoch, model, optimizer)``, called after each epoch's evaluation.
    """
    from tqdm.auto import tqdm

    device = data.x_train.device
    n = len(data)
    order = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    base_lrs = [group["lr"] for group in optimizer.param_groups]

    def record(epoch: int, seconds: float, steps: int, diverged: bool) -> EpochRecord:
        if diverged:
            return EpochRecord(run, epoch, math.inf, math.nan, math.inf, math.nan, seconds, steps)
        loss, accuracy = evaluate(model, objective, data.x_train, data.y_train)
        test_loss, test_accuracy = math.nan, math.nan
        if data.x_test is not None:
            test_loss, test_accuracy = evaluate(model, objective, data.x_test, data.y_test)
        if not math.isfinite(loss):
            return EpochRecord(run, epoch, math.inf, math.nan, math.inf, math.nan, seconds, steps)
        return EpochRecord(run, epoch, loss, accuracy, test_loss, test_accuracy, seconds, steps)

    records = [record(0, 0.0, 0, False)]
    diverged = not math.isfinite(records[0].loss)
    steps, seconds = 0, 0.0
    bar = tqdm(total=epochs, desc=run or "training", leave=False, disable=not _progress_enabled(progress))
    model.train()
    for epoch in range(1, epochs + 1):
        if diverged:
            records.append(record(epoch, seconds, steps, True))
            continue
        start = time.perf_counter()
        for index in torch.randperm(n, generator=order).to(device).split(batch_size):
            steps += 1
            if schedule is not None:
                for group, lr in zip(optimizer.param_groups, base_lrs, strict=True):
                    group["lr"] = lr * schedule(steps)
            y = None if data.y_train is None else data.y_train[index]
            loss, _ = objective(model, data.x_train[index], y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        _sync(device)
        seconds += time.perf_counter() - start
        records.append(record(epoch, seconds, steps, False))
        diverged = not math.isfinite(records[-1].loss)
        if on_epoch_end is not None and not diverged:
            on_epoch_end(epoch, model, optimizer)
        bar.update(1)
        bar.set_postfix(loss=f"{records[-1].loss:.4f}")
    bar.close()
    return History(run, tuple(records), diverged)


def tidy(histories: Sequence[History]) -> list[dict]:
    """Every record of every run as a flat dict (one row per run and epoch), ready for a table or a DataFrame."""
    return [dataclasses.asdict(r) for h in histories for r in h.records]


def steps_per_second(
    model, optimizer, data: TensorData, objective: Objective, *, batch_size: int = 128, steps: int = 50, warmup: int = 5
) -> float:
    """Training steps per second of ``model`` with ``optimizer`` on ``data``'s device (after ``warmup`` steps)."""
    device = data.x_train.device
    generator = torch.Generator().manual_seed(0)
    n = len(data)
    model.train()

    def one_step():
        index = torch.randint(n, (min(batch_size, n),), generator=generator).to(device)
        y = None if data.y_train is None else data.y_train[index]
        loss, _ = objective(model, data.x_train[index], y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    for _ in range(warmup):
        one_step()
    _sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        one_step()
    _sync(device)
    return steps / (time.perf_counter() - start)


def progress_default() -> bool:
    """Whether progress bars are on (``ADAM_EDU_PROGRESS``), for code that draws its own bars."""
    return _progress_enabled(None)


__all__ = [
    "EpochRecord",
    "History",
    "TensorData",
    "classification",
    "elbo",
    "evaluate",
    "inverse_sqrt",
    "progress_default",
    "steps_per_second",
    "tidy",
    "train",
]
