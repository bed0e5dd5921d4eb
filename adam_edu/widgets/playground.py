"""The Adam playground: race optimizers on a 2D test function (or Reddi et al.'s online problem) with sliders.

>>> from adam_edu.widgets import Playground
>>> pg = Playground(function="rosenbrock", optimizers=("SGD", "Adam"), lr=0.01)
>>> pg.set(lr=0.05)  # what a slider does: recompute, redraw the lines
>>> pg.readout_values()["lr"]
'0.05'

In a notebook, a cell ending in ``pg`` displays the controls, the two panels, a caption and a readout.

Every control change calls :meth:`Playground.update`: it reruns the race (see
:func:`~adam_edu.widgets.settings.compute`), moves the lines of the two blitted panels (see
:class:`~adam_edu.widgets.views.PlaygroundFigures`), and rewrites the caption and the readout from
the same numbers. The pictures are PNG bytes in ``ipywidgets.Image`` widgets, so the whole thing
runs without a browser; :meth:`Playground.snapshot` gives a static figure for exported notebooks.
"""

from __future__ import annotations

import functools
import time

import ipywidgets as widgets
from matplotlib.figure import Figure

from .captions import caption_html, caption_lines, fmt_beta2, readout_html, readout_values
from .explorer import Action, Explorer
from .settings import BETA2_CHOICES, FUNCTION_LABELS, OPTIMIZERS, PRESETS, REDDI_PROBLEM, PlaygroundSettings, compute
from .views import PlaygroundFigures, snapshot

#: Range of the learning-rate slider, as powers of ten.
LR_EXPONENTS = (-4.0, 0.0)
#: Range of the epsilon slider, as powers of ten.
EPS_EXPONENTS = (-12, 0)
STEPS_RANGE = (10, 3000)


class Playground(Explorer):
    """Controls, two panels, a caption and a readout for one race; see the module docstring.

    Parameters are those of :class:`~adam_edu.widgets.settings.PlaygroundSettings` (or a whole
    ``settings`` object). Attributes worth knowing: :attr:`widget` (the ipywidgets box that a notebook
    displays), :attr:`result` (the last :class:`~adam_edu.widgets.settings.RaceResult`),
    :attr:`timings` (milliseconds spent in the last update: ``compute``, ``draw``, ``total``).
    """

    display_name = "The Adam playground"

    def __init__(self, settings: PlaygroundSettings | None = None, **changes) -> None:
        settings = (settings or PlaygroundSettings()).replace(**changes)
        self.figures = PlaygroundFigures()
        self.result = None
        self.timings: dict[str, float] = {}
        self._build_controls()
        self._build_layout()
        self._start_updates()
        self._write_controls(settings)
        for control in self.controls.values():
            control.observe(self._on_control_change, names="value")
        self._listen([*self.controls.values(), *self.preset_buttons.values()])
        self.update()

    # ----------------------------------------------------------------------------------------- controls
    def _build_controls(self) -> None:
        style = {"description_width": "110px"}

        # One Layout per control: a shared one would hide every slider when one of them is hidden.
        def wide() -> widgets.Layout:
            return widgets.Layout(width="330px")

        def widest() -> widgets.Layout:  # the function names and all eleven optimizers, uncut
            return widgets.Layout(width="360px")

        self.controls: dict[str, widgets.ValueWidget] = {
            "function": widgets.Dropdown(
                options=[(label, key) for key, label in FUNCTION_LABELS.items()],
                description="function",
                style=style,
                layout=widest(),
            ),
            "optimizers": widgets.SelectMultiple(
                options=list(OPTIMIZERS), rows=len(OPTIMIZERS), description="optimizers", style=style, layout=widest()
            ),
            "lr": widgets.FloatLogSlider(
                base=10, min=LR_EXPONENTS[0], max=LR_EXPONENTS[1], step=0.01, readout_format=".3g",
                description="α (lr)", style=style, layout=wide(),
            ),
            "beta1": widgets.FloatSlider(
                min=0.0, max=0.99, step=0.01, readout_format=".2f", description="β₁ (and μ)", style=style,
                layout=wide(),
            ),
            "beta2": widgets.SelectionSlider(
                options=[(fmt_beta2(b), b) for b in BETA2_CHOICES], description="β₂", style=style, layout=wide()
            ),
            "eps": widgets.FloatLogSlider(
                base=10, min=EPS_EXPONENTS[0], max=EPS_EXPONENTS[1], step=1, readout_format=".0e",
                description="ε", style=style, layout=wide(),
            ),
            "bias_correction": widgets.Checkbox(description="bias correction (Adam)", indent=False),
            "steps": widgets.IntSlider(
                min=STEPS_RANGE[0], max=STEPS_RANGE[1], step=10, description="steps", style=style, layout=wide()
            ),
            "x0": widgets.FloatSlider(description="start θ₁ (x₀)", readout_format=".2f", style=style, layout=wide()),
            "y0": widgets.FloatSlider(description="start θ₂", readout_format=".2f", style=style, layout=wide()),
        }  # fmt: skip
        for name, control in self.controls.items():
            control.add_class(f"adam-edu-{name.replace('_', '-')}")
        self.preset_buttons = {}
        for name, preset in PRESETS.items():
            button = widgets.Button(description=name, tooltip=preset.lesson, layout=widgets.Layout(width="auto"))
            button.add_class("adam-edu-preset")
            button.on_click(lambda _button, name=name: self.apply_preset(name))
            self.preset_buttons[name] = button

    def _build_layout(self) -> None:
        c = self.controls
        width, height = self.figures.paths.canvas.get_width_height()
        size = widgets.Layout(width=f"{width}px", height=f"{height}px")
        self.paths_image = widgets.Image(format="png", layout=size)
        self.losses_image = widgets.Image(format="png", layout=size)
        self.paths_image.add_class("adam-edu-paths")
        self.losses_image.add_class("adam-edu-losses")
        self.caption = widgets.HTML(layout=widgets.Layout(width="60%"))
        self.caption.add_class("adam-edu-caption")
        self.readout = widgets.HTML(layout=widgets.Layout(width="38%"))
        self.readout.add_class("adam-edu-readout")
        self.widget = widgets.VBox(
            [
                widgets.HBox([widgets.HTML("<b>Lessons:</b>"), *self.preset_buttons.values()]),
                widgets.HBox(
                    [
                        widgets.VBox([c["function"], c["optimizers"]]),
                        widgets.VBox([c["lr"], c["beta1"], c["beta2"], c["eps"]]),
                        widgets.VBox([c["bias_correction"], c["steps"], c["x0"], c["y0"]]),
                    ]
                ),
                widgets.HBox([self.paths_image, self.losses_image]),
                widgets.HBox([self.caption, self.readout]),
            ]
        )
        self.widget.add_class("adam-edu-playground")

    def _write_controls(self, settings: PlaygroundSettings) -> None:
        c = self.controls
        x, y = settings.start_point
        with self._hold():
            c["function"].value = settings.function
            c["optimizers"].value = settings.optimizers
            c["lr"].value = settings.lr
            c["beta1"].value = settings.beta1
            c["beta2"].value = min(BETA2_CHOICES, key=lambda b: abs(b - settings.beta2))
            c["eps"].value = settings.eps
            c["bias_correction"].value = settings.bias_correction
            c["steps"].value = settings.steps
            self._set_start_ranges(settings)
            _set_slider(c["x0"], x)
            _set_slider(c["y0"], y)

    def _set_start_ranges(self, settings: PlaygroundSettings) -> None:
        if settings.online:
            xlim, ylim = (REDDI_PROBLEM.lower, REDDI_PROBLEM.upper), (-1.0, 1.0)
        else:
            xlim, ylim = settings.objective.xlim, settings.objective.ylim
        for name, (low, high) in (("x0", xlim), ("y0", ylim)):
            slider = self.controls[name]
            slider.min, slider.max = min(low, slider.min), max(high, slider.max)
            slider.step = 0.01  # every window and default start lies on this grid: a browser will not snap them
            slider.min, slider.max = low, high
        # The online problem is one-dimensional: its θ₂ slider is hidden rather than left showing a stale value.
        self.controls["y0"].layout.display = "none" if settings.online else None

    @property
    def settings(self) -> PlaygroundSettings:
        """The settings the controls show now."""
        c = self.controls
        chosen = set(c["optimizers"].value)
        return PlaygroundSettings(
            function=c["function"].value,
            optimizers=tuple(name for name in OPTIMIZERS if name in chosen),
            lr=float(c["lr"].value),
            beta1=float(c["beta1"].value),
            beta2=float(c["beta2"].value),
            eps=float(c["eps"].value),
            bias_correction=bool(c["bias_correction"].value),
            steps=int(c["steps"].value),
            start=(float(c["x0"].value), float(c["y0"].value)),
        )

    def _react(self, change) -> None:
        if change["owner"] is self.controls["function"]:  # a new function starts from its own default point
            settings = self.settings.replace(start=None)
            with self._hold():
                self._set_start_ranges(settings)
                _set_slider(self.controls["x0"], settings.start_point[0])
                _set_slider(self.controls["y0"], settings.start_point[1])

    # ------------------------------------------------------------------------------------------ public
    def set(self, **changes) -> None:
        """Change some settings as the controls would, then update once.

        A new ``function`` without a ``start`` starts from that function's default point.
        """
        with self._lock:
            current = self.settings
            if "function" in changes and changes["function"] != current.function and "start" not in changes:
                changes["start"] = None
            settings = current.replace(**changes)  # raises on a bad value before any control changes
            self._write_controls(settings)
        self.update()

    def apply_preset(self, name: str) -> None:
        """Set up one of the lessons in :data:`~adam_edu.widgets.settings.PRESETS`."""
        if name not in PRESETS:
            raise ValueError(f"Unknown preset {name!r}. Choose one of: {', '.join(PRESETS)}.")
        with self._lock:
            self._write_controls(PRESETS[name].settings)
            self._in_order(Action(f"preset {name!r}", functools.partial(_write_preset, name)))
        self.update()

    def _render(self, settings: PlaygroundSettings) -> None:
        """Rerun the race for ``settings`` and redraw what changed (one thread at a time: see Explorer)."""
        start = time.perf_counter()
        result = compute(settings)
        computed = time.perf_counter()
        paths_png, losses_png = self.figures.update(result)
        drawn = time.perf_counter()
        self.paths_image.value = paths_png
        self.losses_image.value = losses_png
        self.caption.value = caption_html(caption_lines(result))
        self.readout.value = readout_html(readout_values(result), update=self.updates + 1, settings=settings)
        self.result = result
        end = time.perf_counter()
        self.timings = {
            "compute": 1e3 * (computed - start),
            "draw": 1e3 * (drawn - computed),
            "total": 1e3 * (end - start),
        }

    def readout_values(self) -> dict[str, str]:
        """The readout as ``key -> text`` (what the table's ``data-key`` cells show)."""
        return {key: text for key, (_label, text) in readout_values(self.result).items()}

    def caption_text(self) -> str:
        return "\n".join(caption_lines(self.result))

    def snapshot(self) -> Figure:
        """The current race as a static pyplot figure, for exports where widgets do not show."""
        return snapshot(self.result)


def _write_preset(name: str, playground: Playground) -> None:
    playground._write_controls(PRESETS[name].settings)


def _set_slider(slider: widgets.FloatSlider, value: float) -> None:
    slider.value = min(max(value, slider.min), slider.max)
