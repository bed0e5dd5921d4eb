r"""Adam at scale: what its state costs in memory, how fast a step can be, and sharding the state (ZeRO).

Three measurements for notebook 09:

* :func:`training_memory`: bytes of parameters, gradients and Adam's moments per parameter, in fp32
  and in mixed precision, and per worker when ZeRO stage 1 shards the optimizer state.
* :func:`best_time`, :func:`copy_bandwidth`, :func:`torch_adam_step_time`: the optimizer step reads
  and writes every parameter a few times and does a handful of flops per byte, so its speed is set
  by memory bandwidth; compare it with a plain copy.
* :func:`run_zero`: ``torch.distributed.optim.ZeroRedundancyOptimizer`` on CPU processes with the
  gloo backend; each rank reports the bytes of optimizer state it holds and its parameters after a
  few steps, to compare with :func:`run_unsharded` (plain ``torch.optim.Adam`` in this process).

PyTorch is imported inside the functions that need it, so ``import adam_edu.scale`` works with numpy alone.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

GB = 1e9  # decimal gigabytes, as memory is usually quoted for model sizes

# Bytes per parameter. fp32 training keeps parameters, gradients, m and v in float32. Mixed precision
# (Micikevicius et al. 2018; Rajbhandari et al. 2020, Sec. 3.1) keeps bf16/fp16 parameters and gradients
# for the forward and backward passes and an fp32 master copy of the parameters beside fp32 m and v.
_LAYOUTS = {
    "fp32": {"parameters": 4, "gradients": 4, "m": 4, "v": 4},
    "mixed": {"parameters (bf16)": 2, "gradients (bf16)": 2, "master parameters (fp32)": 4, "m": 4, "v": 4},
}
OPTIMIZER_STATE = {"fp32": ("m", "v"), "mixed": ("master parameters (fp32)", "m", "v")}


def training_memory(n_params: float, precision: str = "fp32", workers: int = 1) -> dict[str, float]:
    """Bytes held per worker for training with Adam, by kind, for ``n_params`` parameters.

    ``precision`` is ``"fp32"`` or ``"mixed"``. With ``workers > 1`` the optimizer state (``m``, ``v``
    and, in mixed precision, the fp32 master copy) is sharded evenly, as in ZeRO stage 1; parameters
    and gradients stay replicated. Activations are not counted.
    """
    if precision not in _LAYOUTS:
        raise ValueError(f"training_memory: 'precision' must be 'fp32' or 'mixed'. Got {precision!r} instead.")
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValueError(f"training_memory: 'workers' must be an integer >= 1. Got {workers!r} instead.")
    sharded = OPTIMIZER_STATE[precision]
    return {kind: n_params * size / (workers if kind in sharded else 1) for kind, size in _LAYOUTS[precision].items()}


def best_time(fn: Callable[[], object], repeats: int = 5) -> float:
    """The shortest wall time in seconds of ``repeats`` calls of ``fn`` (the least disturbed by other work)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def copy_bandwidth(n: int = 10_000_000, repeats: int = 5) -> float:
    """Bytes per second of ``np.copyto`` between two float32 arrays of ``n`` elements (read + write counted)."""
    src = np.ones(n, dtype=np.float32)
    dst = np.empty_like(src)
    seconds = best_time(lambda: np.copyto(dst, src), repeats)
    return 2 * src.nbytes / seconds


def adam_bytes_per_param(itemsize: int = 4) -> int:
    """Least memory traffic of one Adam step per parameter: read theta, g, m, v and write theta, m, v."""
    return 7 * itemsize


def torch_adam_step_time(n: int = 10_000_000, repeats: int = 5, threads: int = 1, **adam_kwargs) -> float:
    """Best time of ``torch.optim.Adam(**adam_kwargs).step()`` on one float32 parameter of ``n`` elements.

    Runs with ``threads`` intra-op threads (restored afterwards); the step count is advanced once
    before timing so the state exists.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        param = torch.zeros(n, requires_grad=True)
        param.grad = torch.full((n,), 0.5)
        opt = torch.optim.Adam([param], **adam_kwargs)
        opt.step()
        return best_time(opt.step, repeats)
    finally:
        torch.set_num_threads(previous)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- ZeRO stage 1 on CPU processes ------------------------------------------------------------------

ZERO_LR = 1e-2


def _model_and_data(width: int = 128, layers: int = 4, batch: int = 64):
    """A seeded MLP of ``layers`` equal ``width x width`` layers (so its tensors split evenly) and a batch."""
    import torch

    torch.manual_seed(0)
    blocks = []
    for _ in range(layers):
        blocks += [torch.nn.Linear(width, width), torch.nn.Tanh()]
    model = torch.nn.Sequential(*blocks[:-1])
    x = torch.randn(batch, width)
    y = torch.randn(batch, width)
    return model, x, y


def state_bytes(optimizer) -> int:
    """Bytes of every tensor a ``torch.optim`` optimizer keeps in its per-parameter state."""
    import torch

    return sum(
        value.numel() * value.element_size()
        for per_param in optimizer.state.values()
        for value in per_param.values()
        if torch.is_tensor(value)
    )


def _flat_parameters(model) -> np.ndarray:
    import torch

    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().copy()


def run_unsharded(steps: int = 3) -> dict:
    """Plain ``torch.optim.Adam`` on the whole batch in this process: state bytes and final parameters."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: more threads only add contention
    try:
        model, x, y = _model_and_data()
        opt = torch.optim.Adam(model.parameters(), lr=ZERO_LR)
        for _ in range(steps):
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            opt.step()
        return {"state_bytes": state_bytes(opt), "parameters": _flat_parameters(model)}
    finally:
        torch.set_num_threads(previous)


def zero_worker(rank: int, world_size: int, port: int, outdir: str, steps: int) -> None:
    """One rank: the MLP on its part of the batch, gradients averaged, Adam's state sharded by ZeRO.

    Writes ``rank{rank}.npz`` (state bytes, flattened parameters) to ``outdir``. Its output streams go
    to /dev/null so that library messages do not reach a notebook; errors still reach the parent
    through ``torch.multiprocessing.start_processes``.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)  # keep library chatter out of the notebook's cell output
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    import torch
    import torch.distributed as dist
    from torch.distributed.optim import ZeroRedundancyOptimizer

    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    try:
        model, x, y = _model_and_data()
        shard = slice(rank * len(x) // world_size, (rank + 1) * len(x) // world_size)
        opt = ZeroRedundancyOptimizer(model.parameters(), optimizer_class=torch.optim.Adam, lr=ZERO_LR)
        for _ in range(steps):
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x[shard]), y[shard]).backward()
            for p in model.parameters():  # data parallelism: average the gradients over ranks
                dist.all_reduce(p.grad)
                p.grad /= world_size
            opt.step()  # each rank updates its shard, then broadcasts it to the others
        result = {"state_bytes": state_bytes(opt.optim), "parameters": _flat_parameters(model)}
        np.savez(Path(outdir) / f"rank{rank}.npz", **result)
    finally:
        dist.destroy_process_group()


def run_zero(world_size: int = 2, steps: int = 3, start_method: str | None = None) -> list[dict]:
    """Train the MLP of :func:`run_unsharded` on ``world_size`` new CPU processes with ZeRO stage 1.

    Returns one dict per rank: ``state_bytes`` (Adam's state held by that rank) and ``parameters``
    after ``steps`` steps (flattened; every rank holds all of them).

    ``start_method`` defaults to ``"forkserver"`` where the platform has it, else ``"spawn"``. Both
    start clean processes (no copy of a parent's threads, unlike ``"fork"``). A spawned process
    imports torch itself, about a second of CPU time each; the fork server imports torch and
    ``torch.distributed`` once, and the ranks fork from it, which matters on a busy machine. The
    preload list is set on :mod:`multiprocessing` for the whole process and takes effect when its
    fork server first starts; the server then stays up, idle, until this process exits.
    """
    import multiprocessing

    import torch.multiprocessing as mp

    if start_method is None:
        start_method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    if start_method == "forkserver":
        multiprocessing.set_forkserver_preload(["torch", "torch.distributed.optim", __name__])
    with tempfile.TemporaryDirectory() as outdir:
        args = (world_size, free_port(), outdir, steps)
        mp.start_processes(zero_worker, args=args, nprocs=world_size, join=True, start_method=start_method)
        results = []
        for rank in range(world_size):
            with np.load(Path(outdir) / f"rank{rank}.npz") as data:
                results.append({"state_bytes": int(data["state_bytes"]), "parameters": data["parameters"]})
    return results
