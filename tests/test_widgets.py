"""The explorers in adam_edu.widgets, headless: settings, captions that agree with the sliders, blitted panels."""

import io
import math
import re
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from adam_edu.functions import FUNCTIONS, get_function
from adam_edu.online import ReddiProblem, run_online
from adam_edu.optim import SGD, Adam, AdaMax, AdamW, AMSGrad, Momentum, RMSProp
from adam_edu.trajectories import race, run
from adam_edu.widgets.canvas import png_bytes
from adam_edu.widgets.captions import (
    caption_lines,
    first_step_ratio,
    fmt_beta1,
    fmt_beta2,
    fmt_eps,
    fmt_lr,
    fmt_number,
    readout_html,
    readout_values,
    uncorrected_factor,
)
from adam_edu.widgets.settings import (
    BETA2_CHOICES,
    OPTIMIZERS,
    PRESETS,
    REDDI,
    PlaygroundSettings,
    build_optimizer,
    compute,
    rotation_matrix,
)
from adam_edu.widgets.stream import StreamSettings, compute_stream, stream_caption, stream_readout, warmup_steps
from adam_edu.widgets.views import loss_limits

widgets = pytest.importorskip("ipywidgets")
from adam_edu.widgets import MovingAverageExplorer, Playground  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # a warning would fail a notebook cell under nbval

NUMBER = r"[-+]?\d+\.\d+(?:e[-+]\d+)?"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _number_after(text: str, prefix: str) -> float:
    match = re.search(re.escape(prefix) + r"\s*(" + NUMBER + ")", text)
    assert match, f"{prefix!r} not found in: {text}"
    return float(match.group(1))


# ------------------------------------------------------------------------------------------ package
def test_importing_the_package_does_not_import_ipywidgets():
    code = "import sys, adam_edu.widgets, adam_edu.widgets.settings; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("module", ["__init__", "playground", "moving_average", "canvas", "settings"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    name = "adam_edu.widgets" if module == "__init__" else f"adam_edu.widgets.{module}"
    failures, _ = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_unknown_attribute_of_the_package_raises():
    import adam_edu.widgets

    with pytest.raises(AttributeError, match="Nothing"):
        adam_edu.widgets.Nothing  # noqa: B018


# ------------------------------------------------------------------------------------------ settings
@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"function": "nope"}, ValueError, "Unknown function 'nope'"),
        ({"optimizers": ("Adam", "Lion")}, ValueError, "optimizers must be distinct names"),
        ({"optimizers": ("Adam", "Adam")}, ValueError, "optimizers must be distinct names"),
        ({"steps": 0}, ValueError, "steps must be an integer"),
        ({"steps": True}, ValueError, "steps must be an integer"),
        ({"start": (0.0, math.nan)}, ValueError, "start must be a finite point"),
        ({"lr": -1.0}, ValueError, r"'lr' parameter \(α\)"),
        ({"beta1": 1.0, "optimizers": ("Adam",)}, ValueError, r"'beta1' parameter \(β₁\) of Adam"),
    ],
)
def test_bad_settings_raise_naming_the_value(changes, error, message):
    with pytest.raises(error, match=message):
        PlaygroundSettings(**changes)


def test_one_slider_set_drives_every_optimizer_with_the_fields_it_has():
    s = PlaygroundSettings(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6, bias_correction=False)
    assert build_optimizer("Momentum", s) == Momentum(lr=0.02, momentum=0.8)
    assert build_optimizer("RMSProp", s) == RMSProp(lr=0.02, beta2=0.99, eps=1e-6)
    assert build_optimizer("Adam", s) == Adam(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6, bias_correction=False)
    assert build_optimizer("AMSGrad", s) == AMSGrad(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6)
    assert build_optimizer("AdaMax", s) == AdaMax(lr=0.02, beta1=0.8, beta2=0.99)
    assert build_optimizer("AdamW", s).weight_decay == AdamW().weight_decay
    assert build_optimizer("SGD", s) == SGD(lr=0.02)


def test_start_defaults_to_the_function_start_and_zero_online():
    assert PlaygroundSettings(function="rosenbrock").start_point == (-1.2, 1.0)
    assert PlaygroundSettings(function=REDDI).start_point == (0.0, 0.0)
    assert PlaygroundSettings(start=(1, 2)).start_point == (1.0, 2.0)


def test_compute_equals_the_reference_race():
    s = PlaygroundSettings(function="rosenbrock", optimizers=tuple(OPTIMIZERS), lr=0.003, steps=200)
    result = compute(s)
    reference = race({n: build_optimizer(n, s) for n in s.optimizers}, get_function("rosenbrock"), steps=200)
    assert list(result.runs) == list(s.optimizers)
    for name, path in reference.items():
        # Two code paths (plain floats and numpy), so a tolerance, never bit for bit: see test_widgets_fastpath.py.
        # Nesterov diverges here at this rate: both must, at a point where the two may differ by more than rounding.
        assert result.runs[name].diverged == path.diverged, name
        if not path.diverged:
            np.testing.assert_allclose(result.runs[name].points, path.points, rtol=1e-9, atol=1e-12, err_msg=name)
    assert sum(path.diverged for path in reference.values()) == 1
    assert result.corrected_adam is None and result.twin is None


def test_online_mode_runs_reddis_problem_from_the_clipped_start():
    s = PlaygroundSettings(function=REDDI, optimizers=("Adam",), lr=0.01, beta1=0.0, beta2=0.1, steps=60, start=(5, 0))
    got = compute(s).runs["Adam"]
    want = run_online(Adam(lr=0.01, beta1=0.0, beta2=0.1), ReddiProblem(C=3.0), 60, x0=1.0)
    np.testing.assert_array_equal(got.points, want.points)


def test_corrected_adam_reference_only_when_the_race_has_adam_uncorrected():
    s = PlaygroundSettings(function="beale", optimizers=("Adam", "SGD"), lr=0.1, bias_correction=False, steps=50)
    result = compute(s)
    want = run(Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8), get_function("beale"), steps=50)
    np.testing.assert_allclose(result.corrected_adam.points, want.points, rtol=1e-12)
    assert compute(s.replace(bias_correction=True)).corrected_adam is None
    assert compute(s.replace(optimizers=("SGD",))).corrected_adam is None


def test_rotated_quadratic_is_the_quadratic_turned_by_the_rotation():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(50, 2))
    turned = points @ rotation_matrix().T  # R p for each row p
    np.testing.assert_allclose(
        FUNCTIONS["rotated_quadratic"].value(turned), FUNCTIONS["quadratic"].value(points), rtol=1e-12
    )


# ------------------------------------------------------------------------------------------ captions
def _settings_grid():
    rng = np.random.default_rng(1)
    functions = list(FUNCTIONS)
    for k in range(24):
        names = {str(name) for name in rng.choice(list(OPTIMIZERS), size=3, replace=False)} | (
            {"Adam"} if k % 2 else set()
        )
        yield PlaygroundSettings(
            function=functions[k % len(functions)],
            optimizers=tuple(name for name in OPTIMIZERS if name in names),
            lr=float(10 ** rng.uniform(-3, -0.5)),
            beta1=float(rng.choice([0.0, 0.5, 0.9])),
            beta2=float(rng.choice(BETA2_CHOICES)),
            eps=1e-8,
            bias_correction=bool(k % 4 < 2),
            steps=int(rng.integers(20, 200)),
        )


@pytest.mark.parametrize("settings", list(_settings_grid()), ids=lambda s: s.function)
def test_caption_agrees_with_the_values_and_the_runs(settings):
    result = compute(settings)
    values = {key: text for key, (_, text) in readout_values(result).items()}
    caption = "\n".join(caption_lines(result))
    # the current values, formatted once, appear in the caption
    assert values["lr"] == fmt_lr(settings.lr) and f"α = {values['lr']}," in caption
    assert f"β₁ = {fmt_beta1(settings.beta1)}" in caption and f"β₂ = {fmt_beta2(settings.beta2)}," in caption
    assert f"ε = {fmt_eps(settings.eps)}" in caption and f"for {settings.steps} steps" in caption
    assert f"bias correction {values['bias_correction']}." in caption
    assert values["bias_correction"] == ("on" if settings.bias_correction else "off")
    # the final losses in the readout are those of the runs
    finals = {}
    for name in settings.optimizers:
        path = run(build_optimizer(name, settings), settings.objective, steps=settings.steps)
        gap = float(settings.objective.gap(path.points[-1]))
        assert values[f"final_loss:{name}"] == fmt_number(gap)
        finals[name] = gap
    finite = {n: v for n, v in finals.items() if math.isfinite(v)}
    if finite:
        best = min(finite, key=finite.get)
        assert re.search(rf"Lowest final (loss f − f\*|value f): {best} \(", caption)
    diverged = [n for n in finals if n not in finite]
    assert ("Diverged" in caption) == bool(diverged)
    if diverged:
        assert f"Diverged (the loss overflowed): {', '.join(diverged)};" in caption
    # Adam's first step: the claim, the formula and the measured step agree
    if "Adam" in settings.optimizers:
        adam = result.runs["Adam"]
        measured = float(np.max(np.abs(adam.points[1] - adam.points[0]))) / settings.lr
        assert _number_after(caption, "the largest move is") == pytest.approx(measured, abs=6e-4)
        if settings.bias_correction:
            assert "Bias correction is on" in caption
        else:
            ratio = (1 - settings.beta1) / math.sqrt(1 - settings.beta2)
            assert _number_after(caption, "(1 − β₁)/√(1 − β₂) =") == pytest.approx(ratio, abs=6e-4)
            assert _number_after(caption, "(1 − β₁¹⁰)/√(1 − β₂¹⁰) is") == pytest.approx(
                (1 - settings.beta1**10) / math.sqrt(1 - settings.beta2**10), abs=6e-4
            )
            assert ("overshoot" in caption) == (ratio > 1.05)
            assert ("slow start" in caption) == (ratio < 0.95)
        g = settings.objective.grad(np.asarray(settings.start_point))
        if np.all(np.abs(g) > 1e-3):  # gradient far above eps: the step is the formula
            assert measured == pytest.approx(first_step_ratio(settings), rel=1e-4)


def test_uncorrected_first_step_is_3_16_alpha_with_the_papers_betas():
    s = PlaygroundSettings(optimizers=("Adam",), bias_correction=False)
    assert first_step_ratio(s) == pytest.approx(3.16227766, rel=1e-8)
    assert uncorrected_factor(s, 1) == pytest.approx(3.16227766, rel=1e-8)
    caption = "\n".join(caption_lines(compute(s)))
    assert "= 3.162 times the corrected one" in caption and "the largest move is 3.162 α" in caption


def test_readout_html_carries_every_value_under_its_key():
    result = compute(PlaygroundSettings())
    values = readout_values(result)
    html = readout_html(values)
    cells = dict(re.findall(r'<td data-key="([^"]+)">([^<]*)</td>', html))
    assert cells == {key: text for key, (_, text) in values.items()}
    assert 'aria-live="polite"' in html


def test_online_caption_reports_the_runs():
    s = PRESETS["Reddi's counterexample"].settings
    result = compute(s)
    caption = "\n".join(caption_lines(result))
    for name, online in result.runs.items():
        assert f"{name} ends at x_T = {online.final_point:+.3f}" in caption
        assert f"R(T)/T = {fmt_number(online.average_regret)}" in caption
    assert "2(C − 2)/3 = 0.667" in caption


# ------------------------------------------------------------------------------------------ presets
def test_preset_no_bias_correction_shows_the_uncorrected_adam_failing():
    s = PRESETS["no bias correction, β₂ = 0.999"].settings
    assert (s.bias_correction, s.beta2) == (False, 0.999)
    result = compute(s)
    adam, corrected = result.runs["Adam"], result.corrected_adam
    assert adam.final_loss > 1e3 * corrected.final_loss  # the lesson: corrected reaches the minimum, uncorrected not
    first = np.abs(result.runs["RMSProp"].points[1] - result.runs["RMSProp"].points[0]) / s.lr
    np.testing.assert_allclose(first, 1 / math.sqrt(1 - s.beta2), rtol=1e-6)  # RMSProp never corrects v
    assert "grey line is Adam with bias correction" in "\n".join(caption_lines(result))
    small = compute(s.replace(lr=0.01))  # the preset's lesson text: at a small α the long steps are a head start
    assert small.runs["Adam"].final_loss < small.corrected_adam.final_loss


def test_preset_rotated_quadratic_separates_invariant_from_per_coordinate_methods():
    result = compute(PRESETS["rotated quadratic"].settings)
    for name in ("SGD", "Momentum"):
        np.testing.assert_allclose(result.runs[name].losses, result.twin[name].losses, rtol=1e-6, atol=1e-12)
    assert result.runs["Adam"].final_loss > 100 * result.twin["Adam"].final_loss
    caption = "\n".join(caption_lines(result))
    assert "unaffected by the rotation: SGD, Momentum." in caption
    assert "Changed by the rotation (their steps depend on the axes): RMSProp, Adam." in caption


def test_preset_reddi_sends_adam_to_the_worst_point_and_amsgrad_to_the_best():
    result = compute(PRESETS["Reddi's counterexample"].settings)
    assert result.runs["Adam"].final_point > 0.99
    assert result.runs["AMSGrad"].final_point < -0.99
    assert result.runs["Adam"].average_regret > 0.6


# ------------------------------------------------------------------------------------------ panels
def test_loss_limits_are_decades():
    assert loss_limits("log", [np.array([52.5, 3.0, 2e-7])]) == (1e-7, 100.0)
    assert loss_limits("log", [np.array([52.5, 3.0, 5e-7])]) == (1e-7, 100.0)  # a small change keeps the axes
    lo, hi = loss_limits("linear", [np.array([3.0, 0.4, 0.65])])
    assert lo <= 0.0 and hi >= 3.0
    assert loss_limits("symlog", [np.array([2.25, -50.0])]) == (-100.0, 100.0)


def test_png_bytes_round_trip():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    image = Image.open(io.BytesIO(png_bytes(rgba)))
    assert image.mode == "RGB" and image.size == (5, 7)
    np.testing.assert_array_equal(np.asarray(image), rgba[:, :, :3])


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png))).astype(int)


def test_blitted_panel_equals_a_full_redraw():
    pg = Playground(function="rosenbrock", optimizers=("SGD", "Adam"), lr=0.01)
    pg.set(lr=0.02)
    blitted = _pixels(pg.paths_image.value)
    fig = pg.figures.paths
    for artist in fig.animated:
        artist.set_animated(False)
    fig.canvas.draw()
    full = _pixels(fig.png())
    assert blitted.shape == full.shape
    assert np.mean(np.any(blitted != full, axis=-1)) < 1e-3


# ------------------------------------------------------------------------------------------ playground
def test_slider_moves_redraw_lines_not_contours():
    pg = Playground(optimizers=("SGD", "Adam"))
    contours, before = pg.figures.contour_draws, pg.paths_image.value
    for lr in (0.01, 0.02, 0.03):
        pg.controls["lr"].value = lr
        assert bytes(pg.paths_image.value) != bytes(before)
        before = pg.paths_image.value
    pg.controls["beta1"].value = 0.5
    pg.controls["steps"].value = 120
    assert pg.figures.contour_draws == contours
    assert pg.figures.paths.background_draws == 1
    pg.controls["function"].value = "himmelblau"
    assert pg.figures.contour_draws == contours + 1


def test_a_new_function_starts_from_its_default_point():
    pg = Playground(optimizers=("Adam",))
    pg.controls["function"].value = "rosenbrock"
    assert pg.settings.start_point == (-1.2, 1.0)
    assert (pg.controls["x0"].min, pg.controls["x0"].max) == (-2.0, 2.0)
    pg.set(function=REDDI)
    assert pg.settings.start_point[0] == 0.0 and pg.controls["y0"].layout.display == "none"
    pg.set(function="beale", start=(2.0, 1.0))
    assert pg.settings.start_point == (2.0, 1.0)


def _expected_readout(settings):
    x, y = settings.start_point
    return {
        "function": settings.function,
        "lr": fmt_lr(settings.lr),
        "beta1": fmt_beta1(settings.beta1),
        "beta2": fmt_beta2(settings.beta2),
        "eps": fmt_eps(settings.eps),
        "bias_correction": "on" if settings.bias_correction else "off",
        "steps": str(settings.steps),
        "start": f"x₀ = {x:.2f}" if settings.online else f"({x:.2f}, {y:.2f})",
    }


def test_readout_and_caption_follow_every_control_change():
    pg = Playground(optimizers=("SGD", "RMSProp", "Adam"))
    rng = np.random.default_rng(2)
    c = pg.controls
    moves = [
        lambda: setattr(c["lr"], "value", float(10 ** rng.uniform(-3, -1))),
        lambda: setattr(c["beta1"], "value", float(rng.choice([0.0, 0.5, 0.9, 0.99]))),
        lambda: setattr(c["beta2"], "value", float(rng.choice(BETA2_CHOICES))),
        lambda: setattr(c["eps"], "value", float(10.0 ** rng.integers(-12, -4))),
        lambda: setattr(c["bias_correction"], "value", not c["bias_correction"].value),
        lambda: setattr(c["steps"], "value", int(rng.integers(2, 30)) * 10),
        lambda: setattr(c["x0"], "value", float(rng.uniform(c["x0"].min, c["x0"].max))),
        lambda: setattr(c["optimizers"], "value", tuple(rng.choice(list(OPTIMIZERS), 2, replace=False))),
        lambda: setattr(c["function"], "value", str(rng.choice(list(FUNCTIONS)))),
    ]
    for k in range(30):
        updates = pg.updates
        moves[k % len(moves)]()
        assert pg.updates in (updates, updates + 1)  # at most one update per move (none if unchanged)
        settings = pg.settings
        values = pg.readout_values()
        assert {key: values[key] for key in _expected_readout(settings)} == _expected_readout(settings)
        assert values["optimizers"] == (", ".join(settings.optimizers) or "none")
        cells = dict(re.findall(r'<td data-key="([^"]+)">([^<]*)</td>', pg.readout.value))
        assert cells == values
        assert pg.result.settings == settings
        text = pg.caption_text()
        assert f"α = {values['lr']}," in text and f"for {values['steps']} steps" in text
        assert f"bias correction {values['bias_correction']}." in text
        assert "Bias correction is on" in text if settings.bias_correction and "Adam" in settings.optimizers else True


def test_set_validates_before_touching_the_controls():
    pg = Playground(optimizers=("Adam",))
    before = pg.settings
    with pytest.raises(ValueError, match="'lr' parameter"):
        pg.set(lr=-1.0)
    assert pg.settings == before


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_sets_every_control_in_one_update(name):
    pg = Playground()
    updates = pg.updates
    pg.preset_buttons[name].click()
    assert pg.updates == updates + 1
    preset = PRESETS[name].settings
    assert pg.settings == preset.replace(start=preset.start_point)
    assert bytes(pg.paths_image.value).startswith(b"\x89PNG")


def test_snapshot_is_a_static_figure_with_both_panels():
    pg = Playground()
    fig = pg.snapshot()
    assert len(fig.axes) == 2 and fig.axes[1].get_title() == "Loss against step"
    pg.apply_preset("Reddi's counterexample")
    fig = pg.snapshot()
    assert fig.axes[1].get_title() == "Average regret"
    with pytest.raises(ValueError, match="Unknown preset"):
        pg.apply_preset("nope")


def test_playground_displays_as_its_widget():
    pg = Playground()
    bundle = pg._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "adam-edu-readout" in pg.readout._dom_classes
    assert "adam-edu-lr" in pg.controls["lr"]._dom_classes


# ------------------------------------------------------------------------------------------ moving average
def test_expected_ema_is_the_weight_sum_times_the_mean():
    s = StreamSettings(beta=0.9, mean=2.0, noise=1.0, steps=30)
    runs = np.array([compute_stream(s.replace(seed=k)).m for k in range(400)])
    expected = compute_stream(s).expected_m
    np.testing.assert_allclose(expected, 2.0 * (1 - 0.9 ** np.arange(1, 31)))
    assert np.max(np.abs(runs.mean(axis=0) - expected)) < 0.1  # 400 seeds: standard error < 0.03


@pytest.mark.parametrize(("beta", "steps"), [(0.0, 1), (0.5, 4), (0.9, 22), (0.99, 230)])
def test_warmup_is_the_first_step_with_weight_at_least_0_9(beta, steps):
    assert warmup_steps(beta) == steps
    assert 1 - beta**steps >= 0.9 and (steps == 1 or 1 - beta ** (steps - 1) < 0.9)


def test_stream_caption_agrees_with_the_readout_and_the_averages():
    for beta in (0.0, 0.5, 0.9, 0.99):
        for correction in (True, False):
            result = compute_stream(StreamSettings(beta=beta, bias_correction=correction))
            values = {key: text for key, (_, text) in stream_readout(result).items()}
            caption = "\n".join(stream_caption(result))
            assert f"β = {values['beta']} " in caption
            assert f"Here m₁₀ = {values['m_10']}." in caption
            assert f"it takes {values['warmup']} steps" in caption
            assert values["m_10"] == f"{result.m[9]:.3f}" and values["m_hat_10"] == f"{result.m_hat[9]:.3f}"
            assert f"{float(values['weight_10']):.3f}μ at t = 10" in caption
            assert result.m_hat[0] == pytest.approx(result.g[0], rel=1e-12)  # corrected: unbiased from step 1
            assert ("Bias correction on" in caption) == correction
            if correction:
                assert f"m̂₁₀ = {values['m_hat_10']}." in caption


def test_moving_average_explorer_follows_its_controls():
    explorer = MovingAverageExplorer()
    explorer.controls["beta"].value = 0.99
    assert explorer.readout_values()["warmup"] == "230"
    explorer.controls["bias_correction"].value = False
    assert "m_hat" not in explorer.figure.lines  # not drawn, and not in the legend
    legend = [text.get_text() for text in explorer.figure.ax.get_legend().get_texts()]
    assert not any("corrected" in label for label in legend) and any("EMA" in label for label in legend)
    assert "Bias correction off" in explorer.caption_text()
    background = explorer.figure.canvas.background_draws
    explorer.controls["beta"].value = 0.5  # only the lines move
    assert explorer.figure.canvas.background_draws == background
    explorer.controls["noise"].value = 1.0  # a new stream: a new background
    assert explorer.figure.canvas.background_draws == background + 1
    cells = dict(re.findall(r'<td data-key="([^"]+)">([^<]*)</td>', explorer.readout.value))
    assert cells == explorer.readout_values()
    assert len(explorer.snapshot().axes) == 1
    with pytest.raises(ValueError, match="'beta' parameter"):
        explorer.set(beta=1.0)
