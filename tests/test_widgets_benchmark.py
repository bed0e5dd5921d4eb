"""The playground's update is fast enough to follow a slider, and its readout is right after a drag."""

import math

import pytest

from adam_edu.trajectories import run
from adam_edu.widgets.captions import fmt_lr, fmt_number

pytest.importorskip("ipywidgets")
from adam_edu.widgets import benchmark
from adam_edu.widgets.settings import build_optimizer

# The target on the course machine is a median of 50 ms; CI shares its CPU, so the bound here is looser.
MEDIAN_BOUND_MS = 150.0


def test_median_update_is_fast_and_the_readout_is_right():
    result, playground = benchmark.measure(moves=30)
    assert result.median_ms < MEDIAN_BOUND_MS, result.summary()
    assert result.contour_draws == 0  # a slider move never redraws the contours
    assert result.loss_background_draws <= 6  # the loss axes only when their decades change
    assert len(result.optimizers) == 5 and result.steps == 300
    settings = playground.settings
    values = playground.readout_values()
    assert values["lr"] == fmt_lr(playground.controls["lr"].value) == fmt_lr(settings.lr)
    for name in settings.optimizers:
        path = run(build_optimizer(name, settings), settings.objective, steps=settings.steps)
        gap = float(settings.objective.gap(path.points[-1]))
        assert math.isfinite(gap)
        assert values[f"final_loss:{name}"] == fmt_number(gap)


def test_benchmark_command_prints_the_median(capsys):
    assert benchmark.main(["--moves", "6", "--steps", "100"]) == 0
    out = capsys.readouterr().out
    assert "median update:" in out and "contours drawn 0 times" in out
