"""The words beside the plots: a readout of the current values and a caption saying what to look for.

Both are computed from the settings and the runs they produced, never written by hand, so they
cannot disagree with the sliders (a slider caption that disagrees with its slider is a bug other
courses shipped). Every number goes through one formatter per quantity, shared by readout and caption.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
from collections.abc import Mapping

import numpy as np

from ..online import OnlineRun
from ..trajectories import Trajectory
from .settings import FUNCTION_LABELS, REDDI_PROBLEM, PlaygroundSettings, RaceResult, window_exit

#: What to look at on each function, independent of the settings.
FUNCTION_HINTS: dict[str, str] = {
    "quadratic": "An axis-aligned valley: steep across (θ₂), flat along (θ₁).",
    "rotated_quadratic": (
        "The same valley turned by 45°: each coordinate now mixes the steep and the flat direction, so "
        "per-coordinate step sizes (AdaGrad, RMSProp, Adam) no longer line up with it."
    ),
    "rosenbrock": (
        "A curved, flat-bottomed valley: methods race down its walls, then crawl along the floor toward the "
        "minimum at (1, 1)."
    ),
    "beale": "Steep walls and flat plateaus: gradients vary by orders of magnitude across the window.",
    "saddle": (
        "No minimum: θ₂ = 0 is a ridge. Started on it, plain gradient descent never leaves; any push off "
        "the ridge grows."
    ),
    "himmelblau": "Four minima: which one a method reaches depends on its path, not only on the start.",
}


def fmt_lr(value: float) -> str:
    return f"{value:.3g}"


def fmt_beta1(value: float) -> str:
    return f"{value:.2f}"


def fmt_beta2(value: float) -> str:
    return f"{value:g}"


def fmt_eps(value: float) -> str:
    return f"{value:.0e}"


def fmt_number(value: float) -> str:
    """A loss or regret: three significant digits in scientific notation, or 'diverged' if not finite."""
    return f"{value:.3e}" if math.isfinite(value) else "diverged"


def final_value(settings: PlaygroundSettings, path: Trajectory) -> float:
    """The final gap ``f - f*`` (or ``f`` itself when the function has no minimum)."""
    objective = settings.objective
    return float(objective.gap(path.points[-1])) if path.losses.size and math.isfinite(path.final_loss) else math.inf


def first_step_ratio(settings: PlaygroundSettings) -> float:
    r"""Adam's first step per coordinate, in units of :math:`\alpha`, for a gradient much larger than :math:`\epsilon`.

    :math:`1` with correction, :math:`(1-\beta_1)/\sqrt{1-\beta_2}` without (Kingma & Ba, Section 3).
    """
    return 1.0 if settings.bias_correction else uncorrected_factor(settings, 1)


def uncorrected_factor(settings: PlaygroundSettings, t: int) -> float:
    r""":math:`(1-\beta_1^t)/\sqrt{1-\beta_2^t}`: how much larger uncorrected Adam's step is at step ``t``
    (for a steady gradient), compared with the corrected one."""
    return (1 - settings.beta1**t) / math.sqrt(1 - settings.beta2**t)


def measured_first_step(settings: PlaygroundSettings, path: Trajectory) -> float:
    """The largest coordinate move of the first step, in units of ``lr``."""
    if path.steps < 1 or settings.lr == 0:
        return 0.0
    return float(np.max(np.abs(path.points[1] - path.points[0])) / settings.lr)


def readout_values(result: RaceResult) -> dict[str, tuple[str, str]]:
    """``key -> (label, text)`` for every current value and every final result, in display order."""
    settings = result.settings
    x, y = settings.start_point
    values = {
        "function": ("function", settings.function),
        "optimizers": ("optimizers", ", ".join(settings.optimizers) or "none"),
        "lr": ("α (lr)", fmt_lr(settings.lr)),
        "beta1": ("β₁", fmt_beta1(settings.beta1)),
        "beta2": ("β₂", fmt_beta2(settings.beta2)),
        "eps": ("ε", fmt_eps(settings.eps)),
        "bias_correction": ("bias correction (Adam)", "on" if settings.bias_correction else "off"),
        "steps": ("steps", str(settings.steps)),
        "start": ("start", f"x₀ = {x:.2f}" if settings.online else f"({x:.2f}, {y:.2f})"),
    }
    for name, run in result.runs.items():
        if isinstance(run, OnlineRun):
            values[f"final_x:{name}"] = (f"final x, {name}", f"{run.final_point:+.3f}")
            values[f"average_regret:{name}"] = (f"R(T)/T, {name}", fmt_number(run.average_regret))
        else:
            label = "final f" if settings.objective.min_value is None else "final f − f*"
            values[f"final_loss:{name}"] = (f"{label}, {name}", fmt_number(final_value(settings, run)))
    return values


def readout_html(values: Mapping[str, tuple[str, str]], update: int | None = None, settings=None) -> str:
    """The readout as a table whose cells carry ``data-key``, for tests and screen readers.

    ``update`` (the explorer's update count) goes into a ``data-update`` attribute and ``settings`` (a
    dataclass) into ``data-settings`` as JSON with every float in full: a browser test reads them to
    count the updates one action caused and to render the same settings itself. Nothing shows them.
    """
    rows = "".join(
        f'<tr><th scope="row">{html.escape(label)}</th><td data-key="{html.escape(key)}">{html.escape(text)}</td></tr>'
        for key, (label, text) in values.items()
    )
    extra = "" if update is None else f' data-update="{int(update)}"'
    if settings is not None:
        extra += f' data-settings="{html.escape(settings_json(settings))}"'
    return (
        f'<table class="adam-edu-readout-table"{extra} role="status" aria-live="polite" '
        f'aria-label="Current values and results">{rows}</table>'
    )


def settings_json(settings) -> str:
    """A settings dataclass as JSON (floats as ``repr`` writes them, so they read back exactly)."""
    return json.dumps(dataclasses.asdict(settings), ensure_ascii=False, sort_keys=True)


def caption_lines(result: RaceResult) -> list[str]:
    """What to look for, in sentences computed from the settings and the runs they produced."""
    settings, runs = result.settings, result.runs
    if settings.online:
        lines = _online_caption(settings, runs)
    else:
        lines = [_setup_sentence(settings), FUNCTION_HINTS[settings.function]]
        lines.extend(valley_sentences(settings, runs))
        if "Adam" in runs and settings.lr > 0:
            lines.append(_bias_sentence(settings, runs["Adam"]))
        if "RMSProp" in runs and settings.lr > 0:
            lines.append(_rmsprop_sentence(settings, runs["RMSProp"]))
        lines.extend(_ranking_sentences(settings, runs))
        if result.twin is not None:
            lines.extend(_rotation_sentences(settings, runs, result.twin))
    if result.corrected_adam is not None:
        lines.append(_reference_sentence(settings, runs["Adam"], result.corrected_adam))
    return lines


def _summary(settings: PlaygroundSettings, run) -> str:
    if isinstance(run, OnlineRun):
        return f"x_T = {run.final_point:+.3f}"
    label = "f" if settings.objective.min_value is None else "f − f*"
    return f"final {label} {fmt_number(final_value(settings, run))}"


def _reference_sentence(settings: PlaygroundSettings, adam, corrected) -> str:
    return (
        f"The thin grey line is Adam with bias correction, for reference: {_summary(settings, corrected)}, "
        f"against {_summary(settings, adam)} without."
    )


def caption_html(lines: list[str]) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return f'<div class="adam-edu-caption-text" role="note"><b>What to look for.</b>{paragraphs}</div>'


def _hyper_text(settings: PlaygroundSettings) -> str:
    return (
        f"α = {fmt_lr(settings.lr)}, β₁ = {fmt_beta1(settings.beta1)}, β₂ = {fmt_beta2(settings.beta2)}, "
        f"ε = {fmt_eps(settings.eps)}"
    )


def _setup_sentence(settings: PlaygroundSettings) -> str:
    x, y = settings.start_point
    who = ", ".join(settings.optimizers) or "No optimizer"
    return (
        f"{who} on {FUNCTION_LABELS[settings.function]} for {settings.steps} steps from ({x:.2f}, {y:.2f}) "
        f"with {_hyper_text(settings)}; bias correction {'on' if settings.bias_correction else 'off'}."
    )


def _bias_sentence(settings: PlaygroundSettings, adam: Trajectory) -> str:
    measured = measured_first_step(settings, adam)
    if settings.bias_correction:
        return (
            "Bias correction is on: Adam's first step moves each coordinate by α·|g|/(|g| + ε), about α "
            f"(here the largest move is {measured:.3f} α), whatever the gradient's size."
        )
    ratio = first_step_ratio(settings)
    text = (
        f"Bias correction is off: Adam's first step is (1 − β₁)/√(1 − β₂) = {ratio:.3f} times the corrected one "
        f"(here the largest move is {measured:.3f} α, corrected it would be about 1 α); at step 10 the factor "
        f"(1 − β₁¹⁰)/√(1 − β₂¹⁰) is {uncorrected_factor(settings, 10):.3f}."
    )
    if ratio > 1.05:
        text += " Early steps this large overshoot."
    elif ratio < 0.95:
        text += " Early steps this small make a slow start."
    return text


def rmsprop_first_step_ratio(settings: PlaygroundSettings) -> float:
    r"""RMSProp's first step per coordinate in units of :math:`\alpha`: :math:`1/\sqrt{1-\beta_2}`
    (for a gradient much larger than :math:`\epsilon`), since its :math:`v` is never corrected."""
    return 1 / math.sqrt(1 - settings.beta2)


def _rmsprop_sentence(settings: PlaygroundSettings, rmsprop: Trajectory) -> str:
    return (
        f"RMSProp never corrects v: its first step is α/√(1 − β₂) = {rmsprop_first_step_ratio(settings):.3f} α "
        f"per coordinate (here the largest move is {measured_first_step(settings, rmsprop):.3f} α)."
    )


def _ranking_sentences(settings: PlaygroundSettings, results: Mapping[str, Trajectory]) -> list[str]:
    finals = {name: final_value(settings, path) for name, path in results.items()}
    finite = {name: value for name, value in finals.items() if math.isfinite(value)}
    lines = []
    if finite:
        best = min(finite, key=finite.get)
        if settings.objective.min_value is None:
            lines.append(
                f"Lowest final value f: {best} ({fmt_number(finite[best])}); the saddle has no minimum, "
                "so lower means further escaped."
            )
        else:
            lines.append(f"Lowest final loss f − f*: {best} ({fmt_number(finite[best])}).")
    diverged = [name for name in finals if name not in finite]
    if diverged:
        lines.append(f"Diverged (the loss overflowed): {', '.join(diverged)}; try a smaller α.")
    gone = [name for name, path in results.items() if window_exit(settings, path) is not None]
    if gone:
        lines.append(
            f"Left the window for good (the path is cut where it left, marked ×): {', '.join(gone)}; "
            "the loss panel shows how far."
        )
    return lines


#: Steps over which the caption counts gradient descent's crossings of the valley floor.
CROSSING_WINDOW = 20


def valley_axes(settings: PlaygroundSettings) -> tuple[float, float, np.ndarray, np.ndarray] | None:
    """For the two quadratics: the curvatures across and along the valley (the Hessian's eigenvalues) and
    the unit vectors across (steep) and along (flat), read off the Hessian (the gradient of a quadratic is
    linear, so its columns are grad(e₁) and grad(e₂)). None for other functions."""
    if settings.function not in ("quadratic", "rotated_quadratic"):
        return None
    objective = settings.objective
    hessian = np.array([objective.grad(np.array([1.0, 0.0])), objective.grad(np.array([0.0, 1.0]))]).T
    curvatures, vectors = np.linalg.eigh(0.5 * (hessian + hessian.T))
    return float(curvatures[1]), float(curvatures[0]), vectors[:, 1], vectors[:, 0]


#: A crossing of the valley floor counts when the path is at least this fraction of the window's height away
#: from the floor on one side of it: smaller wiggles are not visible in the picture.
VISIBLE_FRACTION = 0.01


def floor_crossings(path: Trajectory, across: np.ndarray, steps: int = CROSSING_WINDOW, visible: float = 0.0) -> int:
    """How often the path crossed the valley floor (its distance across changed sign) in its first ``steps``
    steps, counting only the crossings where it was at least ``visible`` away from the floor on one side."""
    distance = path.points[: steps + 1] @ across
    distance = distance[np.isfinite(distance)]
    flips = np.sign(distance[1:]) * np.sign(distance[:-1]) < 0
    large = np.maximum(np.abs(distance[1:]), np.abs(distance[:-1])) >= visible
    return int(np.count_nonzero(flips & large))


ALONG_NOISE = 1e-8  # a first step whose move along the valley is below this share of it went straight across


def across_along_ratio(path: Trajectory, across: np.ndarray, along: np.ndarray) -> float | None:
    """How many times as far the first step went across the valley as along it: inf if it went straight
    across (its move along is under 1e-8 of the step: rounding, whose size differs from one CPU to another),
    None if it did not move (or not finitely)."""
    if path.steps < 1:
        return None
    move = path.points[1] - path.points[0]
    across_move, along_move = abs(float(move @ across)), abs(float(move @ along))
    scale = max(across_move, along_move)
    if not math.isfinite(scale) or scale == 0.0:
        return None
    return math.inf if along_move <= ALONG_NOISE * scale else across_move / along_move


def valley_sentences(settings: PlaygroundSettings, runs: Mapping[str, Trajectory]) -> list[str]:
    """On the quadratics: what gradient descent and Adam did across and along the valley, as measured."""
    axes = valley_axes(settings)
    if axes is None:
        return []
    steep, flat, across, along = axes
    lines = [f"Its curvature across is {steep / flat:g} times that along (λ_max = {steep:g}, λ_min = {flat:g})."]
    window = min(CROSSING_WINDOW, settings.steps)
    if "SGD" in runs:
        (y_lo, y_hi) = settings.objective.ylim
        crossings = floor_crossings(runs["SGD"], across, window, visible=VISIBLE_FRACTION * (y_hi - y_lo))
        factor = 1 - settings.lr * steep
        text = (
            f"Gradient descent crossed the valley floor visibly {crossings} times in its first {window} steps: "
            f"each step multiplies its distance across by 1 − α·λ_max = {factor:.3f}"
        )
        if crossings >= 3:
            text += ", so it zig-zags across the valley."
        elif abs(factor) < 0.1:
            text += ", so it lands on the valley floor almost at once."
        elif factor > 0:
            text += ", so it slides down the steep wall without crossing the floor."
        else:
            text += "."
        lines.append(text)
    ratios = {name: across_along_ratio(runs[name], across, along) for name in ("SGD", "Adam") if name in runs}
    if ratios.get("Adam") is not None:
        adam = ratios["Adam"]
        if math.isinf(adam):
            text = "Adam's first step went straight across the valley, none of it along"
        else:
            text = f"Adam's first step went {adam:.2f} times as far across the valley as along it"
        if ratios.get("SGD") is not None:
            sgd = ratios["SGD"]
            text += " (gradient descent's: straight across)" if math.isinf(sgd) else f" (gradient descent's {sgd:.2f})"
        if 0.5 <= adam <= 2.0:
            text += ": dividing each coordinate by its own √v̂ evens the two directions out."
        else:
            text += ": its per-coordinate scaling does not even out these directions, which are not its axes."
        lines.append(text)
    return lines


def rotation_invariant(here: Trajectory, there: Trajectory, rtol: float = 1e-6) -> bool:
    """True when two runs have the same losses at every step (to ``rtol``, or both tiny)."""
    return bool(np.allclose(here.losses, there.losses, rtol=rtol, atol=1e-12, equal_nan=True))


def _rotation_sentences(
    settings: PlaygroundSettings, results: Mapping[str, Trajectory], twin: Mapping[str, Trajectory]
) -> list[str]:
    same = [name for name in results if rotation_invariant(results[name], twin[name])]
    different = [name for name in results if name not in same]
    finals = "; ".join(
        f"{name} {fmt_number(final_value(settings, results[name]))} here, "
        f"{fmt_number(float(twin[name].losses[-1]))} axis-aligned"
        for name in results
    )
    lines = [f"Final f − f*, same start turned back to the axis-aligned valley: {finals}."]
    if same:
        lines.append(f"The same loss at every step on both, so unaffected by the rotation: {', '.join(same)}.")
    if different:
        lines.append(f"Changed by the rotation (their steps depend on the axes): {', '.join(different)}.")
    return lines


def _online_caption(settings: PlaygroundSettings, results: Mapping[str, OnlineRun]) -> list[str]:
    C = REDDI_PROBLEM.C
    x0 = settings.start_point[0]
    who = ", ".join(settings.optimizers) or "No optimizer"
    lines = [
        f"{who} play Reddi et al.'s online game for T = {settings.steps} steps from x₀ = {x0:.2f} with "
        f"{_hyper_text(settings)} (constant α); bias correction {'on' if settings.bias_correction else 'off'}.",
        f"The loss at step t is f_t(x) = {C:g}x when t mod 3 = 1 and −x otherwise, on [−1, 1]: every three "
        "steps add up to x, so the best fixed point is x = −1. One large gradient against two small ones of "
        "the other sign: with a short memory (small β₂) Adam's v_t forgets the large one before it returns.",
    ]
    for name, result in results.items():
        text = (
            f"{name} ends at x_T = {result.final_point:+.3f} with average regret R(T)/T = "
            f"{fmt_number(result.average_regret)}"
        )
        if result.final_point > 0.5:
            text += ", near the worst point +1."
        elif result.final_point < -0.5:
            text += ", near the best point −1."
        else:
            text += "."
        lines.append(text)
    lines.append(
        f"Stuck at +1, R(T)/T tends to 2(C − 2)/3 = {2 * (C - 2) / 3:.3f}; for a no-regret method it tends to 0."
    )
    return lines
