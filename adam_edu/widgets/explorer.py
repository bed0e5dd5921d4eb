"""What both explorers share: closing their widget tree, displaying as it, and a repr of their settings."""

from __future__ import annotations

import ipywidgets as widgets


def close_widget_tree(widget: widgets.Widget) -> None:
    """Close a widget and, first, every widget inside it, with their layouts and styles."""
    for child in getattr(widget, "children", ()):
        close_widget_tree(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, widgets.Widget):
            part.close()
    widget.close()


class Explorer:
    """Base of the explorers: ``self.widget`` is the whole user interface, ``self.settings`` its current values."""

    widget: widgets.Widget

    def close(self) -> None:
        """Close every widget of the explorer (they leave the kernel and the saved widget state)."""
        close_widget_tree(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"
