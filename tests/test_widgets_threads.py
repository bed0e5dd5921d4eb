"""The explorers under concurrent widget messages, and the messages they send to the browser.

ipykernel 7 may run a widget message's handler on a subshell thread while a button click or a cell runs
on the main thread. These tests start two writers at once (a barrier lines them up) and slow the drawing
down, so that two updates would overlap if nothing serialised them; then they check that at most one
update drew at a time and that the pictures, caption and readout are those of the last settings.
"""

from __future__ import annotations

import io
import threading
import time
from datetime import datetime, timezone

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
from ipywidgets import Dropdown
from PIL import Image

from adam_edu.functions import get_function
from adam_edu.widgets import MovingAverageExplorer, Playground
from adam_edu.widgets.captions import caption_lines, readout_values
from adam_edu.widgets.explorer import NOT_RUN_TEXT, browser_time
from adam_edu.widgets.settings import PRESETS, compute
from adam_edu.widgets.stream import StreamFigure, compute_stream
from adam_edu.widgets.views import PlaygroundFigures

DRAW_DELAY_S = 0.05  # long enough that two unserialised updates overlap, short enough for a fast test


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _differing_fraction(a: bytes, b: bytes) -> float:
    pa, pb = _pixels(a), _pixels(b)
    return 1.0 if pa.shape != pb.shape else float(np.any(pa != pb, axis=-1).mean())


class OverlapMeter:
    """Wraps a drawing method: counts how many calls ran at once, at most, and slows each one down."""

    def __init__(self, method):
        self.method, self.active, self.most, self.calls = method, 0, 0, 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self._lock:
            self.active += 1
            self.calls += 1
            self.most = max(self.most, self.active)
        try:
            time.sleep(DRAW_DELAY_S)
            return self.method(*args, **kwargs)
        finally:
            with self._lock:
                self.active -= 1


def _at_once(*actions) -> list[BaseException]:
    """Run the actions on their own threads, released together; return what they raised."""
    barrier, errors = threading.Barrier(len(actions)), []

    def run(action):
        barrier.wait()
        try:
            action()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an update never finished (deadlock?)"
    return errors


def _assert_shows_its_settings(pg: Playground) -> None:
    """The pictures, caption and readout are a clean render of the settings the controls show."""
    settings = pg.settings
    assert pg.result.settings == settings
    clean = compute(settings)
    paths, losses = PlaygroundFigures().update(clean)
    assert _differing_fraction(pg.paths_image.value, paths) < 1e-3
    assert _differing_fraction(pg.losses_image.value, losses) < 1e-3
    assert pg.caption_text() == "\n".join(caption_lines(clean))
    assert pg.readout_values() == {key: text for key, (_, text) in readout_values(clean).items()}


@pytest.mark.parametrize(("first", "second"), [("defaults", "Reddi's counterexample"), ("rotated quadratic", None)])
def test_a_preset_and_a_function_change_at_once_draw_one_at_a_time(first, second):
    pg = Playground()
    meter = OverlapMeter(pg.figures.update)
    pg.figures.update = meter
    other = (
        (lambda: pg.apply_preset(second)) if second else (lambda: setattr(pg.controls["function"], "value", "beale"))
    )
    errors = _at_once(lambda: pg.apply_preset(first), other)
    assert errors == []
    assert meter.most == 1, f"{meter.most} updates drew on the same canvases at once"
    _assert_shows_its_settings(pg)


def test_many_threads_moving_sliders_coalesce_and_the_last_settings_win():
    pg = Playground(optimizers=("SGD", "Adam"))
    meter = OverlapMeter(pg.figures.update)
    pg.figures.update = meter
    before = pg.updates
    moves = [lambda lr=lr: setattr(pg.controls["lr"], "value", lr) for lr in (0.01, 0.02, 0.03, 0.04, 0.05, 0.06)]
    assert _at_once(*moves) == []
    assert meter.most == 1
    assert 1 <= pg.updates - before <= len(moves)  # coalesced: fewer renders than requests are allowed
    _assert_shows_its_settings(pg)


def test_set_returns_after_a_render_of_its_own_settings_even_while_another_thread_draws():
    pg = Playground(optimizers=("Adam",))
    meter = OverlapMeter(pg.figures.update)
    pg.figures.update = meter
    seen = {}

    def set_and_look(lr):
        pg.set(lr=lr)
        seen[lr] = pg.result.settings.lr  # the render set() waited for read these controls, or later ones

    assert _at_once(lambda: set_and_look(0.02), lambda: set_and_look(0.03)) == []
    assert meter.most == 1
    assert set(seen.values()) <= {0.02, 0.03} and pg.result.settings.lr in (0.02, 0.03)


def test_a_render_that_raises_does_not_block_the_next_update():
    pg = Playground(optimizers=("Adam",))
    original = pg.figures.update

    def broken(result):
        raise RuntimeError("drawing failed")

    pg.figures.update = broken
    with pytest.raises(RuntimeError, match="drawing failed"):
        pg.set(lr=0.02)
    pg.figures.update = original
    pg.set(lr=0.03)  # would wait for ever if the failed render had left the explorer "drawing"
    assert pg.result.settings.lr == 0.03


def test_moving_average_explorer_draws_one_at_a_time():
    explorer = MovingAverageExplorer()
    meter = OverlapMeter(explorer.figure.update)
    explorer.figure.update = meter
    errors = _at_once(
        lambda: explorer.set(beta=0.999, steps=3000),
        lambda: setattr(explorer.controls["bias_correction"], "value", False),
        lambda: setattr(explorer.controls["noise"], "value", 1.5),
    )
    assert errors == [] and meter.most == 1
    settings = explorer.settings
    assert explorer.result.settings == settings
    assert _differing_fraction(explorer.image.value, StreamFigure().update(compute_stream(settings))) < 1e-3


# ------------------------------------------------------------------------------ messages to the browser
class Sent:
    """Records the state messages a widget sends (what the browser would receive)."""

    def __init__(self, widget):
        self.states: list[dict] = []
        widget._send = lambda msg, buffers=None: self.states.append(dict(msg.get("state", {})))


def test_a_new_function_sends_each_start_slider_its_range_and_value_in_one_message():
    """A browser that gets min, max and value in separate messages clamps the old value to the new range
    and echoes it back, so the new function would start from a clamped old point."""
    pg = Playground()
    sent = {name: Sent(pg.controls[name]) for name in ("x0", "y0")}
    updates = pg.updates
    pg.controls["function"].value = "rosenbrock"  # what the browser's dropdown does
    assert pg.updates == updates + 1
    start = get_function("rosenbrock").start
    for name, expected in zip(("x0", "y0"), start, strict=True):
        changes = [state for state in sent[name].states if state]
        assert len(changes) == 1, f"{name} sent {len(changes)} messages: {changes}"
        assert changes[0]["value"] == pytest.approx(expected)
        assert {"min", "max"} <= set(changes[0])
    assert pg.settings.start_point == pytest.approx(start)
    # The browser echoes the values it was sent: nothing changes, so nothing updates.
    for name, value in zip(("x0", "y0"), start, strict=True):
        pg.controls[name].set_state({"value": value})
    assert pg.updates == updates + 1


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_preset_sends_each_control_at_most_one_message(name):
    pg = Playground()
    sent = {key: Sent(control) for key, control in pg.controls.items()}
    pg.apply_preset(name)
    for key, recorder in sent.items():
        assert len([state for state in recorder.states if state]) <= 1, (key, recorder.states)


def test_the_1d_problem_hides_the_second_start_slider():
    pg = Playground()
    pg.apply_preset("Reddi's counterexample")
    assert pg.controls["y0"].layout.display == "none"
    others = [control for name, control in pg.controls.items() if name != "y0"]
    assert all(control.layout.display != "none" for control in others)  # seen: a shared Layout hid them all
    assert len({id(control.layout) for control in pg.controls.values()}) == len(pg.controls)
    pg.apply_preset("defaults")
    assert pg.controls["y0"].layout.display is None


# ------------------------------------------------------------------------------ before the cell runs
@pytest.mark.parametrize("cls", [Playground, MovingAverageExplorer])
def test_a_saved_notebook_shows_a_sentence_not_the_widget_repr(cls):
    explorer = cls()
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == NOT_RUN_TEXT.format(name=explorer.display_name)
    assert "run this cell" in bundle["text/plain"] and "VBox" not in bundle["text/plain"]


# ------------------------------------------------------------------------------ history-free pictures
def test_panels_after_any_sequence_of_changes_equal_a_fresh_render():
    """What the browser test compares: after a walk through presets, functions and sliders, each panel is
    the picture a new figure draws for the same settings (no axes limits or layout kept from before)."""
    pg = Playground()
    rng = np.random.default_rng(11)
    walk = [
        lambda: pg.apply_preset(str(rng.choice(list(PRESETS)))),
        lambda: pg.set(function=str(rng.choice(["quadratic", "rosenbrock", "beale", "saddle", "himmelblau"]))),
        lambda: pg.set(lr=float(10 ** rng.uniform(-3, -0.5))),
        lambda: pg.set(steps=int(rng.integers(1, 30)) * 10),
        lambda: pg.set(
            optimizers=tuple(rng.choice(["SGD", "Momentum", "RMSProp", "Adam", "AMSGrad"], 2, replace=False))
        ),
    ]
    worst = 0.0
    for k in range(15):  # three times through the walk
        walk[k % len(walk)]()
        paths, losses = PlaygroundFigures().update(compute(pg.settings))
        worst = max(
            worst, _differing_fraction(pg.paths_image.value, paths), _differing_fraction(pg.losses_image.value, losses)
        )
    assert worst < 1e-3, f"a panel differed from a fresh render in {worst:.2%} of its pixels"


@pytest.mark.parametrize(
    ("name", "echo"),
    [("beta1", 0.9000000000000001), ("lr", 0.09772372209558111), ("y0", 1.4999999999999991)],
)
def test_a_value_the_browser_echoes_back_snapped_to_its_grid_does_not_redraw(name, echo):
    """Seen in Chromium: after a preset the sliders sent back 0.9000000000000001 for 0.9, the lr one bit off,
    and y = 1.4999999999999991 for 1.5, each a second update for one click."""
    pg = Playground()
    if name == "y0":
        pg.apply_preset("no bias correction, β₂ = 0.999")  # Beale starts at (1, 1.5)
    updates = pg.updates
    pg.controls[name].set_state({"value": echo})  # what the browser's message does
    assert pg.updates == updates
    pg.controls[name].set_state({"value": echo * 0.9})  # a real move still updates
    assert pg.updates == updates + 1


# ------------------------------------------------------------------------------ browser order
def _message(sent: float, data: dict) -> dict:
    return {"header": {"date": datetime.fromtimestamp(sent, tz=timezone.utc)}, "content": {"data": data}, "buffers": []}


def _click(pg: Playground, preset: str, sent: float) -> None:
    button = pg.preset_buttons[preset]
    pg._receive(button, _message(sent, {"method": "custom", "content": {"event": "click"}}))


def _choose(pg: Playground, name: str, value, sent: float) -> None:
    """What the browser sends: a slider's new value, or a dropdown's new index."""
    control = pg.controls[name]
    if isinstance(control, Dropdown):
        state = {"index": [key for _, key in control.options].index(value)}
    else:
        state = {"value": value}
    pg._receive(control, _message(sent, {"method": "update", "state": state}))


@pytest.mark.parametrize("handled", ["in order", "reversed"])
def test_actions_end_as_the_browser_sent_them_whatever_order_the_kernel_handles_them(handled):
    """Seen with ipykernel 7.4: a lesson click (main thread) sent before a change of function (subshell
    thread) was handled after it, and undid it. Replayed by send time, the function change wins."""
    pg = Playground()
    click = lambda: _click(pg, "Reddi's counterexample", sent=100.0)  # noqa: E731
    change = lambda: _choose(pg, "function", "rosenbrock", sent=100.3)  # noqa: E731
    for action in (click, change) if handled == "in order" else (change, click):
        action()
    preset = PRESETS["Reddi's counterexample"].settings
    expected = preset.replace(function="rosenbrock", start=get_function("rosenbrock").start)
    assert pg.settings == expected
    _assert_shows_its_settings(pg)


def test_a_late_slider_message_is_overwritten_by_the_later_one_already_applied():
    pg = Playground(optimizers=("Adam",))
    _choose(pg, "lr", 0.03, sent=200.5)
    _choose(pg, "lr", 0.02, sent=200.2)  # sent first, handled second
    assert pg.settings.lr == 0.03
    pg.set(lr=0.05)  # from Python: no message, no reordering
    assert pg.settings.lr == 0.05


def test_browser_time_reads_datetimes_and_iso_strings():
    assert browser_time({"header": {"date": "2026-12-01T22:51:24.500Z"}}) == pytest.approx(
        datetime(2026, 12, 1, 22, 51, 24, 500000, tzinfo=timezone.utc).timestamp()
    )
    assert browser_time({"header": {}}) is None and browser_time({"header": {"date": "yesterday"}}) is None
