"""The moving-average explorer: a noisy gradient stream, its EMA m_t, the corrected m̂_t and the true mean.

>>> from adam_edu.widgets import MovingAverageExplorer
>>> explorer = MovingAverageExplorer(beta=0.9)
>>> explorer.set(beta=0.99)  # what the slider does
>>> explorer.readout_values()["warmup"]  # steps until 1 - beta^t >= 0.9
'230'

Slide β toward 1 and watch m_t start ever colder; switch the correction on to see m̂_t follow the
true mean from the first step. Content and numbers: :mod:`adam_edu.widgets.stream`.
"""

from __future__ import annotations

import contextlib
import html
import time

import ipywidgets as widgets
from matplotlib.figure import Figure

from .explorer import Explorer
from .stream import (
    StreamFigure,
    StreamSettings,
    compute_stream,
    stream_caption,
    stream_readout,
    stream_readout_html,
    stream_snapshot,
)


class MovingAverageExplorer(Explorer):
    """Sliders for β, the true mean, the noise and the number of steps, a correction switch, one panel,
    a caption and a readout. Parameters are those of :class:`~adam_edu.widgets.stream.StreamSettings`."""

    def __init__(self, settings: StreamSettings | None = None, **changes) -> None:
        settings = (settings or StreamSettings()).replace(**changes)
        self._quiet = 0
        self.figure = StreamFigure()
        self.result = None
        self.timings: dict[str, float] = {}
        self.updates = 0
        self.seed = settings.seed
        style = {"description_width": "90px"}
        wide = widgets.Layout(width="320px")
        self.controls = {
            "beta": widgets.FloatSlider(
                min=0.0, max=0.99, step=0.01, readout_format=".2f", description="β", style=style, layout=wide
            ),
            "bias_correction": widgets.Checkbox(description="bias correction (show m̂_t)", indent=False),
            "mean": widgets.FloatSlider(
                min=-2.0, max=2.0, step=0.1, readout_format=".2f", description="true mean μ", style=style, layout=wide
            ),
            "noise": widgets.FloatSlider(
                min=0.0, max=2.0, step=0.1, readout_format=".2f", description="noise σ", style=style, layout=wide
            ),
            "steps": widgets.IntSlider(min=20, max=500, step=10, description="steps", style=style, layout=wide),
        }
        for name, control in self.controls.items():
            control.add_class(f"adam-edu-ma-{name.replace('_', '-')}")
        width, height = self.figure.canvas.canvas.get_width_height()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.image.add_class("adam-edu-ma-plot")
        self.caption = widgets.HTML(layout=widgets.Layout(width="60%"))
        self.caption.add_class("adam-edu-caption")
        self.readout = widgets.HTML(layout=widgets.Layout(width="38%"))
        self.readout.add_class("adam-edu-readout")
        c = self.controls
        self.widget = widgets.VBox(
            [
                widgets.HBox(
                    [widgets.VBox([c["beta"], c["bias_correction"]]), widgets.VBox([c["mean"], c["noise"], c["steps"]])]
                ),
                self.image,
                widgets.HBox([self.caption, self.readout]),
            ]
        )
        self.widget.add_class("adam-edu-moving-average")
        self._write_controls(settings)
        for control in self.controls.values():
            control.observe(self._on_control_change, names="value")
        self.update()

    @contextlib.contextmanager
    def _hold(self):
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _write_controls(self, settings: StreamSettings) -> None:
        with self._hold():
            for name, control in self.controls.items():
                control.value = getattr(settings, name)
        self.seed = settings.seed

    @property
    def settings(self) -> StreamSettings:
        c = self.controls
        return StreamSettings(
            beta=float(c["beta"].value),
            bias_correction=bool(c["bias_correction"].value),
            mean=float(c["mean"].value),
            noise=float(c["noise"].value),
            steps=int(c["steps"].value),
            seed=self.seed,
        )

    def _on_control_change(self, _change) -> None:
        if not self._quiet:
            self.update()

    def set(self, **changes) -> None:
        """Change some settings as the controls would, then update once."""
        self._write_controls(self.settings.replace(**changes))
        self.update()

    def update(self) -> None:
        start = time.perf_counter()
        result = compute_stream(self.settings)
        self.image.value = self.figure.update(result)
        self.caption.value = (
            '<div class="adam-edu-caption-text" role="note"><b>What to look for.</b>'
            + "".join(f"<p>{html.escape(line)}</p>" for line in stream_caption(result))
            + "</div>"
        )
        self.readout.value = stream_readout_html(stream_readout(result))
        self.result = result
        self.updates += 1
        self.timings = {"total": 1e3 * (time.perf_counter() - start)}

    def readout_values(self) -> dict[str, str]:
        return {key: text for key, (_label, text) in stream_readout(self.result).items()}

    def caption_text(self) -> str:
        return "\n".join(stream_caption(self.result))

    def snapshot(self) -> Figure:
        """The current state as a static pyplot figure, for exports where widgets do not show."""
        return stream_snapshot(self.result)
