"""The explorers as a student meets them: JupyterLab runs notebooks/playground.ipynb and Chromium drives every control.

One browser, one run of the notebook. Before it runs, the saved outputs of the two widget cells must not
show ipywidgets' raw ``VBox(children=...`` text. Then, for every action in :data:`PLAYGROUND_ACTIONS` and
:data:`STREAM_ACTIONS` (a key on a focused slider handle, a mouse drag, a click on the switch or a lesson
button, a choice in a list, and a burst of three without waiting), the test waits until the explorer's
readout, caption and images have not changed for :data:`QUIET_MS` and records what the page shows. The
test keeps its own model of the settings: each action says how it changes them. After the browser has
closed it checks every recorded state:

(a) the readout's cells and the controls themselves show the modelled settings (a new function starts at
    its own default start point); (b) ``data-settings``, the settings the kernel rendered, equal the model
    (floats to 1e-9, relative); (c) ``data-update`` rose by exactly one (a burst, or a drag that sends values
    while it moves: at least one); (d) each picture equals a clean render of ``data-settings`` in this
    process (at most :data:`MAX_DIFFERING` of the pixels differ by more than :data:`PIXEL_TOLERANCE` of 255);
    (e) the caption equals the clean render's and its claims agree with the readout (the setup sentence, the
    lowest final loss, the online end points).

The first view of each explorer (as Run All left it) is checked the same way against the notebook's
defaults, except for its update count, which is only reported. In every state every control and picture
shows, except the θ₂ slider in the 1D mode (a key meant for a hidden slider is not pressed: it would go to
JupyterLab). Also checked: the optimizer list shows all its rows, the function list's longest name fits
its box, no error in the browser console, no traceback in the server log (the kernel's stderr goes there)
and no stderr output in the notebook. The time from each action to the last
change of its pictures is printed and written to ``report.json`` (median and worst); only a settle later
than :data:`HANG_GUARD_MS` fails, as a hang. Screenshots of each state, the report and the server log go to
``test-artifacts/browser_playground/``.

Needs Debian's Chromium (``apt-get install -y chromium``) and the ``playwright`` pip package (its own
browser download is never used: ``playwright install`` is not needed). Without them the test is skipped.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import math
import re
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright pip package is not installed (pip install playwright)"
)
pytest.importorskip("jupyterlab", reason="JupyterLab is not installed (pip install -e '.[lab]')")

from browser_support import (  # noqa: E402  (after the skips: needs nothing optional itself)
    CHROMIUM,
    CHROMIUM_ARGS,
    MARK,
    PROBES,
    READ_PROBE,
    READ_STATE,
    ROOT,
    decode,
    jupyterlab_server,
    pixel_difference,
    run_all,
    wait_settled,
)

if not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)

from adam_edu.functions import get_function  # noqa: E402
from adam_edu.widgets.captions import caption_lines, readout_values  # noqa: E402
from adam_edu.widgets.settings import FUNCTION_LABELS, OPTIMIZERS, PRESETS, PlaygroundSettings, RaceResult, compute  # noqa: E402
from adam_edu.widgets.stream import StreamFigure, StreamSettings, compute_stream, stream_caption, stream_readout  # noqa: E402
from adam_edu.widgets.views import PlaygroundFigures  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "playground.ipynb"
ARTIFACTS = ROOT / "test-artifacts" / "browser_playground"

QUIET_MS = 1000.0  # nothing the explorer shows changed for this long: the action has settled
SETTLE_BUDGET_MS = 500.0  # the goal for action -> settled pictures; reported against, not asserted
HANG_GUARD_MS = 5000.0  # pictures still changing this long after an action: a hang, and a failure
PIXEL_TOLERANCE = 8  # of 255: a channel difference below this is not counted as a differing pixel
MAX_DIFFERING = 0.005  # at most this fraction of a picture's pixels may differ from the clean render
REL = 1e-9  # floats of data-settings against the model


# ------------------------------------------------------------------------------------ the explorers
@dataclasses.dataclass(frozen=True)
class Explorer:
    """Where an explorer lives in the page and how this test renders and reads it."""

    key: str  # its root element's class
    images: tuple[str, ...]  # its picture elements' classes
    settings_type: type
    parts: tuple[str, ...]  # the classes of what a student sees and uses: controls and pictures

    @property
    def selector(self) -> str:
        return "." + self.key


_PLAYGROUND_CONTROLS = ("function", "optimizers", "lr", "beta1", "beta2", "eps", "bias-correction", "steps", "x0", "y0")
PLAYGROUND = Explorer(
    "adam-edu-playground",
    ("adam-edu-paths", "adam-edu-losses"),
    PlaygroundSettings,
    (*(f"adam-edu-{name}" for name in _PLAYGROUND_CONTROLS), "adam-edu-paths", "adam-edu-losses"),
)
STREAM = Explorer(
    "adam-edu-moving-average",
    ("adam-edu-ma-plot",),
    StreamSettings,
    tuple(f"adam-edu-ma-{name}" for name in ("beta", "bias-correction", "mean", "noise", "steps", "plot")),
)


# -------------------------------------------------------------------------------- what a student does
@dataclasses.dataclass(frozen=True)
class Step:
    """One thing a student does in the page; ``run(root)`` does it (``root``: the explorer's locator) and
    returns what it needs to tell the model (a drag: the value its handle ended at), else None."""

    text: str
    run: Callable
    focus: Callable | None = None  # done before the action's clock starts (focusing a handle)


def _control(root, name: str):
    return root.locator(f".{name}")


def press(control: str, key: str) -> Step:
    """A key on the focused handle of a slider (noUiSlider: arrows move one step, Home/End to the ends).

    A hidden handle cannot take the focus, and the key would go to JupyterLab (an arrow on a heading cell
    folds it): then nothing is pressed, and the step says so.
    """
    handle = lambda root: _control(root, control).locator(".noUi-handle")  # noqa: E731

    def run(root):
        if not handle(root).is_visible():
            return {"not_done": f"the {control} slider is hidden: its handle cannot take the focus"}
        handle(root).press(key)
        return None

    return Step(f"{key} on {control}", run, focus=lambda root: handle(root).is_visible() and handle(root).focus())


def click(control: str, target: str = "input[type=checkbox]") -> Step:
    return Step(f"click {control}", lambda root: _control(root, control).locator(target).click())


def lesson(name: str) -> Step:
    button = lambda root: root.locator(".adam-edu-preset").filter(has_text=re.compile(f"^{re.escape(name)}$"))  # noqa: E731
    return Step(f"lesson '{name}'", lambda root: button(root).click())


def choose_function(name: str) -> Step:
    index = list(FUNCTION_LABELS).index(name)  # option labels show spaces as no-break spaces: pick by position
    choose = lambda root: _control(root, "adam-edu-function").locator("select").select_option(index=index)  # noqa: E731
    return Step(f"function -> {name}", choose)


def choose_optimizers(names: tuple[str, ...]) -> Step:
    return Step(
        f"optimizers -> {', '.join(names)}",
        lambda root: _control(root, "adam-edu-optimizers").locator("select").select_option(label=list(names)),
    )


def drag(control: str, dx: float, moves: int = 10) -> Step:
    """Drag a slider's handle ``dx`` pixels with the mouse; returns the exponent or value its handle shows
    (``aria-valuetext``), after checking it against where the pointer was released."""

    def run(root):
        page = root.page
        slider = _control(root, control)
        handle, base = slider.locator(".noUi-handle"), slider.locator(".noUi-base")
        box, track = handle.bounding_box(), base.bounding_box()
        low, high = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax"))
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y, steps=moves)
        page.mouse.up()
        shown = float(handle.get_attribute("aria-valuetext"))
        aimed = low + (high - low) * (x + dx - track["x"]) / track["width"]
        return {"shown": shown, "aimed": aimed, "span": high - low}

    return Step(f"drag {control} by {dx:+g} px", run)


# ----------------------------------------------------------------------------- what the model expects
@dataclasses.dataclass(frozen=True)
class Action:
    """What a student does (one step, or several without waiting: a burst) and how the settings change.

    ``expect(model, seen)`` returns the settings after the action; ``seen`` is what the last step returned.
    ``one_update``: True, exactly one update; False, at least one (a burst, a drag); None, not checked (the
    first view, which no action caused).
    """

    label: str
    steps: tuple[Step, ...]
    expect: Callable | None
    one_update: bool | None = True


def change(**fields) -> Callable:
    """The settings with some fields changed; ``x0``/``y0`` change one coordinate of the start point."""

    def expect(model, seen=None):
        if "x0" in fields or "y0" in fields:
            x, y = model.start_point
            fields_ = {k: v for k, v in fields.items() if k not in ("x0", "y0")}
            return model.replace(start=(fields.get("x0", x), fields.get("y0", y)), **fields_)
        return model.replace(**fields)

    return expect


def default_start(name: str) -> tuple[float, float]:
    """Where a function's runs start unless told otherwise: its own start point; Reddi's online problem at x₀ = 0."""
    return (0.0, 0.0) if name == "reddi" else tuple(float(c) for c in get_function(name).start)


def new_function(name: str) -> Callable:
    """A new function starts from its own default point, whatever the start sliders showed before."""
    return lambda model, seen=None: model.replace(function=name, start=default_start(name))


def preset(name: str) -> Callable:
    """A lesson's settings, starting from its function's default point."""
    settings = PRESETS[name].settings
    return lambda model, seen=None: settings.replace(start=settings.start or default_start(settings.function))


def lr_from_handle(model, seen):
    return model.replace(lr=10 ** round(seen["shown"], 2))


def lesson_tour(names: list[str]) -> list[str]:
    """A walk through the lessons that takes every ordered pair (a, b), a != b, once: an Eulerian circuit
    of the complete directed graph, found greedily (Hierholzer's algorithm)."""
    unused = {a: [b for b in names if b != a] for a in names}
    stack, tour = [names[0]], []
    while stack:
        if unused[stack[-1]]:
            stack.append(unused[stack[-1]].pop(0))
        else:
            tour.append(stack.pop())
    tour.reverse()
    pairs = set(itertools.pairwise(tour))
    assert len(pairs) == len(names) * (len(names) - 1) == len(tour) - 1, tour
    return tour


def _playground_actions() -> list[Action]:
    actions = [
        Action("lr key", (press("adam-edu-lr", "ArrowRight"),), change(lr=10**-1.00)),  # 10^-1.01 -> 10^-1.00
        Action("beta1 key", (press("adam-edu-beta1", "ArrowLeft"),), change(beta1=0.89)),
        Action("beta2 key", (press("adam-edu-beta2", "ArrowLeft"),), change(beta2=0.995)),  # one choice down
        Action("eps key", (press("adam-edu-eps", "ArrowRight"),), change(eps=1e-7)),
        Action("steps key", (press("adam-edu-steps", "ArrowRight"),), change(steps=210)),
        Action("x0 key", (press("adam-edu-x0", "ArrowRight"),), change(x0=-4.99)),
        Action("y0 key", (press("adam-edu-y0", "ArrowLeft"),), change(y0=1.99)),
        Action("lr drag", (drag("adam-edu-lr", -30),), lr_from_handle, one_update=False),
        Action("correction off", (click("adam-edu-bias-correction"),), change(bias_correction=False)),
        Action(
            "optimizers four",
            (choose_optimizers(("SGD", "Adam", "AMSGrad", "RAdam")),),
            change(optimizers=("SGD", "Adam", "AMSGrad", "RAdam")),
        ),
        Action("correction on", (click("adam-edu-bias-correction"),), change(bias_correction=True)),
    ]
    for name in lesson_tour(list(PRESETS)):
        actions.append(Action(f"lesson {name}", (lesson(name),), preset(name)))
    # The tour ends on the defaults (the quadratic); now every function in turn, back to the quadratic,
    # with a key on the 1D problem's x₀ slider while it is shown.
    for name in [*FUNCTION_LABELS][1:]:
        actions.append(Action(f"function {name}", (choose_function(name),), new_function(name)))
        if name == "reddi":
            actions.append(Action("x0 key (1D)", (press("adam-edu-x0", "ArrowRight"),), change(x0=0.01)))
    actions += [
        Action("function quadratic", (choose_function("quadratic"),), new_function("quadratic")),
        Action("optimizers all", (choose_optimizers(tuple(OPTIMIZERS)),), change(optimizers=tuple(OPTIMIZERS))),
        Action(
            "burst",  # two lessons and a function, without waiting: the last wins
            (lesson("rotated quadratic"), lesson("Reddi's counterexample"), choose_function("rosenbrock")),
            lambda model, seen=None: PRESETS["Reddi's counterexample"].settings.replace(
                function="rosenbrock", start=default_start("rosenbrock")
            ),
            one_update=False,
        ),
        Action("steps key after burst", (press("adam-edu-steps", "ArrowLeft"),), change(steps=2990)),
    ]
    return actions


PLAYGROUND_ACTIONS = _playground_actions()

STREAM_ACTIONS = [
    Action("ma beta key", (press("adam-edu-ma-beta", "ArrowRight"),), change(beta=0.901)),
    Action("ma correction off", (click("adam-edu-ma-bias-correction"),), change(bias_correction=False)),
    Action("ma mean key", (press("adam-edu-ma-mean", "ArrowRight"),), change(mean=1.1)),
    Action("ma noise key", (press("adam-edu-ma-noise", "ArrowLeft"),), change(noise=0.4)),
    Action("ma steps key", (press("adam-edu-ma-steps", "ArrowRight"),), change(steps=110)),
    Action("ma steps end", (press("adam-edu-ma-steps", "End"),), change(steps=5000)),
    Action("ma beta end", (press("adam-edu-ma-beta", "End"),), change(beta=0.999)),  # Adam's beta2
    Action("ma correction on", (click("adam-edu-ma-bias-correction"),), change(bias_correction=True)),
]


# ------------------------------------------------------------------------------------- in the browser
def _update_count(page, explorer: Explorer) -> int:
    return page.evaluate(
        "(s) => Number(document.querySelector(s).querySelector('.adam-edu-readout-table').dataset.update)",
        explorer.selector,
    )


def _read(page, explorer: Explorer) -> dict:
    return page.evaluate(READ_STATE, [explorer.selector, list(explorer.images)])


def _perform(page, explorer: Explorer, action: Action, model, number: int) -> tuple[dict, object]:
    """Do one action, wait until it settled, and record what the page shows; returns (record, new model)."""
    root = page.locator(explorer.selector)
    before = _update_count(page, explorer)
    if action.steps[0].focus is not None:
        action.steps[0].focus(root)  # before the clock starts: a student's handle has the focus already
    page.evaluate(MARK, explorer.key)
    seen = None
    for i, step in enumerate(action.steps):
        if i and step.focus is not None:
            step.focus(root)
        seen = step.run(root)
    if isinstance(seen, dict) and "not_done" in seen:  # nothing was sent: do not wait for an update
        probe = {**page.evaluate(READ_PROBE, explorer.key), "settled": False}
    else:
        probe = wait_settled(page, explorer.key, before, QUIET_MS, timeout_s=HANG_GUARD_MS / 1e3 + 3.0)
    expected = action.expect(model, seen)
    return _record(page, explorer, action, number, before, probe, seen, expected), expected


def _record(page, explorer: Explorer, action: Action, number: int, before: int, probe: dict, seen, expected) -> dict:
    """What the page shows now, with the action's timings and the settings the model expects; saves a screenshot."""
    state = _read(page, explorer)
    shot = ARTIFACTS / f"{number:02d}_{re.sub(r'[^A-Za-z0-9]+', '_', action.label).strip('_')}.png"
    page.locator(explorer.selector).screenshot(path=str(shot))
    plots = probe["plots"] or [t for t, _ in probe["changes"]]
    return {
        "number": number,
        "explorer": explorer.key,
        "action": action.label,
        "did": [step.text for step in action.steps],
        "seen": seen,
        "one_update": action.one_update,
        "update_before": before,
        "update_after": state["update"],
        "updates_seen": probe["updates"],  # every readout the page showed: (ms after the action, update, settings)
        "settled": probe["settled"],
        "first_plot_ms": round(min(plots) - probe["mark"], 1) if plots else None,
        "settled_ms": round(max(plots) - probe["mark"], 1) if plots else None,
        "expected": dataclasses.asdict(expected),
        "state": state,
        "screenshot": shot.name,
    }


def _first_view(page, explorer: Explorer, number: int) -> dict:
    """The explorer as Run All left it: the notebook's defaults, however many updates its display took."""
    probe = {"mark": 0.0, "changes": [], "plots": [], "updates": [], "settled": True}
    first = Action("first view", (), None, one_update=None)
    return _record(page, explorer, first, number, 0, probe, None, _initial_model(explorer))


def _legibility(page) -> dict:
    """The optimizer list's rows against its box; the function list's longest name against its box."""
    return page.evaluate(
        """() => {
          const root = document.querySelector('.adam-edu-playground');
          const list = root.querySelector('.adam-edu-optimizers select');
          const menu = root.querySelector('.adam-edu-function select');
          const context = document.createElement('canvas').getContext('2d');
          const style = getComputedStyle(menu);
          context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          const widths = [...menu.options].map(o => [o.text, context.measureText(o.text).width]);
          widths.sort((a, b) => b[1] - a[1]);
          return { list_rows: list.options.length, list_scroll_height: list.scrollHeight,
                   list_client_height: list.clientHeight, menu_font: context.font,
                   menu_longest: widths[0][0], menu_longest_px: widths[0][1], menu_client_width: menu.clientWidth };
        }"""
    )


def _saved_widget_outputs(page) -> dict:
    """What the two widget cells show before they run (their saved outputs)."""
    shown = {}
    for cell in page.locator(".jp-CodeCell").all():
        source = cell.locator(".jp-InputArea").inner_text()
        for name in ("Playground()", "MovingAverageExplorer()"):
            if name in source:
                shown[name] = cell.locator(".jp-OutputArea").inner_text()
    return shown


# ------------------------------------------------------------------------------------------ the checks
def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=REL * 1e-3)


def _settings_differences(rendered: dict, expected: dict) -> list[str]:
    wrong = []
    for key, want in expected.items():
        got = rendered.get(key)
        if isinstance(want, bool) or isinstance(want, str) or want is None:
            ok = got == want
        elif isinstance(want, list | tuple):
            ok = isinstance(got, list) and len(got) == len(want)
            ok = ok and all(g == w if isinstance(w, str) else _close(g, w) for g, w in zip(got, want, strict=True))
        else:
            ok = got is not None and _close(float(got), float(want))
        if not ok:
            wrong.append(f"{key}: rendered {got!r}, requested {want!r}")
    return wrong


def _number(text: str) -> float:
    text = text.replace("−", "-").strip()
    return math.inf if text == "diverged" else float(text)


#: Each slider: (model field, the format its readout uses, rewritten in Python) for a readout check.
PLAYGROUND_SLIDERS = {
    "adam-edu-lr": ("lr", ".3g"),
    "adam-edu-beta1": ("beta1", ".2f"),
    "adam-edu-beta2": ("beta2", "g"),
    "adam-edu-eps": ("eps", ".0e"),
    "adam-edu-steps": ("steps", "d"),
    "adam-edu-x0": ("x0", ".2f"),
    "adam-edu-y0": ("y0", ".2f"),
}
STREAM_SLIDERS = {
    "adam-edu-ma-beta": ("beta", ".3f"),
    "adam-edu-ma-mean": ("mean", ".2f"),
    "adam-edu-ma-noise": ("noise", ".2f"),
    "adam-edu-ma-steps": ("steps", "d"),
}


def _control_differences(record: dict, explorer: Explorer, model) -> list[str]:
    """The controls themselves (slider readouts, switch, lists) against the model."""
    controls, wrong = record["state"]["controls"], []
    sliders = PLAYGROUND_SLIDERS if explorer is PLAYGROUND else STREAM_SLIDERS
    for name, (field, spec) in sliders.items():
        if field in ("x0", "y0"):
            value = model.start_point[field == "y0"]
            if field == "y0" and model.online:
                continue  # hidden; checked below
        else:
            value = getattr(model, field)
        shown = controls.get(name, {}).get("readout")
        if shown is None or not math.isclose(_number(shown), float(format(value, spec)), rel_tol=1e-9, abs_tol=1e-12):
            wrong.append(f"slider {name} shows {shown!r}, the model has {value!r}")
    switch = "adam-edu-bias-correction" if explorer is PLAYGROUND else "adam-edu-ma-bias-correction"
    if controls.get(switch, {}).get("checked") != model.bias_correction:
        wrong.append(f"switch {switch} is {controls.get(switch)}, the model has {model.bias_correction}")
    if explorer is PLAYGROUND:
        shown = controls.get("adam-edu-function", {}).get("selected")
        if shown != [FUNCTION_LABELS[model.function]]:
            wrong.append(f"function list shows {shown}, the model has {FUNCTION_LABELS[model.function]!r}")
        shown = controls.get("adam-edu-optimizers", {}).get("selected")
        if shown != list(model.optimizers):
            wrong.append(f"optimizer list shows {shown}, the model has {list(model.optimizers)}")
    # Every control and picture shows, except the θ₂ slider in the 1D mode.
    shown = {name for name, control in controls.items() if control.get("visible")}
    hidden = {"adam-edu-y0"} if explorer is PLAYGROUND and model.online else set()
    if set(explorer.parts) & shown != set(explorer.parts) - hidden:
        wrong.append(
            f"hidden: {sorted(set(explorer.parts) - shown)}, expected hidden: {sorted(hidden)} ({record['expected']})"
        )
    return wrong


def _caption_claims(cells: dict, caption: list[str], online: bool) -> list[str]:
    """The caption's claims that the readout can check: the setup sentence, the winner, the end points."""
    wrong = []
    setup = caption[0] if caption else ""
    start = cells["start"] if online else f"from {cells['start']}"
    claims = [start, *(f"{symbol} = {cells[key]}" for symbol, key in (("α", "lr"), ("β₁", "beta1"), ("β₂", "beta2")))]
    claims += [f"ε = {cells['eps']}", f"{cells['steps']} steps", f"bias correction {cells['bias_correction']}"]
    for claim in claims:
        if claim not in setup:
            wrong.append(f"the caption's setup sentence lacks the readout's {claim!r}: {setup!r}")
    if online:
        for key, text in cells.items():
            if key.startswith("final_x:"):
                name = key.split(":", 1)[1]
                claim = f"{name} ends at x_T = {text} with average regret R(T)/T = {cells[f'average_regret:{name}']}"
                if not any(line.startswith(claim) for line in caption):
                    wrong.append(f"no caption line says {claim!r}")
        return wrong
    finals = {key.split(":", 1)[1]: _number(text) for key, text in cells.items() if key.startswith("final_loss:")}
    finite = {name: value for name, value in finals.items() if math.isfinite(value)}
    claims = [
        m for line in caption if (m := re.match(r"Lowest final (?:loss f − f\*|value f): (\S+) \(([^)]+)\)", line))
    ]
    if not finite:
        if claims:
            wrong.append(f"the caption names a lowest final loss, but every run diverged: {claims[0].group(0)!r}")
    elif len(claims) != 1:
        wrong.append(f"the caption should name the lowest final loss once: {caption}")
    else:
        name, value = claims[0].group(1), claims[0].group(2)
        if finite.get(name) != min(finite.values()) or value != cells.get(f"final_loss:{name}"):
            wrong.append(f"the caption says the lowest final loss is {name} ({value}); the readout has {finals}")
    return wrong


def _stream_claims(cells: dict, caption: list[str]) -> list[str]:
    text = " ".join(caption)
    claims = (f"β = {cells['beta']}", f"over {cells['steps']} steps", f"it takes {cells['warmup']} steps",
              f"Here m₁₀ = {cells['m_10']}", f"μ = {cells['mean']}", f"σ = {cells['noise']}")  # fmt: skip
    return [f"the caption lacks the readout's {claim!r}" for claim in claims if claim not in text]


@functools.cache
def _clean_render(explorer: Explorer, settings) -> tuple[dict, list[str], dict]:
    """Pictures, caption and readout of ``settings`` drawn from scratch in this process (kept: lessons repeat)."""
    if explorer is PLAYGROUND:
        result = compute(settings)
        paths, losses = PlaygroundFigures().update(result)
        cells = {key: text for key, (_label, text) in readout_values(result).items()}
        return {"adam-edu-paths": paths, "adam-edu-losses": losses}, caption_lines(result), cells
    result = compute_stream(settings)
    cells = {key: text for key, (_label, text) in stream_readout(result).items()}
    return {"adam-edu-ma-plot": StreamFigure().update(result)}, stream_caption(result), cells


def _expected_cells(explorer: Explorer, model) -> dict:
    """The readout cells the model predicts without running anything: the settings part of the readout."""
    if explorer is PLAYGROUND:
        return {key: text for key, (_label, text) in readout_values(RaceResult(model, {})).items()}
    return {key: text for key, (_label, text) in stream_readout(compute_stream(model)).items()}


def _check(record: dict, explorer: Explorer) -> list[str]:
    """Every check of one recorded state; returns what failed (empty if nothing)."""
    state, failures = record["state"], []
    model = explorer.settings_type(**record["expected"])
    if isinstance(record["seen"], dict) and "not_done" in record["seen"]:
        failures.append(f"not done: {record['seen']['not_done']}")
    elif not record["settled"]:
        failures.append(f"never settled: update {record['update_before']} -> {state['update']}")
    if record["settled_ms"] is not None and record["settled_ms"] > HANG_GUARD_MS:
        failures.append(f"the pictures changed until {record['settled_ms']} ms after the action (hang guard)")
    if record["first_plot_ms"] is None and record["did"]:
        failures.append("no picture changed")
    seen = record["seen"]
    if isinstance(seen, dict) and "aimed" in seen and abs(seen["shown"] - seen["aimed"]) > 0.02 * seen["span"]:
        failures.append(f"the dragged handle shows {seen['shown']}, the pointer was released at {seen['aimed']:.3f}")
    rise = state["update"] - record["update_before"]
    if record["one_update"] is not None and (rise != 1 if record["one_update"] else rise < 1):
        seen = [(round(t), u, s) for t, u, s in record["updates_seen"]]
        failures.append(f"data-update rose by {rise} (expected {'1' if record['one_update'] else '>= 1'}): {seen}")
    # (a) readout and controls against the model
    for key, want in _expected_cells(explorer, model).items():
        if state["cells"].get(key) != want:
            failures.append(f"readout {key} shows {state['cells'].get(key)!r}, the model says {want!r}")
    failures += _control_differences(record, explorer, model)
    # (b) the settings the kernel rendered
    failures += [f"data-settings {text}" for text in _settings_differences(state["settings"], record["expected"])]
    # (d) pictures and (e) caption against a clean render of what the kernel says it rendered
    try:
        rendered = explorer.settings_type(**state["settings"])
    except (TypeError, ValueError) as error:
        return [*failures, f"data-settings do not rebuild the settings: {error}"]
    pictures, caption, cells = _clean_render(explorer, rendered)
    record["pixels"] = {}
    for name, clean in pictures.items():
        diff = pixel_difference(decode(state["pictures"][name]), clean, PIXEL_TOLERANCE)
        record["pixels"][name] = diff
        if diff["fraction"] > MAX_DIFFERING:
            failures.append(f"{name} differs from a clean render in {diff['fraction']:.2%} of its pixels: {diff}")
    if state["caption"] != caption:
        failures.append(f"caption differs from a clean render: page {state['caption']}, clean {caption}")
    if state["cells"] != cells:
        failures.append(f"readout differs from a clean render: page {state['cells']}, clean {cells}")
    if explorer is PLAYGROUND:
        failures += _caption_claims(state["cells"], state["caption"], rendered.online)
    else:
        failures += _stream_claims(state["cells"], state["caption"])
    return failures


def _initial_model(explorer: Explorer):
    """What the notebook builds: ``Playground()`` and ``MovingAverageExplorer()``, with their defaults."""
    if explorer is PLAYGROUND:
        return PlaygroundSettings().replace(start=default_start(PlaygroundSettings().function))
    return StreamSettings()


# ------------------------------------------------------------------------------------------ the test
@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with jupyterlab_server(tmp_path_factory.mktemp("lab"), NOTEBOOK) as server:
        yield server


def test_every_control_of_both_explorers_as_a_student_uses_them(lab):
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    print(f"\nbrowser test artifacts: {ARTIFACTS}")
    code_cells = sum(1 for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code")
    console_errors: list[str] = []
    report: dict = {"records": []}
    started = time.monotonic()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(f"page error: {e}"))
        try:
            page.goto(lab["url"])
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=90_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            page.wait_for_timeout(500)  # let the saved outputs render
            report["saved_widget_outputs"] = _saved_widget_outputs(page)
            page.screenshot(path=str(ARTIFACTS / "before_run.png"))
            report.update(run_all(page, code_cells))
            report["open_and_run_s"] = round(time.monotonic() - started, 2)
            number = 0
            for explorer, actions in ((PLAYGROUND, PLAYGROUND_ACTIONS), (STREAM, STREAM_ACTIONS)):
                root = page.locator(explorer.selector)
                root.wait_for(timeout=30_000)
                root.scroll_into_view_if_needed()
                page.evaluate(PROBES, [explorer.selector, explorer.key, list(explorer.images)])
                page.wait_for_timeout(QUIET_MS)
                report["records"].append(_first_view(page, explorer, number))
                if explorer is PLAYGROUND:
                    report["legibility"] = _legibility(page)
                model = _initial_model(explorer)
                for action in actions:
                    number += 1
                    record, model = _perform(page, explorer, action, model, number)
                    report["records"].append(record)
                number += 1
            stderr_outputs = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "page_failure.png"), full_page=True)
            raise
        finally:
            (ARTIFACTS / "console.txt").write_text("\n".join(console_errors))
            shutil.copy(lab["log"], ARTIFACTS / "server.log")
            browser.close()
    report["browser_s"] = round(time.monotonic() - started, 2)

    # Every check, on every recorded state, after the browser closed (so the timings above are the kernel's).
    failures: list[str] = []
    explorers = {PLAYGROUND.key: PLAYGROUND, STREAM.key: STREAM}
    for record in report["records"]:
        for text in _check(record, explorers[record["explorer"]]):
            failures.append(f"#{record['number']} {record['action']} ({'; '.join(record['did'])}): {text}")
        if record["action"] == "ma beta end" and record["state"]["cells"].get("warmup") != "2302":
            failures.append(f"#{record['number']}: β = 0.999 should need 2302 steps: {record['state']['cells']}")
    for name, text in report["saved_widget_outputs"].items():
        if "VBox(children" in text:
            failures.append(f"before it runs, the {name} cell shows ipywidgets' raw text: {text[:120]!r}")
    if len(report["saved_widget_outputs"]) != 2:
        failures.append(f"the two widget cells were not found before the run: {report['saved_widget_outputs']}")
    legibility = report["legibility"]
    if legibility["list_scroll_height"] > legibility["list_client_height"] + 1:
        failures.append(f"the optimizer list scrolls, hiding some of its {legibility['list_rows']} rows: {legibility}")
    if legibility["menu_longest_px"] > legibility["menu_client_width"] - 24:
        failures.append(f"the function list cuts off {legibility['menu_longest']!r}: {legibility}")
    server_log = Path(lab["log"]).read_text(errors="replace")
    if "Traceback" in server_log:
        failures.append(f"the server log (with the kernel's stderr) has a traceback: see {ARTIFACTS / 'server.log'}")
    if stderr_outputs:
        failures.append(f"the notebook shows stderr output: {stderr_outputs}")
    if console_errors:
        failures.append(f"browser console errors: {console_errors}")

    report.update(_summary(report["records"]))
    report["total_s"] = round(time.monotonic() - started, 2)
    report["failures"] = failures
    for record in report["records"]:
        record["state"] = {k: v for k, v in record["state"].items() if k != "pictures"}
    (ARTIFACTS / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(
        json.dumps({k: v for k, v in report.items() if k not in ("records", "failures")}, indent=2, ensure_ascii=False)
    )
    for record in report["records"]:
        pixels = " ".join(f"{k[9:]} {v['fraction']:.3%} max {v['max']}" for k, v in record.get("pixels", {}).items())
        print(
            f"#{record['number']:02d} {record['action']:<40} update {record['update_before']:>2} -> "
            f"{record['update_after']:>2}  settled {record['settled_ms']} ms  differing pixels: {pixels}"
        )
    print(
        f"action -> settled pictures: median {report['settled_ms_median']} ms, worst {report['settled_ms_worst']} ms "
        f"({report['settled_ms_worst_action']}); {len(failures)} failures; {report['total_s']} s in all"
    )
    assert not failures, "\n".join(failures)


def _summary(records: list[dict]) -> dict:
    """Median and worst time from action to settled pictures, and the largest pixel differences."""
    actions = [r for r in records if r["did"]]
    times = [r["settled_ms"] for r in actions if r["settled_ms"] is not None]
    worst = max(actions, key=lambda r: r["settled_ms"] or 0.0)
    fractions = [d["fraction"] for r in records for d in r.get("pixels", {}).values()]
    maxima = [d["max"] for r in records for d in r.get("pixels", {}).values()]
    return {
        "actions": len(actions),
        "first_view_updates": {r["explorer"]: r["update_after"] for r in records if not r["did"]},
        "settled_ms_median": round(statistics.median(times), 1) if times else None,
        "settled_ms_worst": worst["settled_ms"],
        "settled_ms_worst_action": worst["action"],
        "settled_budget_ms": SETTLE_BUDGET_MS,
        "over_budget": [r["action"] for r in actions if (r["settled_ms"] or 0.0) > SETTLE_BUDGET_MS],
        "differing_pixel_fraction_worst": max(fractions, default=None),
        "differing_pixel_fraction_median": statistics.median(fractions) if fractions else None,
        "pixel_max_difference_worst": max(maxima, default=None),
    }
