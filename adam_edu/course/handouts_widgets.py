"""Widgets in the offline handouts: each saved widget view becomes static HTML showing its state.

A static page cannot run a widget, and nbconvert's default is a blank box that waits for the widget
renderer from a CDN. But a notebook saved by ``adam-edu execute`` carries every widget's last state in
its metadata (``application/vnd.jupyter.widget-state+json``): the images an ``Image`` widget showed,
the HTML of captions and readouts, each control's value. :func:`static_widget_html` walks a view's
model tree and draws that state as plain HTML: boxes as rows and columns, images as ``<img>`` with
their PNG inlined, HTML as is, and each control as ``description: value``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_PREFIX = "IPY_MODEL_"

NOTE = "Interactive widget, shown as it was saved. Open the notebook in JupyterLab to move the controls."
MISSING = (
    "Interactive widget: its state was not saved with the notebook, so there is nothing to show here. "
    "Open the notebook in JupyterLab to use it."
)
_BOXES = {"VBoxModel": "column", "HBoxModel": "row", "BoxModel": "row", "GridBoxModel": "row"}
_CONTAINERS = {"AccordionModel", "TabModel", "StackModel"}


def widget_states(metadata: Mapping) -> dict:
    """``model_id -> {"model_name", "state", "buffers"}`` from a notebook's metadata (empty if none saved)."""
    return dict(metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {}))


def static_widget_html(model_id: str, states: Mapping) -> str:
    """The widget view ``model_id`` as static HTML; a note says so when it has controls to move."""
    if model_id not in states:
        return f'<div class="adam-widget-static adam-widget-missing"><p class="adam-widget-note">{MISSING}</p></div>'
    controls: list[str] = []
    body = _model_html(model_id, states, depth=0, controls=controls)
    note = f'<p class="adam-widget-note">{NOTE}</p>' if controls else ""
    return f'<div class="adam-widget-static" role="group">{body}{note}</div>'


def _model_html(model_id: str, states: Mapping, depth: int, controls: list[str]) -> str:
    """One model as HTML; the names of the controls met (sliders, buttons...) are added to ``controls``."""
    entry = states.get(model_id.removeprefix(_PREFIX))
    if entry is None or depth > 50:
        return ""
    name = entry.get("model_name", "")
    state = entry.get("state", {})
    children = [c for c in state.get("children", []) if isinstance(c, str)]
    if name in _BOXES:
        inner = "".join(_model_html(c, states, depth + 1, controls) for c in children)
        return f'<div class="adam-widget-box adam-widget-{_BOXES[name]}">{inner}</div>'
    if name in _CONTAINERS:
        titles = list(state.get("titles") or [])
        parts = []
        for i, child in enumerate(children):
            title = titles[i] if i < len(titles) and titles[i] else ""
            heading = f'<div class="adam-widget-title">{html.escape(title)}</div>' if title else ""
            parts.append(f"{heading}{_model_html(child, states, depth + 1, controls)}")
        return f'<div class="adam-widget-box adam-widget-column">{"".join(parts)}</div>'
    if name in ("FloatProgressModel", "IntProgressModel"):
        return _described(state, _progress(state))
    if name == "ImageModel":
        return _image(entry)
    if name in ("HTMLModel", "HTMLMathModel"):
        return _described(state, f'<div class="adam-widget-html">{state.get("value", "")}</div>')
    if name == "LabelModel":
        return f'<span class="adam-widget-label">{html.escape(str(state.get("value", "")))}</span>'
    if name == "OutputModel":
        return f'<div class="adam-widget-output">{"".join(_output(o) for o in state.get("outputs", []))}</div>'
    controls.append(name)  # everything below is something a reader would click or drag
    if name in ("ButtonModel", "ToggleButtonModel"):
        pressed = " adam-widget-pressed" if state.get("value") is True else ""
        return f'<span class="adam-widget-button{pressed}">{html.escape(state.get("description", ""))}</span>'
    if name == "CheckboxModel":
        mark = "\u2611" if state.get("value") else "\u2610"
        return f'<span class="adam-widget-control">{mark} {html.escape(state.get("description", ""))}</span>'
    value = _control_value(state)
    if value is None:
        return ""
    return _described(state, f'<span class="adam-widget-value">{html.escape(value)}</span>', control=True)


def _described(state: Mapping, inner: str, control: bool = False) -> str:
    description = state.get("description", "")
    label = f'<span class="adam-widget-description">{html.escape(description)}:</span> ' if description else ""
    if not label and not control:
        return inner
    return f'<div class="adam-widget-control">{label}{inner}</div>'


def _control_value(state: Mapping) -> str | None:
    """What a control shows: the selected label(s), or the value formatted by its readout format."""
    labels = state.get("_options_labels")
    if labels is not None:
        index = state.get("index")
        if isinstance(index, list):
            return ", ".join(str(labels[i]) for i in index if 0 <= i < len(labels)) or "(none)"
        if isinstance(index, int) and 0 <= index < len(labels):
            return str(labels[index])
        return "(none)"
    if "value" not in state:
        return None
    value = state["value"]
    fmt = state.get("readout_format")
    if isinstance(value, list):
        return " \u2013 ".join(_formatted(v, fmt) for v in value)
    return _formatted(value, fmt)


def _formatted(value, fmt: str | None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not fmt:
        return str(value)
    try:
        return format(value, fmt)
    except (ValueError, TypeError):  # a d3 format Python does not know: show the plain value
        return str(value)


def _progress(state: Mapping) -> str:
    """A progress bar (tqdm's, say) drawn as a filled box."""
    low, high, value = (state.get(key) for key in ("min", "max", "value"))
    try:
        fraction = min(1.0, max(0.0, (float(value) - float(low)) / (float(high) - float(low))))
    except (TypeError, ValueError, ZeroDivisionError):
        fraction = 0.0
    colour = {"success": "#3a8f3a", "danger": "#c0392b", "warning": "#d08a00"}.get(
        state.get("bar_style") or "", "#2f5d8a"
    )
    return (
        f'<span class="adam-widget-progress" role="progressbar" aria-valuenow="{value}" aria-valuemin="{low}" '
        f'aria-valuemax="{high}"><span style="width: {100 * fraction:.0f}%; background: {colour}"></span></span>'
    )


def _image(entry: Mapping) -> str:
    state = entry.get("state", {})
    data = next(
        (
            b.get("data")
            for b in entry.get("buffers", [])
            if b.get("path") == ["value"] and b.get("encoding") == "base64"
        ),
        None,
    )
    if not data:
        return ""
    fmt = state.get("format", "png")
    mime = {"svg": "svg+xml", "jpg": "jpeg"}.get(fmt, fmt)
    alt = html.escape(state.get("tooltip") or "figure drawn by the widget")
    return f'<img class="adam-widget-image" src="data:image/{mime};base64,{data}" alt="{alt}">'


def _output(output: Mapping) -> str:
    """One output captured by an ``Output`` widget, drawn simply."""
    if output.get("output_type") == "stream":
        return f"<pre>{html.escape(''.join(output.get('text', '')))}</pre>"
    data = output.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            payload = "".join(data[mime]).replace("\n", "")
            return f'<img class="adam-widget-image" src="data:{mime};base64,{payload}" alt="figure">'
    if "text/html" in data:
        return "".join(data["text/html"])
    if "text/plain" in data:
        return f"<pre>{html.escape(''.join(data['text/plain']))}</pre>"
    return ""
