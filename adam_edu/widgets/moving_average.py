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

import html
import time

import ipywidgets as widgets
from matplotlib.figure import Figure

from .captions import readout_html
from .explorer import Explorer
from .stream import StreamFigure, StreamSettings, compute_stream, stream_caption, stream_readout, stream_snapshot

#: The largest β the slider offers: 0.999 is Adam's β₂, whose cold start lasts about 2,300 steps.
BETA_MAX = 0.999
#: Range of the steps slider: long enough to see that cold start end.
STEPS_RANGE = (20, 5000)


class MovingAverageExplorer(Explorer):
    """Sliders for β, the true mean, the noise and the number of steps, a correction switch, one panel,
    a caption and a readout. Parameters are those of :class:`~adam_edu.widgets.stream.StreamSettings`."""

    display_name = "The moving-average explorer"

    def __init__(self, settings: StreamSettings | None = None, **changes) -> None:
        settings = (settings or StreamSettings()).replace(**changes)
        self.figure = StreamFigure()
        self.result = None
        self.timings: dict[str, float] = {}
        self.seed = settings.seed
        style = {"description_width": "90px"}

        def wide() -> widgets.Layout:  # one Layout per control, so that each can be changed alone
            return widgets.Layout(width="320px")

        self.controls = {
            "beta": widgets.FloatSlider(
                min=0.0, max=BETA_MAX, step=0.001, readout_format=".3f", description="β", style=style, layout=wide()
            ),
            "bias_correction": widgets.Checkbox(description="bias correction (show m̂_t)", indent=False),
            "mean": widgets.FloatSlider(
                min=-2.0, max=2.0, step=0.1, readout_format=".2f", description="true mean μ", style=style, layout=wide()
            ),
            "noise": widgets.FloatSlider(
                min=0.0, max=2.0, step=0.1, readout_format=".2f", description="noise σ", style=style, layout=wide()
            ),
            "steps": widgets.IntSlider(
                min=STEPS_RANGE[0], max=STEPS_RANGE[1], step=10, description="steps", style=style, layout=wide()
            ),
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
        self._start_updates()
        self._write_controls(settings)
        for control in self.controls.values():
            control.observe(self._on_control_change, names="value")
        self._listen(self.controls.values())
        self.update()

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

    def set(self, **changes) -> None:
        """Change some settings as the controls would, then update once."""
        with self._lock:
            self._write_controls(self.settings.replace(**changes))
        self.update()

    def _render(self, settings: StreamSettings) -> None:
        start = time.perf_counter()
        result = compute_stream(settings)
        self.image.value = self.figure.update(result)
        self.caption.value = (
            '<div class="adam-edu-caption-text" role="note"><b>What to look for.</b>'
            + "".join(f"<p>{html.escape(line)}</p>" for line in stream_caption(result))
            + "</div>"
        )
        self.readout.value = readout_html(stream_readout(result), update=self.updates + 1, settings=settings)
        self.result = result
        self.timings = {"total": 1e3 * (time.perf_counter() - start)}

    def readout_values(self) -> dict[str, str]:
        return {key: text for key, (_label, text) in stream_readout(self.result).items()}

    def caption_text(self) -> str:
        return "\n".join(stream_caption(self.result))

    def snapshot(self) -> Figure:
        """The current state as a static pyplot figure, for exports where widgets do not show."""
        return stream_snapshot(self.result)
