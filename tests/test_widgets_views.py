"""What the playground shows: a first view whose caption is measured from its picture, eleven optimizers
that never look alike, and paths that leave the window cut and marked instead of scribbled across it."""

import dataclasses
import itertools
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from adam_edu.trajectories import Trajectory
from adam_edu.widgets.captions import across_along_ratio, caption_lines, floor_crossings, readout_values
from adam_edu.widgets.settings import FUNCTION_LABELS, OPTIMIZERS, PRESETS, PlaygroundSettings, compute, window_exit
from adam_edu.widgets.views import EXIT_MARK, OPTIMIZER_STYLES, PlaygroundFigures, path_xy, snapshot, style

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _sign_changes(values: np.ndarray, visible: float = 0.0) -> int:
    """Sign changes between neighbours, counted when one of the two is at least ``visible`` from zero."""
    return sum(1 for a, b in itertools.pairwise(values) if a * b < 0 and max(abs(a), abs(b)) >= visible)


VISIBLE = 0.01 * 8.0  # 1% of the quadratic's window height, [-4, 4]


# ------------------------------------------------------------------------------------------ the first view
def test_the_first_view_shows_what_its_caption_says():
    """Gradient descent zig-zags across the valley, Adam's first step is even in both directions, and the
    lowest final loss the caption names is the lowest in the readout: each measured here from the paths."""
    result = compute(PlaygroundSettings())
    caption = "\n".join(caption_lines(result))
    sgd, adam = result.runs["SGD"].points, result.runs["Adam"].points
    assert _sign_changes(sgd[:21, 1], VISIBLE) >= 10  # θ₂ is the steep coordinate of the axis-aligned quadratic
    assert "so it zig-zags across the valley" in caption
    adam_move, sgd_move = np.abs(adam[1] - adam[0]), np.abs(sgd[1] - sgd[0])
    assert adam_move[1] / adam_move[0] == pytest.approx(1.0, rel=1e-6) and sgd_move[1] / sgd_move[0] > 5
    assert "evens the two directions out" in caption
    finals = {k.split(":")[1]: float(v) for k, (_, v) in readout_values(result).items() if k.startswith("final_loss:")}
    assert f"Lowest final loss f − f*: {min(finals, key=finals.get)} " in caption
    assert min(finals, key=finals.get) == "Adam"  # the Adam course's first race: Adam ends lowest
    assert "zig-zags, Adam does not" in PRESETS["defaults"].lesson


@pytest.mark.parametrize("exponent", [-3.0, -2.0, -1.3, -1.1, -1.01])
def test_the_crossing_sentence_follows_the_measured_path(exponent):
    settings = PlaygroundSettings(lr=10**exponent, optimizers=("SGD", "Adam"), steps=60)
    result = compute(settings)
    caption = "\n".join(caption_lines(result))
    crossings = _sign_changes(result.runs["SGD"].points[:21, 1], VISIBLE)
    assert f"crossed the valley floor visibly {crossings} times in its first 20 steps" in caption
    factor = 1 - settings.lr * 20
    assert ("zig-zags" in caption) == (crossings >= 3)
    assert ("lands on the valley floor almost at once" in caption) == (crossings < 3 and abs(factor) < 0.1)
    assert ("slides down the steep wall" in caption) == (crossings < 3 and factor >= 0.1)


def test_the_old_first_view_lands_on_the_floor_and_the_caption_says_so():
    """α = 10^-1.3 (the old default): 1 − 20α = −0.002, so gradient descent's θ₂ flips sign at every step but
    by less than a pixel; the caption must not call that a zig-zag (the old caption did)."""
    caption = "\n".join(caption_lines(compute(PlaygroundSettings(lr=10**-1.3, optimizers=("SGD", "Adam")))))
    assert "zig-zags" not in caption and "lands on the valley floor almost at once" in caption


def test_a_caption_computed_from_a_different_path_says_something_different():
    """The sentences come from the runs: swap gradient descent's zig-zag for a straight path and the caption
    stops calling it a zig-zag (so a caption that disagrees with its picture fails the test above)."""
    result = compute(PlaygroundSettings())
    sgd = result.runs["SGD"]
    straight = np.linspace(sgd.points[0], [0.0, 0.0], len(sgd.points))
    doctored = dataclasses.replace(result, runs={**result.runs, "SGD": Trajectory("SGD", straight, sgd.losses)})
    caption = "\n".join(caption_lines(doctored))
    assert "zig-zags" not in caption and "crossed the valley floor visibly 0 times" in caption


def test_floor_crossings_and_the_step_ratio_on_known_paths():
    across, along = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    zigzag = Trajectory("zigzag", np.array([[0.0, 1.0], [0.1, -0.5], [0.2, 0.25], [0.3, -0.1]]), np.zeros(4))
    assert floor_crossings(zigzag, across) == 3
    assert floor_crossings(zigzag, across, visible=0.4) == 2  # the last crossing, 0.25 to -0.1, is too small
    assert across_along_ratio(zigzag, across, along) == pytest.approx(15.0)
    straight_across = Trajectory("across", np.array([[0.0, 1.0], [0.0, 0.0]]), np.zeros(2))
    assert across_along_ratio(straight_across, across, along) == math.inf
    rounding_along = Trajectory("rounding", np.array([[0.0, 1.0], [3e-12, 0.0]]), np.zeros(2))  # CPU-dependent noise
    assert across_along_ratio(rounding_along, across, along) == math.inf
    visibly_along = Trajectory("along", np.array([[0.0, 1.0], [1e-6, 0.0]]), np.zeros(2))
    assert across_along_ratio(visibly_along, across, along) == pytest.approx(1e6)


# ------------------------------------------------------------------------------------------ legibility
def _luminance(colour) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_no_two_optimizers_look_alike():
    assert list(OPTIMIZER_STYLES) == list(OPTIMIZERS)
    colours = [to_rgb(s["color"]) for s in OPTIMIZER_STYLES.values()]
    markers = [s["marker"] for s in OPTIMIZER_STYLES.values()]
    assert len(set(colours)) == len(colours) and len(set(markers)) == len(markers)
    assert EXIT_MARK["marker"] not in markers  # the cross where a path is cut is no optimizer's marker
    for name, s in OPTIMIZER_STYLES.items():
        contrast = 1.05 / (_luminance(s["color"]) + 0.05)
        assert contrast >= 3.0, f"{name}'s colour has contrast {contrast:.2f}:1 on white"
    a, b = style("Adam"), style("SGD")
    assert (a["color"], a["marker"]) != (b["color"], b["marker"])


def test_each_drawn_line_carries_its_optimizers_style():
    result = compute(PlaygroundSettings(optimizers=tuple(OPTIMIZERS), steps=30))
    figures = PlaygroundFigures()
    figures.update(result)
    for name in OPTIMIZERS:
        for line in (figures.path_lines[name], figures.loss_lines[name]):
            assert line.get_marker() == OPTIMIZER_STYLES[name]["marker"]
            assert to_rgb(line.get_color()) == to_rgb(OPTIMIZER_STYLES[name]["color"])


def test_function_labels_fit_the_dropdown():
    assert max(len(label) for label in FUNCTION_LABELS.values()) <= 26  # the browser test measures the pixels


# ------------------------------------------------------------------------------------------ diverged paths
def test_a_path_that_leaves_the_window_is_cut_there_and_marked():
    settings = PlaygroundSettings(lr=0.2, optimizers=("SGD", "Adam"), steps=100)  # SGD diverges: α > 2/20
    result = compute(settings)
    sgd = result.runs["SGD"]
    end = window_exit(settings, sgd)
    assert end is not None and end < 40
    (x_lo, x_hi), (y_lo, y_hi) = settings.objective.xlim, settings.objective.ylim
    x, y = path_xy(settings, sgd)
    assert len(x) == end and np.all(np.abs(y) <= 3 * (y_hi - y_lo))  # nothing drawn far outside
    assert window_exit(settings, result.runs["Adam"]) is None  # Adam stays: drawn whole
    figures = PlaygroundFigures()
    figures.update(result)
    mark_x, mark_y = figures.exit_marks["SGD"].get_data()
    assert len(mark_x) == 1 and x_lo <= mark_x[0] <= x_hi and y_lo <= mark_y[0] <= y_hi
    assert len(figures.exit_marks["Adam"].get_data()[0]) == 0
    caption = "\n".join(caption_lines(result))
    assert re.search(r"Left the window for good .*marked ×\): SGD;", caption), caption
    left = snapshot(result).axes[0]
    assert any(line.get_marker() == EXIT_MARK["marker"] and len(line.get_xdata()) == 1 for line in left.get_lines())


@pytest.mark.parametrize("function", list(FUNCTION_LABELS))
def test_titles_and_axis_labels_lie_inside_the_pictures(function):
    figures = PlaygroundFigures()
    figures.update(compute(PlaygroundSettings(function="beale")))
    figures.update(compute(PlaygroundSettings(function=function, optimizers=("SGD", "Adam"))))  # after another
    for blit, ax in ((figures.paths, figures.paths_ax), (figures.losses, figures.losses_ax)):
        renderer = blit.canvas.get_renderer()
        width, height = blit.canvas.get_width_height()
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            box = text.get_window_extent(renderer)
            assert text.get_text(), f"{function}: a panel lost a title or an axis label"
            assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, (function, text.get_text())


def test_the_moving_average_explorer_reaches_adams_beta2_and_its_cold_start():
    """Notebook 05 describes β = 0.999's cold start of 2302 steps: the sliders must reach both (they stopped
    at β = 0.99 and 500 steps)."""
    from adam_edu.widgets import MovingAverageExplorer
    from adam_edu.widgets.stream import warmup_steps

    explorer = MovingAverageExplorer()
    beta, steps = explorer.controls["beta"], explorer.controls["steps"]
    assert beta.max == 0.999 and steps.max >= warmup_steps(0.999) + 500
    explorer.set(beta=0.999, steps=3000)
    values = explorer.readout_values()
    assert values["beta"] == "0.999" and values["warmup"] == "2302"  # not rounded up to "1.00"
    assert "β = 0.999 " in explorer.caption_text()
