"""Time the playground's Python side: one slider move = rerun 5 optimizers x 300 steps and redraw.

Run ``python -m adam_edu.widgets.benchmark`` (``--help`` for options). It builds a
:class:`~adam_edu.widgets.playground.Playground` headless, moves the learning-rate slider through
``--moves`` values as a drag would (each move goes through the widget's observer, exactly as a
browser's message does), and prints the median time per update, with the compute and draw parts.
The target is a median of at most 50 ms on the course's 2-core machine; a browser adds the round
trip and the PNG decode on top (measured by ``tests/test_browser_playground.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time

import numpy as np

from .settings import PlaygroundSettings

RACE = ("SGD", "Momentum", "RMSProp", "Adam", "AMSGrad")


@dataclasses.dataclass(frozen=True)
class Benchmark:
    """Milliseconds per update (``total`` timed around the slider assignment) and background redraws."""

    function: str
    optimizers: tuple[str, ...]
    steps: int
    moves: int
    total_ms: list[float]
    compute_ms: list[float]
    draw_ms: list[float]
    contour_draws: int
    loss_background_draws: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.total_ms)

    def summary(self) -> dict:
        return {
            "function": self.function,
            "optimizers": list(self.optimizers),
            "steps": self.steps,
            "moves": self.moves,
            "median_ms": round(self.median_ms, 2),
            "p90_ms": round(float(np.percentile(self.total_ms, 90)), 2),
            "max_ms": round(max(self.total_ms), 2),
            "median_compute_ms": round(statistics.median(self.compute_ms), 2),
            "median_draw_ms": round(statistics.median(self.draw_ms), 2),
            "contour_draws": self.contour_draws,
            "loss_background_draws": self.loss_background_draws,
        }


def measure(
    moves: int = 60, function: str = "quadratic", optimizers: tuple[str, ...] = RACE, steps: int = 300
) -> tuple[Benchmark, object]:
    """Drag the lr slider over ``moves`` values from 0.01 to 0.1 and back; return the timings and the playground."""
    from .playground import Playground  # ipywidgets only when measuring

    playground = Playground(PlaygroundSettings(function=function, optimizers=optimizers, steps=steps, lr=0.01))
    slider = playground.controls["lr"]
    half = max(1, moves // 2)
    exponents = np.concatenate([np.linspace(-2, -1, half), np.linspace(-1, -2, moves - half)])
    contours_before = playground.figures.contour_draws
    backgrounds_before = playground.figures.loss_draws
    total, compute, draw = [], [], []
    for exponent in exponents:
        start = time.perf_counter()
        slider.value = float(10**exponent)
        total.append(1e3 * (time.perf_counter() - start))
        compute.append(playground.timings["compute"])
        draw.append(playground.timings["draw"])
    result = Benchmark(
        function=function,
        optimizers=tuple(optimizers),
        steps=steps,
        moves=moves,
        total_ms=total,
        compute_ms=compute,
        draw_ms=draw,
        contour_draws=playground.figures.contour_draws - contours_before,
        loss_background_draws=playground.figures.loss_draws - backgrounds_before,
    )
    return result, playground


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adam_edu.widgets.benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=60, help="slider moves to time (default 60)")
    parser.add_argument("--function", default="quadratic", help="test function (default quadratic)")
    parser.add_argument("--steps", type=int, default=300, help="steps per optimizer (default 300)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    result, _ = measure(moves=args.moves, function=args.function, steps=args.steps)
    summary = result.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"{len(result.optimizers)} optimizers x {result.steps} steps on {result.function}, "
            f"{result.moves} lr-slider moves"
        )
        print(
            f"median update: {summary['median_ms']:.1f} ms (compute {summary['median_compute_ms']:.1f} ms, "
            f"draw {summary['median_draw_ms']:.1f} ms; p90 {summary['p90_ms']:.1f} ms, max {summary['max_ms']:.1f} ms)"
        )
        print(
            f"contours drawn {summary['contour_draws']} times, loss axes redrawn "
            f"{summary['loss_background_draws']} times in {result.moves} moves"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
