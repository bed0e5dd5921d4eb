"""How fast each lab trains on this machine: training steps per second, and optimizer steps alone.

Run it as a script::

    python -m adam_edu.labs.benchmark            # quick-mode models (what the labs run on a CPU: MNIST-sized
                                                 # inputs for labs 1, 2 and 4, 8x8 digits for labs 3 and 5)
    python -m adam_edu.labs.benchmark --full     # the paper's model sizes (inputs shaped like MNIST/CIFAR-10)
    python -m adam_edu.labs.benchmark --steps 200 --device cpu

Only the shapes matter for speed, so the inputs are random tensors of each lab's shape: nothing is
loaded or downloaded. Each row is one model trained with minibatches of 128.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable
from typing import Any

from .backend import describe_device, require_torch, setup_torch

torch = require_torch()


@dataclasses.dataclass(frozen=True)
class Case:
    """One benchmark row: a lab's model, its input shape, its objective and an optimizer to train it with."""

    lab: str
    what: str
    input_shape: tuple[int, ...]
    n_classes: int
    build: Callable[[], Any]
    optimizer: Callable[[Any], Any]
    objective: str = "classification"


def cases(full: bool) -> list[Case]:
    """The rows: every lab's model at quick-mode (or, with ``full``, the paper's) size."""
    from ..optim import Adam as NumpyAdam
    from .bridge import NumpyOptimizer
    from .models import MLP, VAE, ConvNet, LogisticRegression
    from .torch_adam import PaperAdam

    def adam(params):
        return torch.optim.Adam(params, lr=1e-3)

    from .experiments import SETTINGS

    size = "full" if full else "quick"
    image = (1, 28, 28)  # MNIST's shape: labs 1, 2 and 4 train on 28x28 digits in both modes
    pixels = image[1] * image[2]
    small = image if full else (1, 8, 8)  # Lab 5 (and Lab 3 in quick mode) train on the 8x8 digits
    small_pixels = small[1] * small[2]
    words = SETTINGS["lab1_sparse"][size]["words"]
    hidden = SETTINGS["lab2"][size]["hidden"]
    if full:
        cnn = Case(
            "lab3",
            "CNN c64-c64-c128-1000 (CIFAR-10 shape), Adam",
            (3, 32, 32),
            10,
            lambda: ConvNet(3, 32, 10, (64, 64, 128), 5, (0, 1, 2), (1000,)),
            adam,
        )
    else:
        cnn = Case(
            "lab3",
            "CNN 16-32-64, FC 128 (8x8 digits), Adam",
            small,
            10,
            lambda: ConvNet(1, 8, 10, (16, 32, 64), 3, (1, 2), (128,)),
            adam,
        )
    vae = (SETTINGS["lab4"][size]["hidden"], SETTINGS["lab4"][size]["latent"])
    return [
        Case(
            "lab1", f"logistic regression {pixels}->10, Adam", image, 10, lambda: LogisticRegression(pixels, 10), adam
        ),
        Case(
            "lab1",
            f"logistic regression, {words} sparse words, Adam",
            (words,),
            2,
            lambda: LogisticRegression(words, 2, 0.5),
            adam,
        ),
        Case(
            "lab2",
            f"MLP {pixels}-{hidden[0]}-{hidden[1]}-10 + dropout, Adam",
            image,
            10,
            lambda: MLP(pixels, 10, hidden),
            adam,
        ),
        cnn,
        Case("lab4", f"VAE {pixels}-{vae[0]}-{vae[1]}, torch Adam", image, 0, lambda: VAE(pixels, *vae), adam, "elbo"),
        Case(
            "lab4",
            f"VAE {pixels}-{vae[0]}-{vae[1]}, adam_edu Adam via numpy",
            image,
            0,
            lambda: VAE(pixels, *vae),
            lambda p: NumpyOptimizer(p, NumpyAdam(bias_correction=False)),
            "elbo",
        ),
        Case(
            "lab5",
            f"MLP {small_pixels}-{hidden[0]}-{hidden[1]}-10, PaperAdam (loop)",
            small,
            10,
            lambda: MLP(small_pixels, 10, hidden),
            lambda p: PaperAdam(p),
        ),
        Case(
            "lab5",
            f"MLP {small_pixels}-{hidden[0]}-{hidden[1]}-10, torch Adam (foreach)",
            small,
            10,
            lambda: MLP(small_pixels, 10, hidden),
            lambda p: torch.optim.Adam(p, foreach=True),
        ),
    ]


def random_data(case: Case, device: Any, n: int = 1024) -> Any:
    """Random inputs of ``case``'s shape (and labels), on ``device``: speed does not depend on the values."""
    from .training import TensorData

    generator = torch.Generator().manual_seed(0)
    x = torch.rand((n, *case.input_shape), generator=generator)
    y = torch.randint(max(case.n_classes, 1), (n,), generator=generator)
    return TensorData(x.to(device), y.to(device))


def time_optimizer_steps(optimizer: Any, steps: int = 100) -> float:
    """Seconds per ``optimizer.step()`` alone, with the gradients it already holds (set them first)."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    device = params[0].device
    optimizer.step()  # warm up (creates the state)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    for _ in range(steps):
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (time.perf_counter() - start) / steps


def run(full: bool = False, steps: int = 50, device: Any = None) -> list[dict]:
    """Measure every case; return one dict per row (lab, model, parameters, device, steps per second)."""
    from .models import n_parameters
    from .training import classification, elbo, steps_per_second

    device = torch.device(device) if device is not None else None
    if device is None:
        from .backend import pick_device

        device = pick_device(verbose=False)
    rows = []
    for case in cases(full):
        torch.manual_seed(0)
        model = case.build().to(device)
        data = random_data(case, device)
        objective = elbo if case.objective == "elbo" else classification()
        rate = steps_per_second(model, case.optimizer(model.parameters()), data, objective, steps=steps)
        rows.append(
            {"lab": case.lab, "model and optimizer": case.what, "parameters": n_parameters(model), "steps/s": rate}
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    from .reporting import format_table

    parser = argparse.ArgumentParser(prog="python -m adam_edu.labs.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the paper's model sizes (default: quick-mode sizes)")
    parser.add_argument("--steps", type=int, default=50, help="timed training steps per model (default 50)")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 or mps (default: the labs' choice)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1, as in the labs)")
    args = parser.parse_args(argv)
    setup_torch(args.threads)
    from .backend import pick_device

    device = torch.device(args.device) if args.device else pick_device(verbose=False)
    print(f"Device: {describe_device(device)}")
    sizes = "full (the paper's sizes)" if args.full else "quick (28x28 MNIST inputs; Labs 3 and 5 on 8x8 digits)"
    print(f"Models: {sizes}; batch 128; {args.steps} steps")
    rows = run(full=args.full, steps=args.steps, device=device)
    print(format_table(rows, digits=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
