"""Plot helpers: they return Axes with a title and labelled axes, one line per trajectory, distinct styles."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display in tests; set before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb

from adam_edu.functions import get_function
from adam_edu.optim import SGD, Adam, Momentum, RMSProp
from adam_edu.plotting import (
    COLORS,
    plot_contours,
    plot_losses,
    plot_trajectories,
    series_style,
)
from adam_edu.trajectories import race

QUADRATIC = get_function("quadratic")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def paths():
    optimizers = {"SGD": SGD(lr=0.05), "momentum": Momentum(lr=0.01), "RMSProp": RMSProp(lr=0.1), "Adam": Adam(lr=0.3)}
    return race(optimizers, QUADRATIC, steps=50)


def data_lines(ax: Axes, paths) -> list:
    """The lines whose label is a trajectory's label."""
    return [line for line in ax.get_lines() if line.get_label() in paths]


def test_series_styles_differ_in_colour_linestyle_and_marker():
    styles = [series_style(i) for i in range(6)]
    for key in ("color", "linestyle", "marker"):
        values = [str(style[key]) for style in styles]
        assert len(set(values)) == 6, key
    assert all(style["color"] in COLORS for style in styles)
    assert series_style(len(COLORS))["color"] == series_style(0)["color"]  # the palette cycles


def test_colours_are_the_colour_blind_palette():
    assert COLORS == plt.style.library["tableau-colorblind10"]["axes.prop_cycle"].by_key()["color"]


@pytest.mark.parametrize("name", ["quadratic", "rosenbrock", "beale", "saddle", "himmelblau"])
def test_plot_contours_titles_and_labels_the_axes(name):
    f = get_function(name)
    ax = plot_contours(f, resolution=60)
    assert isinstance(ax, Axes)
    assert ax.get_title() == f.formula
    assert ax.get_xlabel() == r"$\theta_1$" and ax.get_ylabel() == r"$\theta_2$"
    assert ax.get_xlim() == f.xlim and ax.get_ylim() == f.ylim
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    assert len(stars) == len(f.minima)
    for star, point in zip(stars, f.minima, strict=True):
        np.testing.assert_array_equal(np.ravel(star.get_data()), point)
    assert ax.collections  # the contour lines


def test_plot_contours_draws_on_the_given_axes():
    fig, ax = plt.subplots()
    assert plot_contours(QUADRATIC, ax=ax, resolution=30) is ax
    assert len(fig.axes) == 1


def test_plot_trajectories_draws_one_line_per_trajectory(paths):
    ax = plot_trajectories(QUADRATIC, paths, title="Four optimizers")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "Four optimizers"
    assert ax.get_xlabel() and ax.get_ylabel()
    lines = data_lines(ax, paths)
    assert [line.get_label() for line in lines] == list(paths)
    for i, (line, path) in enumerate(zip(lines, paths.values(), strict=True)):
        np.testing.assert_array_equal(np.column_stack(line.get_data()), path.points)
        assert line.get_marker() == series_style(i)["marker"]
        assert to_rgb(line.get_color()) == to_rgb(series_style(i)["color"])
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert set(paths) <= set(legend) and "start" in legend


def test_plot_trajectories_keeps_the_function_as_title_when_none_is_given(paths):
    assert plot_trajectories(QUADRATIC, paths).get_title() == QUADRATIC.formula


def test_plot_losses_draws_the_gap_to_the_minimum_on_a_log_scale(paths):
    ax = plot_losses(paths, objective=QUADRATIC)
    assert isinstance(ax, Axes)
    assert ax.get_title() == "Loss against step"
    assert ax.get_xlabel() == "step $t$" and ax.get_ylabel() == r"$f(\theta_t) - f^*$"
    assert ax.get_yscale() == "log"
    lines = data_lines(ax, paths)
    assert len(lines) == len(paths)
    for line, path in zip(lines, paths.values(), strict=True):
        x, y = line.get_data()
        np.testing.assert_array_equal(x, np.arange(51))
        np.testing.assert_array_equal(y, np.maximum(path.losses - QUADRATIC.min_value, 1e-16))


def test_plot_losses_without_objective_plots_the_loss(paths):
    ax = plt.subplots()[1]
    assert plot_losses(paths, ax=ax, log=False, title="Raw") is ax
    assert ax.get_title() == "Raw" and ax.get_ylabel() == r"$f(\theta_t)$" and ax.get_yscale() == "linear"
    for line, path in zip(data_lines(ax, paths), paths.values(), strict=True):
        np.testing.assert_array_equal(line.get_data()[1], path.losses)


def test_plot_losses_without_objective_uses_a_log_scale_by_default(paths):
    assert plot_losses(paths).get_yscale() == "log"


def test_plot_losses_on_a_function_without_minimum_keeps_a_linear_scale():
    saddle = get_function("saddle")
    ax = plot_losses(race({"SGD": SGD(lr=0.01)}, saddle, steps=10), objective=saddle)
    assert ax.get_yscale() == "linear" and ax.get_ylabel() == r"$f(\theta_t)$"


def test_the_helpers_never_show_the_figure(monkeypatch, paths):
    def fail():
        raise AssertionError("plt.show() called")

    monkeypatch.setattr(plt, "show", fail)
    plot_contours(QUADRATIC, resolution=20)
    plot_trajectories(QUADRATIC, paths)
    plot_losses(paths)
