"""Interactive explorers for JupyterLab: the Adam playground and the moving-average explorer.

>>> from adam_edu.widgets import Playground, MovingAverageExplorer
>>> playground = Playground()  # race optimizers on a 2D function; presets set up a lesson in one click
>>> explorer = MovingAverageExplorer()  # an EMA of a noisy stream, its cold start and the bias correction

In a notebook, end a cell with ``playground`` (or ``explorer``) to display it.

Both are built from ipywidgets and matplotlib (rendered to PNG with blitting, so no interactive
backend is needed) and both run headless: building one and calling ``set(...)`` from Python does
everything a slider does. ``ipywidgets`` is imported only when an explorer is first asked for, so
``import adam_edu.widgets`` stays light. Layout of the package:

- :mod:`~adam_edu.widgets.settings`, :mod:`~adam_edu.widgets.stream`: what is shown, as plain data (numpy).
- :mod:`~adam_edu.widgets.captions`: readout and "what to look for" text, computed from the numbers.
- :mod:`~adam_edu.widgets.canvas`, :mod:`~adam_edu.widgets.views`: blitted matplotlib panels (no widgets).
- :mod:`~adam_edu.widgets.playground`, :mod:`~adam_edu.widgets.moving_average`: the ipywidgets explorers.
- :mod:`~adam_edu.widgets.benchmark`: ``python -m adam_edu.widgets.benchmark`` times one update.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "Playground": "playground",
    "MovingAverageExplorer": "moving_average",
}

__all__ = ["MovingAverageExplorer", "Playground"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
