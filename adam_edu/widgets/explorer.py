"""What both explorers share: one update at a time, closing their widget tree, displaying as it.

**Threads.** ipykernel 7 may run the handlers of widget messages (a slider moved in the browser) on a
subshell thread while a button's click handler, or a cell calling ``set(...)``, runs on the main
thread. Two updates drawing on the same matplotlib canvas at once garble it (the blitted background of
one run pasted under the lines of another), so :class:`Explorer` serialises them and coalesces the
requests that arrive while one is drawing: the last settings win, and every request returns only once
an update that started after it has finished (so ``pg.set(...)`` is synchronous, on any thread).
Writes of several controls (a preset, a new function's start point) happen under the same lock, so an
update never reads half of them.

**Order.** ipykernel 7.4 hands each widget message to the thread its widget last published from: a
button's click to the main thread, a dropdown's change to a subshell thread. A click followed quickly by
a change of function can therefore be handled in the other order, and the click would undo the later
change. Each message from the browser carries the time the browser sent it; an action that arrives after
a later one has been applied is applied, and then the later ones again on top of it, so the controls end
as the student left them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import threading
from collections.abc import Callable
from datetime import datetime

import ipywidgets as widgets

#: What a notebook shows where the widget cannot be drawn: a saved copy opened before the cell runs,
#: nbviewer, an export. It replaces ipywidgets' ``VBox(children=(HBox(...`` text.
NOT_RUN_TEXT = (
    "{name}: run this cell (Shift+Enter, or Run > Run All Cells) to show its controls and plots. "
    "It needs a running Python kernel with ipywidgets."
)


#: A float control that moves by less than this (relative) was not moved by anyone: see :func:`is_echo`.
ECHO_RTOL = 1e-9


def is_echo(old, new) -> bool:
    """True for a float value that came back from the browser snapped by rounding, not moved by a student.

    A slider in the browser puts the value it is sent on its own grid (``0 + 90 * 0.01`` is
    0.9000000000000001; JavaScript's ``10 ** x`` may differ from Python's in the last bit) and sends that
    back. Redrawing for it would be a second update for one action, showing the same picture.
    """
    floats = isinstance(old, float) and isinstance(new, float)
    return floats and math.isfinite(old) and math.isclose(old, new, rel_tol=ECHO_RTOL, abs_tol=1e-12)


#: The browser's send time of the widget message being handled on this thread (None outside one).
_MESSAGE = threading.local()
#: Actions remembered for reordering: this many, over at most this many seconds of browser time.
ORDER_MEMORY, ORDER_SECONDS = 32, 10.0


def browser_time(msg: dict) -> float | None:
    """The send time in a message's header (a datetime or an ISO string), in seconds; None if it has none."""
    date = msg.get("header", {}).get("date") if isinstance(msg, dict) else None
    if isinstance(date, str):
        try:
            date = datetime.fromisoformat(date.replace("Z", "+00:00"))
        except ValueError:
            return None
    return date.timestamp() if isinstance(date, datetime) else None


def message_time() -> float | None:
    """The browser's send time of the message this thread is handling, if any."""
    return getattr(_MESSAGE, "time", None)


@dataclasses.dataclass(frozen=True)
class Action:
    """Something the student did, as a way to do it again: ``apply(explorer)`` writes the controls."""

    describe: str
    apply: Callable[[Explorer], None]


def close_widget_tree(widget: widgets.Widget) -> None:
    """Close a widget and, first, every widget inside it, with their layouts and styles."""
    for child in getattr(widget, "children", ()):
        close_widget_tree(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, widgets.Widget):
            part.close()
    widget.close()


class Explorer:
    """Base of the explorers: ``self.widget`` is the whole user interface, ``self.settings`` its current values.

    A subclass builds ``self.controls`` (name -> widget), calls :meth:`_start_updates` before it first
    writes them, implements ``settings`` and :meth:`_render` (draw one settings object), and observes
    its controls with :meth:`_on_control_change`. :attr:`updates` counts finished renders.
    """

    widget: widgets.Widget
    controls: dict[str, widgets.ValueWidget]
    #: The explorer's name in the text shown before its cell runs.
    display_name = "Interactive explorer"

    def _start_updates(self) -> None:
        self._lock = threading.Condition(threading.RLock())
        self._writing = 0  # > 0 while the thread holding the lock writes controls
        self._requested = 0  # update requests so far
        self._finished = 0  # requests served by a finished render
        self._drawing = False
        self._actions: list[tuple[float, Action]] = []  # (browser send time, action), for reordering
        self.updates = 0

    # ------------------------------------------------------------------------------- writing controls
    @contextlib.contextmanager
    def _hold(self):
        """Write several controls as one change: no update per control, one message per widget.

        Only the thread holding the lock sees ``_writing > 0``; a control moved from another thread
        meanwhile waits for the lock and then asks for an update of its own.
        """
        with self._lock, contextlib.ExitStack() as stack:
            for control in self.controls.values():
                stack.enter_context(control.hold_sync())
            self._writing += 1
            try:
                yield
            finally:
                self._writing -= 1

    def _on_control_change(self, change) -> None:
        with self._lock:
            if self._writing:  # our own write, inside _hold: the writer updates once at the end
                return
            if is_echo(change["old"], change["new"]):
                return
            name = next(key for key, control in self.controls.items() if control is change["owner"])
            self._react(change)  # the value is in the control already: only its side effects are left
            self._in_order(Action(f"{name} = {change['new']!r}", functools.partial(_write_control, name, change)))
        self.update()

    def _react(self, change) -> None:
        """Called under the lock before the update a control change asks for (a subclass may write controls)."""

    def _in_order(self, action: Action) -> None:
        """Under the lock, after ``action`` was applied: apply again the actions the browser sent after it
        (they were handled first, on another thread), then remember it. Actions from Python (no message)
        are not reordered."""
        sent = message_time()
        if sent is None:
            return
        for later_sent, later in sorted(self._actions, key=lambda pair: pair[0]):
            if later_sent > sent:
                later.apply(self)
        self._actions.append((sent, action))
        newest = max(t for t, _ in self._actions)
        self._actions = [(t, a) for t, a in self._actions if t >= newest - ORDER_SECONDS][-ORDER_MEMORY:]

    def _listen(self, widgets_) -> None:
        """Handle these widgets' messages through :meth:`_receive`, which notes the browser's send time."""
        for widget in widgets_:
            comm = getattr(widget, "comm", None)
            if comm is not None:
                comm.on_msg(functools.partial(self._receive, widget))

    def _receive(self, widget, msg: dict) -> None:
        _MESSAGE.time = browser_time(msg)
        try:
            widget._handle_msg(msg)
        finally:
            _MESSAGE.time = None

    # ------------------------------------------------------------------------------------- updating
    def update(self) -> None:
        """Redraw for the current controls; returns once a render that read them has finished."""
        with self._lock:
            self._requested += 1
            ticket = self._requested
            if self._drawing:  # another thread is drawing: it will serve this request too
                while self._finished < ticket and self._drawing:
                    self._lock.wait()
                if self._finished >= ticket:
                    return
            self._drawing = True
        try:
            while True:
                with self._lock:
                    if self._finished >= self._requested:
                        return
                    served = self._requested
                    settings = self.settings
                self._render(settings)
                with self._lock:
                    self.updates += 1
                    self._finished = served
                    self._lock.notify_all()
        finally:
            with self._lock:
                self._drawing = False
                self._lock.notify_all()

    def _render(self, settings) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------------------------- display
    def close(self) -> None:
        """Close every widget of the explorer (they leave the kernel and the saved widget state)."""
        close_widget_tree(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if bundle and "text/plain" in bundle:
            bundle["text/plain"] = NOT_RUN_TEXT.format(name=self.display_name)
        return bundle

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"


def _write_control(name: str, change: dict, explorer: Explorer) -> None:
    """Set one control again, with the side effects its change has (a new function's start point)."""
    control = explorer.controls[name]
    with explorer._hold():
        control.value = change["new"]
        explorer._react({**change, "owner": control})
