"""The playground's two panels, drawn with blitting: paths over contours, and loss against step.

:class:`PlaygroundFigures` turns settings and runs into two PNG pictures, redrawing only what
changed: the contours are computed and drawn when the function changes and at no other time; the
loss panel's axes and legend when its limits, scale or optimizers change; otherwise only the lines
move (``set_data``, then a blit). :func:`snapshot` draws the same content as an ordinary pyplot
figure, for notebooks and static exports (HTML, PDF) where widgets do not render.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..plotting import plot_contours
from .canvas import BlitFigure
from .settings import OPTIMIZERS, REDDI_PROBLEM, PlaygroundSettings, RaceResult, window_exit

LOSS_FLOOR = 1e-16
CONTOUR_LEVELS = 16  # fewer than plot_contours' 30: lighter pictures (the contours dominate a PNG's size)
FAR = 1e6  # coordinates beyond this are drawn at this distance (the line still leaves the window)
#: Fixed margins of the loss panel, wide enough for any tick label it shows (10⁻¹⁶, −10²): its y limits change
#: with the sliders, and a layout pass at each change would cost more than the redraw itself.
LOSS_MARGINS = {"left": 0.19, "right": 0.97, "bottom": 0.14, "top": 0.91}
#: Fixed margins of the path panel: a constrained-layout pass cost more than half of a change of function.
PATHS_MARGINS = {"left": 0.17, "right": 0.97, "bottom": 0.14, "top": 0.84}
#: The cross at the point where a path that leaves the window for good is cut (see window_exit).
EXIT_MARK = {"marker": "X", "markersize": 10, "markeredgecolor": "white", "markeredgewidth": 0.8, "linestyle": ""}


#: Name of the reference line: Adam with bias correction, drawn when the race's Adam has it off.
REFERENCE = "Adam, corrected"

#: Each optimizer's colour, line style and marker. Every colour and every marker is used once, so no two
#: optimizers look alike, in greyscale or to a colour-blind reader the markers and line styles tell them
#: apart; every colour has a contrast of at least 3:1 on white (WCAG 2.1, non-text contrast).
OPTIMIZER_STYLES: dict[str, dict] = {
    "SGD": {"color": "#0072B2", "linestyle": "-", "marker": "o"},
    "Momentum": {"color": "#D55E00", "linestyle": "--", "marker": "s"},
    "Nesterov": {"color": "#CC79A7", "linestyle": "-.", "marker": "^"},
    "AdaGrad": {"color": "#7570B3", "linestyle": ":", "marker": "D"},
    "RMSProp": {"color": "#009E73", "linestyle": (0, (5, 1)), "marker": "v"},
    "Adam": {"color": "#000000", "linestyle": "-", "marker": "P"},
    "AdaMax": {"color": "#B8860B", "linestyle": (0, (3, 1, 1, 1, 1, 1)), "marker": "p"},
    "AMSGrad": {"color": "#882255", "linestyle": ":", "marker": "*"},
    "AdamW": {"color": "#117733", "linestyle": "--", "marker": "h"},
    "NAdam": {"color": "#008080", "linestyle": "-.", "marker": "<"},
    "RAdam": {"color": "#8C6D31", "linestyle": (0, (5, 1)), "marker": ">"},
}


def style(name: str) -> dict:
    """The optimizer's colour, line style and marker (:data:`OPTIMIZER_STYLES`).

    The reference line is thin, grey and plain, so it reads as a backdrop.
    """
    if name == REFERENCE:
        return {"color": "0.45", "linestyle": "-", "marker": "", "linewidth": 1.0}
    return {"linewidth": 1.6, **OPTIMIZER_STYLES[name]}


def path_xy(settings: PlaygroundSettings, run) -> tuple[np.ndarray, np.ndarray]:
    """What the left panel plots for one run: the path ``(x, y)`` up to where it leaves the window for
    good (see :func:`~adam_edu.widgets.settings.window_exit`), or ``(t, x_t)`` online."""
    if settings.online:
        return np.arange(len(run.points)), run.points
    end = window_exit(settings, run)
    return tuple(_drawable(run.points[:end]).T)


def exit_mark(settings: PlaygroundSettings, run) -> tuple[list[float], list[float]]:
    """The cross drawn where a path was cut: its last drawn point, clipped into the window; empty if not cut."""
    end = window_exit(settings, run)
    if end is None or end == 0:
        return [], []
    x, y = run.points[end - 1]
    (x_lo, x_hi), (y_lo, y_hi) = settings.objective.xlim, settings.objective.ylim
    return [float(np.clip(x, x_lo, x_hi))], [float(np.clip(y, y_lo, y_hi))]


def _drawable(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(values), np.clip(values, -FAR, FAR), np.nan)


def loss_curve(settings: PlaygroundSettings, result) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, values)`` the loss panel plots: the gap ``f - f*`` (floored for the log scale), ``f``
    itself on the saddle, or the average regret ``R(t)/t`` in the online mode."""
    if settings.online:
        t = np.arange(1, len(result.regret) + 1)
        return t, result.regret / t
    objective = settings.objective
    values = result.losses - objective.min_value if objective.min_value is not None else result.losses
    if objective.min_value is not None:
        values = np.maximum(values, LOSS_FLOOR)
    return np.arange(len(values)), _drawable(values)


def loss_scale(settings: PlaygroundSettings) -> str:
    if settings.online:
        return "linear"
    return "symlog" if settings.objective.min_value is None else "log"


def _decade(value: float, up: bool) -> float:
    exponent = math.log10(value)
    return 10.0 ** (math.ceil(exponent) if up else math.floor(exponent))


def loss_limits(scale: str, curves: list[np.ndarray]) -> tuple[float, float]:
    """Y limits rounded outward (to decades on log scales), so that small changes keep the same axes.

    They depend on the curves alone, never on what was shown before, so a panel always looks as a
    fresh render of the same settings would (what the browser test compares)."""
    finite = [c[np.isfinite(c)] for c in curves]
    finite = [c for c in finite if c.size]
    if not finite:
        return (LOSS_FLOOR, 1.0) if scale == "log" else (-1.0, 1.0)
    lo = min(float(c.min()) for c in finite)
    hi = max(float(c.max()) for c in finite)
    first = max(abs(float(c[0])) for c in finite)
    if scale == "log":
        top = min(_decade(hi, up=True), 1e6 * _decade(max(first, LOSS_FLOOR), up=True))
        bottom = max(_decade(lo, up=False), LOSS_FLOOR)
        return (bottom, top if top > bottom else bottom * 10)
    if scale == "symlog":
        bound = min(_decade(max(abs(lo), abs(hi), 1e-3), up=True), 1e6 * _decade(max(first, 1e-3), up=True))
        return (-bound if lo < 0 else 0.0, bound if hi > 0 else 0.1 * bound)
    span = max(hi - lo, 1e-3)
    step = 10.0 ** math.floor(math.log10(span))
    lo, hi = math.floor(min(lo, 0.0) / step) * step, math.ceil(hi / step) * step
    return (lo, hi if hi > lo else lo + step)


class PlaygroundFigures:
    """Two blitted figures: :attr:`paths` (contours and trajectories, or ``x_t`` online) and :attr:`losses`.

    :attr:`contour_draws` counts how often contours were computed and drawn, :attr:`loss_draws` how often
    a loss panel's background was drawn; :attr:`paths` and :attr:`losses` (the panels shown now) count
    their own background draws in ``background_draws``. Up to :data:`PANELS_KEPT` panels of each kind
    stay drawn, so a function or a set of optimizers seen before shows again at the cost of a blit.
    """

    def __init__(self, figsize: tuple[float, float] = (4.6, 3.6), dpi: int = 90) -> None:
        self.figsize, self.dpi = figsize, dpi
        self.contour_draws = 0
        self.loss_draws = 0
        # Panels already drawn, by what their background depends on (least recently used first): going
        # back to a function or a set of optimizers seen before costs a blit, not a redraw.
        self._paths_panels: OrderedDict = OrderedDict()
        self._loss_panels: OrderedDict = OrderedDict()
        self.paths = BlitFigure(figsize, dpi, margins=PATHS_MARGINS)
        self.losses = BlitFigure(figsize, dpi, margins=LOSS_MARGINS)
        self.paths_ax: Axes = self.paths.figure.add_subplot()
        self.losses_ax: Axes = self.losses.figure.add_subplot()
        self.path_lines: dict[str, Line2D] = {}
        self.exit_marks: dict[str, Line2D] = {}
        self.loss_lines: dict[str, Line2D] = {}
        self.start_marker: Line2D | None = None

    def update(self, result: RaceResult) -> tuple[bytes, bytes]:
        """Show one race; return the two pictures as PNG bytes."""
        settings = result.settings
        runs = {**result.runs}
        if result.corrected_adam is not None:
            runs[REFERENCE] = result.corrected_adam
        self._prepare_paths(settings)
        every = max(1, settings.steps // 10)
        for name, line in self.path_lines.items():
            line.set_visible(name in runs)
            self.exit_marks[name].set_visible(name in runs)
            if name in runs:
                line.set_data(*path_xy(settings, runs[name]))
                line.set_markevery(every)
                self.exit_marks[name].set_data(*exit_mark(settings, runs[name]))
        x, y = settings.start_point
        self.start_marker.set_data([0.0 if settings.online else x], [x if settings.online else y])

        curves = {name: loss_curve(settings, run) for name, run in runs.items()}
        self._prepare_losses(settings, list(runs), [values for _, values in curves.values()])
        for name, (steps, values) in curves.items():
            self.loss_lines[name].set_data(steps, values)
            self.loss_lines[name].set_markevery(every)
        return self.paths.render(), self.losses.render()

    def _prepare_paths(self, settings: PlaygroundSettings) -> None:
        key = (settings.function, settings.steps) if settings.online else settings.function
        panel = _cached(self._paths_panels, key)
        if panel is None:
            panel = self._draw_paths_panel(settings)
            _remember(self._paths_panels, key, panel)
        self.paths, self.paths_ax, self.path_lines, self.exit_marks, self.start_marker = panel

    def _draw_paths_panel(self, settings: PlaygroundSettings) -> tuple:
        figure = BlitFigure(self.figsize, self.dpi, margins=PATHS_MARGINS)
        ax = figure.figure.add_subplot()
        if settings.online:
            ax.axhline(REDDI_PROBLEM.best_point, color="black", linestyle="--", linewidth=1, label="best x = −1")
            ax.axhline(REDDI_PROBLEM.upper, color="grey", linestyle=":", linewidth=1, label="worst x = +1")
            ax.set_xlim(0, settings.steps)
            ax.set_ylim(REDDI_PROBLEM.lower - 0.1, REDDI_PROBLEM.upper + 0.1)
            ax.set_xlabel("step $t$")
            ax.set_ylabel("$x_t$")
            ax.set_title(f"Point played, $f_t(x) = {REDDI_PROBLEM.C:g}x$ or $-x$")
        else:
            plot_contours(settings.objective, ax, levels=CONTOUR_LEVELS)
            self.contour_draws += 1
        lines = {name: ax.plot([], [], markersize=4, label=name, **style(name))[0] for name in (*OPTIMIZERS, REFERENCE)}
        marks = {name: ax.plot([], [], **EXIT_MARK, color=style(name)["color"])[0] for name in lines}
        (start,) = ax.plot([], [], "o", color="black", markerfacecolor="white", markersize=8, zorder=6)
        figure.animate([*lines.values(), *marks.values(), start])
        figure.draw_background()
        return figure, ax, lines, marks, start

    def _prepare_losses(self, settings: PlaygroundSettings, names: list[str], curves: list[np.ndarray]) -> None:
        scale = loss_scale(settings)
        needed = loss_limits(scale, curves)
        key = (settings.online, settings.function if scale == "symlog" else None, tuple(names), settings.steps)
        panel = _cached(self._loss_panels, key)
        if panel is None:
            panel = self._draw_loss_panel(settings, names, scale, needed)
            _remember(self._loss_panels, key, panel)
        self.losses, self.losses_ax, self.loss_lines = panel
        if tuple(self.losses_ax.get_ylim()) != needed:
            self.losses_ax.set_ylim(*needed)  # only the y axis changes: no need to rebuild the axes
            self.losses.draw_background()
            self.loss_draws += 1

    def _draw_loss_panel(self, settings: PlaygroundSettings, names: list[str], scale: str, limits) -> tuple:
        figure = BlitFigure(self.figsize, self.dpi, margins=LOSS_MARGINS)
        ax = figure.figure.add_subplot()
        ax.set_xlim(0, settings.steps)
        ax.set_ylim(*limits)  # limits first: a log scale on an empty axes would warn
        if scale == "symlog":
            ax.set_yscale("symlog", linthresh=1e-2)
        else:
            ax.set_yscale(scale)
        ax.set_xlabel("step $t$")
        if settings.online:
            ax.axhline(0.0, color="black", linewidth=0.8)
            ax.set_ylabel("$R(t)/t$")
            ax.set_title("Average regret")
        else:
            ax.set_ylabel(r"$f(\theta_t)$" if scale == "symlog" else r"$f(\theta_t) - f^*$")
            ax.set_title("Loss against step")
        ax.grid(True, alpha=0.3)
        lines = {name: ax.plot([], [], markersize=4, label=name, **style(name))[0] for name in names}
        if names:
            handles = [Line2D([], [], markersize=4, **style(name)) for name in names]
            ax.legend(handles, names, loc="upper right", fontsize=7)
        figure.animate(lines.values())
        figure.draw_background()
        self.loss_draws += 1
        return figure, ax, lines


#: How many panels of each kind :class:`PlaygroundFigures` keeps drawn.
PANELS_KEPT = 8


def _cached(panels: OrderedDict, key):
    panel = panels.get(key)
    if panel is not None:
        panels.move_to_end(key)
    return panel


def _remember(panels: OrderedDict, key, panel) -> None:
    panels[key] = panel
    while len(panels) > PANELS_KEPT:
        panels.popitem(last=False)


def snapshot(result: RaceResult, figsize: tuple[float, float] = (9, 3.5)) -> Figure:
    """One race as an ordinary pyplot figure (shown by ``plt.show()``): the same content as the widget."""
    settings = result.settings
    runs = {**result.runs}
    if result.corrected_adam is not None:
        runs[REFERENCE] = result.corrected_adam
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    every = max(1, settings.steps // 10)
    if settings.online:
        left.axhline(REDDI_PROBLEM.best_point, color="black", linestyle="--", linewidth=1, label="best x = −1")
        left.set_ylim(REDDI_PROBLEM.lower - 0.1, REDDI_PROBLEM.upper + 0.1)
        left.set(xlabel="step $t$", ylabel="$x_t$", title="Point played (Reddi et al.)")
        right.axhline(0.0, color="black", linewidth=0.8)
        right.set(ylabel="$R(t)/t$", title="Average regret")
    else:
        plot_contours(settings.objective, left, levels=CONTOUR_LEVELS)
    for name, run in runs.items():
        left.plot(*path_xy(settings, run), label=name, markevery=every, markersize=4, **style(name))
        if not settings.online:
            left.plot(*exit_mark(settings, run), **EXIT_MARK, color=style(name)["color"])
        right.plot(*loss_curve(settings, run), label=name, markevery=every, markersize=4, **style(name))
    if not settings.online:
        x, y = settings.start_point
        left.plot(x, y, "o", color="black", markerfacecolor="white", markersize=8, label="start", zorder=6)
        left.set_xlim(settings.objective.xlim)
        left.set_ylim(settings.objective.ylim)
        scale = loss_scale(settings)
        right.set_yscale(scale, **({"linthresh": 1e-2} if scale == "symlog" else {}))
        right.set(ylabel=r"$f(\theta_t)$" if scale == "symlog" else r"$f(\theta_t) - f^*$", title="Loss against step")
    right.set_xlabel("step $t$")
    for ax in (left, right):
        ax.legend(fontsize=8)
    right.grid(True, alpha=0.3)
    return fig
