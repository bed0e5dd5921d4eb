"""The playground's update redraws only what changed, and its readout is right after a drag.

Timings are reported, not asserted: a busy or slower machine must not fail the suite. The update's median is
printed (``pytest -s``) and shown in every failure message; ``python -m adam_edu.widgets.benchmark`` measures it
on its own. The only bound on time is a guard against a broken update (a redraw of everything on every move, a
loop that never ends): ten times the 150 ms budget that CI's shared CPU was once given.
"""

import math

import pytest

from adam_edu.trajectories import run
from adam_edu.widgets.captions import fmt_lr, fmt_number

pytest.importorskip("ipywidgets")
from adam_edu.widgets import benchmark
from adam_edu.widgets.settings import build_optimizer

BUDGET_MS = 150.0  # the median CI's shared CPU was given (the course machine's target is 50 ms)
HANG_GUARD_MS = 10 * BUDGET_MS  # past this the update is broken, not slowed down by a busy machine


def test_update_redraws_only_the_lines_and_the_readout_is_right():
    result, playground = benchmark.measure(moves=30)
    summary = result.summary()
    print(f"\nplayground update (not asserted): {summary}")
    assert result.median_ms < HANG_GUARD_MS, summary
    assert result.contour_draws == 0, summary  # a slider move never redraws the contours
    assert result.loss_background_draws <= 10, summary  # the loss axes only when their decades change (8 of 30)
    assert len(result.optimizers) == 5 and result.steps == 300
    settings = playground.settings
    values = playground.readout_values()
    assert values["lr"] == fmt_lr(playground.controls["lr"].value) == fmt_lr(settings.lr)
    for name in settings.optimizers:
        path = run(build_optimizer(name, settings), settings.objective, steps=settings.steps)
        gap = float(settings.objective.gap(path.points[-1]))
        assert math.isfinite(gap)
        shown = values[f"final_loss:{name}"]  # the playground's own run, through the fast path
        assert shown == fmt_number(float(shown))  # four significant digits, as fmt_number writes them
        assert float(shown) == pytest.approx(gap, rel=1e-3), (name, shown, gap)  # within the readout's rounding


def test_benchmark_command_prints_the_median(capsys):
    assert benchmark.main(["--moves", "6", "--steps", "100"]) == 0
    out = capsys.readouterr().out
    assert "median update:" in out and "contours drawn 0 times" in out
