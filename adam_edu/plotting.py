"""Plots of trajectories and losses, readable in greyscale and by colour-blind readers.

Every helper draws on an Axes (a new one if none is given) and returns it; none calls ``plt.show()``,
so a notebook decides when a figure is complete. Series differ by colour (matplotlib's
``tableau-colorblind10`` palette), line style and marker.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .functions import Objective
from .trajectories import Trajectory

COLORS = plt.style.library["tableau-colorblind10"]["axes.prop_cycle"].by_key()["color"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def series_style(index: int) -> dict:
    """Colour, line style and marker of the ``index``-th series: three cues, so no series needs colour alone."""
    return {
        "color": COLORS[index % len(COLORS)],
        "linestyle": LINESTYLES[index % len(LINESTYLES)],
        "marker": MARKERS[index % len(MARKERS)],
    }


def _axes(ax: Axes | None) -> Axes:
    return plt.subplots(figsize=(6, 4.5))[1] if ax is None else ax


def plot_contours(objective: Objective, ax: Axes | None = None, levels: int = 30, resolution: int = 200) -> Axes:
    """Grey contour lines of ``objective`` on its window, log-spaced when it has a minimum, with the minima starred."""
    ax = _axes(ax)
    X, Y, Z = objective.grid(resolution)
    if objective.min_value is not None:
        gap = Z - objective.min_value
        positive = gap[gap > 0]
        lows = np.geomspace(max(positive.min(), 1e-3), positive.max(), levels)
        ax.contour(X, Y, gap, levels=lows, cmap="Greys_r", linewidths=0.7, alpha=0.8)
    else:
        ax.contour(X, Y, Z, levels=levels, cmap="Greys_r", linewidths=0.7, alpha=0.8)
    for i, (x, y) in enumerate(objective.minima):
        ax.plot(x, y, "*", color="black", markersize=13, label="minimum" if i == 0 else None, zorder=5)
    ax.set_xlim(objective.xlim)
    ax.set_ylim(objective.ylim)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.set_title(objective.formula)
    return ax


def plot_trajectories(
    objective: Objective,
    trajectories: Mapping[str, Trajectory],
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Contours of ``objective`` with each trajectory drawn over them, start marked with a circle."""
    ax = plot_contours(objective, ax)
    for i, (label, path) in enumerate(trajectories.items()):
        style = series_style(i)
        every = max(1, path.steps // 10)
        ax.plot(*path.points.T, label=label, linewidth=1.6, markevery=every, markersize=5, **style)
    if trajectories:
        start = next(iter(trajectories.values())).points[0]
        ax.plot(*start, "o", color="black", markerfacecolor="white", markersize=8, label="start", zorder=5)
    ax.legend(loc="best", fontsize=8)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_losses(
    trajectories: Mapping[str, Trajectory],
    ax: Axes | None = None,
    objective: Objective | None = None,
    log: bool = True,
    title: str = "Loss against step",
) -> Axes:
    r"""Loss against step for each trajectory.

    With ``objective`` given and a known minimum, plots the gap :math:`f(\theta_t) - f^*` (on a log
    scale by default); otherwise the loss itself.
    """
    ax = _axes(ax)
    use_gap = objective is not None and objective.min_value is not None
    for i, (label, path) in enumerate(trajectories.items()):
        values = path.losses - objective.min_value if use_gap else path.losses
        if log and use_gap:
            values = np.maximum(values, 1e-16)
        every = max(1, path.steps // 10)
        ax.plot(np.arange(path.steps + 1), values, label=label, markevery=every, markersize=5, **series_style(i))
    if log and (use_gap or objective is None):
        ax.set_yscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$f(\theta_t) - f^*$" if use_gap else r"$f(\theta_t)$")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax
