"""Training curves, loss heatmaps and plain-text results tables for the labs.

The plotting helpers draw on an Axes (a new one if none is given) and return it; none calls
``plt.show()``. Series differ by colour, line style and marker (:func:`adam_edu.plotting.series_style`),
so the figures read in greyscale too. Diverged runs (infinite loss) are drawn up to their last finite value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ..plotting import series_style


def _axes(ax: Axes | None) -> Axes:
    return plt.subplots(figsize=(6, 4))[1] if ax is None else ax


def plot_curves(
    histories: Mapping[str, Any],
    metric: str = "loss",
    ax: Axes | None = None,
    log: bool = True,
    title: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """One curve per run: ``metric`` ("loss", "accuracy", "test_loss"...) against the epoch.

    ``histories`` maps a label to a :class:`~adam_edu.labs.training.History`.
    """
    ax = _axes(ax)
    for i, (label, history) in enumerate(histories.items()):
        epochs = np.array([r.epoch for r in history.records])
        values = np.array([getattr(r, metric) for r in history.records], dtype=float)
        keep = np.isfinite(values)
        shown = label + (" (diverged)" if history.diverged else "")
        every = max(1, len(epochs) // 10)
        ax.plot(epochs[keep], values[keep], label=shown, markevery=every, markersize=4, **series_style(i))
    if log and metric != "accuracy":
        ax.set_yscale("log")
    ax.set_xlabel("epoch (passes over the training set)")
    ax.set_ylabel(ylabel or metric.replace("_", " "))
    ax.set_title(title or f"Training {metric.replace('_', ' ')}")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_heatmap(
    values: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    ax: Axes | None = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    vmin: float | None = None,
    vmax: float | None = None,
    fmt: str = "{:.1f}",
) -> Axes:
    """A grid of losses, each cell annotated; non-finite cells (diverged runs) are hatched and marked "div"."""
    ax = _axes(ax)
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    shown = np.ma.masked_invalid(np.where(finite, values, np.nan))
    image = ax.imshow(shown, cmap="viridis_r", vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_facecolor("white")
    low, high = image.get_clim()
    for (i, j), value in np.ndenumerate(values):
        if math.isfinite(value):
            dark = (value - low) / max(high - low, 1e-12) > 0.5
            ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=7, color="white" if dark else "black")
        else:
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="xx", edgecolor="0.4"))
            ax.text(j, i, "div", ha="center", va="center", fontsize=7, color="black")
    ax.set_xticks(range(len(col_labels)), col_labels, fontsize=8)
    ax.set_yticks(range(len(row_labels)), row_labels, fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    return ax


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15 and digits == 0:
            return str(int(value))
        if math.isnan(value):
            return "-"
        if math.isinf(value):
            return "diverged" if value > 0 else "-inf"
        return f"{value:.{digits}g}" if abs(value) < 1e-3 or abs(value) >= 1e5 else f"{value:.{digits}f}"
    return str(value)


def format_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, digits: int | Mapping[str, int] = 4
) -> str:
    """A plain-text table (fixed-width columns) of ``rows``, each a dict; floats with ``digits`` decimals.

    ``digits`` may map column names to their own number of decimals. NaN prints as "-", an infinite loss
    as "diverged". Deterministic text, safe for nbval.
    """
    if not rows:
        return "(no rows)"
    columns = list(columns or rows[0].keys())
    places = {c: digits.get(c, 4) if isinstance(digits, Mapping) else digits for c in columns}
    cells = [[_cell(row.get(c, ""), places[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]

    def line(parts):
        return "  ".join(p.rjust(w) if i else p.ljust(w) for i, (p, w) in enumerate(zip(parts, widths, strict=True)))

    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def summary_rows(histories: Mapping[str, Any], lrs: Mapping[str, float] | None = None) -> list[dict]:
    """One row per run for :func:`format_table`: learning rate (if given), final loss, AUC, accuracy, time, steps/s."""
    rows = []
    for name, history in histories.items():
        row: dict[str, Any] = {"run": name}
        if lrs is not None:
            row["lr"] = f"{lrs[name]:g}"
        row |= {
            "final loss": history.final_loss,
            "AUC": history.auc,
            "accuracy": history.final_accuracy,
            "seconds": f"{history.seconds:.2f}",
            "steps/s": round(history.steps / history.seconds) if history.seconds > 0 else math.nan,
        }
        rows.append(row)
    return rows


def plot_grid(grid: Any, ax: Axes | None = None, select: str = "auc", title: str | None = None) -> Axes:
    """The learning-rate grid: each optimizer's AUC (or final loss) against the learning rate, diverged runs omitted."""
    ax = _axes(ax)
    names = list(dict.fromkeys(name for name, _ in grid.runs))
    for i, name in enumerate(names):
        lrs = sorted(lr for n, lr in grid.runs if n == name)
        values = np.array([getattr(grid.runs[(name, lr)], "auc" if select == "auc" else "final_loss") for lr in lrs])
        keep = np.isfinite(values)
        ax.plot(np.array(lrs)[keep], values[keep], label=name, markersize=5, **series_style(i))
        ax.plot(grid.best_lr[name], min(values[keep]), "*", color="black", markersize=10, zorder=5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"learning rate $\alpha$")
    ax.set_ylabel("mean training loss over epochs (AUC)" if select == "auc" else "final training loss")
    ax.set_title(title or r"Learning-rate grid ($\star$ = chosen)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax
