"""Two-dimensional test functions: value, gradient, known minima and a window to plot them in.

Each function is an :class:`Objective`. ``value`` and ``grad`` take points with the coordinates in
the last axis, so one call evaluates a single point ``(x, y)`` or a whole contour grid::

    f = get_function("rosenbrock")
    f.value(np.array([1.0, 1.0]))  # 0.0 at the minimum
    f.grad(np.array([-1.2, 1.0]))  # array([-215.6,  -88. ])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np


@dataclasses.dataclass(frozen=True)
class Objective:
    """A 2D test function with what a course needs to run and draw it.

    Attributes
    ----------
    name : str
        Key in :data:`FUNCTIONS`.
    formula : str
        The function in LaTeX, for titles.
    value, grad : callable
        ``f(points)`` and its gradient; ``points`` has shape ``(..., 2)``.
    minima : tuple of (x, y)
        Global minimisers (empty for the saddle, which has none).
    min_value : float or None
        The minimum value, or None when the function is unbounded below.
    xlim, ylim : (float, float)
        Default plotting window.
    start : (float, float)
        Default starting point, chosen to show the function's difficulty.
    """

    name: str
    formula: str
    value: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    minima: tuple[tuple[float, float], ...]
    min_value: float | None
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]

    def __call__(self, points: np.ndarray) -> np.ndarray:
        return self.value(points)

    def gap(self, points: np.ndarray) -> np.ndarray:
        """Distance to the minimum value, ``f(points) - f*``; the value itself when there is no minimum."""
        values = self.value(points)
        return values if self.min_value is None else values - self.min_value

    def grid(self, resolution: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``X, Y, Z`` on the plotting window, ready for ``contour``."""
        x = np.linspace(*self.xlim, resolution)
        y = np.linspace(*self.ylim, resolution)
        X, Y = np.meshgrid(x, y)
        return X, Y, self.value(np.stack([X, Y], axis=-1))


def _xy(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(points, dtype=float)
    if points.shape[-1:] != (2,):
        raise ValueError(f"points must have 2 coordinates in the last axis. Got shape {points.shape} instead.")
    return points[..., 0], points[..., 1]


def quadratic(condition: float = 20.0, angle: float = 0.0) -> Objective:
    r"""The ill-conditioned quadratic :math:`\tfrac12 (u^2 + \kappa w^2)`, its axes turned by ``angle``.

    ``(u, w)`` are the coordinates rotated by ``angle`` radians, so with ``angle=0`` the valley is
    aligned with the axes (per-coordinate methods shine) and with ``angle=pi/4`` it is not.
    ``condition`` is :math:`\kappa`, the ratio of the largest to the smallest curvature.
    """
    if not condition >= 1:
        raise ValueError(f"condition (κ) must be a real number in [1, inf). Got {condition!r} instead.")
    c, s = np.cos(angle), np.sin(angle)
    curvature = np.array([[1.0, 0.0], [0.0, condition]])
    rotation = np.array([[c, -s], [s, c]])
    hessian = rotation @ curvature @ rotation.T

    def value(points):
        p = np.stack(_xy(points), axis=-1)
        return 0.5 * np.einsum("...i,ij,...j->...", p, hessian, p)

    def grad(points):
        return np.stack(_xy(points), axis=-1) @ hessian

    rotated = angle != 0.0
    return Objective(
        name="rotated_quadratic" if rotated else "quadratic",
        formula=(
            rf"$\frac{{1}}{{2}}(u^2 + {condition:g}\,w^2)$, axes turned by {np.degrees(angle):.0f}°"
            if rotated
            else rf"$\frac{{1}}{{2}}(x^2 + {condition:g}\,y^2)$"
        ),
        value=value,
        grad=grad,
        minima=((0.0, 0.0),),
        min_value=0.0,
        xlim=(-6.0, 6.0),
        ylim=(-4.0, 4.0),
        start=(-5.0, 2.0),
    )


def _rosenbrock_value(points):
    x, y = _xy(points)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(points):
    x, y = _xy(points)
    return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)


def _beale_terms(points):
    x, y = _xy(points)
    return x, y, [(1.5, 1), (2.25, 2), (2.625, 3)]


def _beale_value(points):
    x, y, terms = _beale_terms(points)
    return sum((c - x + x * y**k) ** 2 for c, k in terms)


def _beale_grad(points):
    x, y, terms = _beale_terms(points)
    dx = sum(2 * (c - x + x * y**k) * (y**k - 1) for c, k in terms)
    dy = sum(2 * (c - x + x * y**k) * (k * x * y ** (k - 1)) for c, k in terms)
    return np.stack([dx, dy], axis=-1)


def _saddle_value(points):
    x, y = _xy(points)
    return x**2 - y**2


def _saddle_grad(points):
    x, y = _xy(points)
    return np.stack([2 * x, -2 * y], axis=-1)


def _himmelblau_value(points):
    x, y = _xy(points)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(points):
    x, y = _xy(points)
    a, b = x**2 + y - 11, x + y**2 - 7
    return np.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b], axis=-1)


ROSENBROCK = Objective(
    name="rosenbrock",
    formula=r"$(1-x)^2 + 100\,(y-x^2)^2$",
    value=_rosenbrock_value,
    grad=_rosenbrock_grad,
    minima=((1.0, 1.0),),
    min_value=0.0,
    xlim=(-2.0, 2.0),
    ylim=(-1.0, 3.0),
    start=(-1.2, 1.0),
)

BEALE = Objective(
    name="beale",
    formula=r"$\sum_{k=1}^{3} (c_k - x + x y^k)^2$",
    value=_beale_value,
    grad=_beale_grad,
    minima=((3.0, 0.5),),
    min_value=0.0,
    xlim=(-4.5, 4.5),
    ylim=(-4.5, 4.5),
    start=(1.0, 1.5),
)

SADDLE = Objective(
    name="saddle",
    formula=r"$x^2 - y^2$",
    value=_saddle_value,
    grad=_saddle_grad,
    minima=(),
    min_value=None,
    xlim=(-2.0, 2.0),
    ylim=(-2.0, 2.0),
    start=(-1.5, 0.0),
)

HIMMELBLAU = Objective(
    name="himmelblau",
    formula=r"$(x^2+y-11)^2 + (x+y^2-7)^2$",
    value=_himmelblau_value,
    grad=_himmelblau_grad,
    minima=((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
    min_value=0.0,
    xlim=(-5.0, 5.0),
    ylim=(-5.0, 5.0),
    start=(-0.5, -0.5),
)

FUNCTIONS: dict[str, Objective] = {
    f.name: f for f in (quadratic(), quadratic(angle=np.pi / 4), ROSENBROCK, BEALE, SADDLE, HIMMELBLAU)
}


def get_function(name: str) -> Objective:
    """Look a test function up by name; the error lists the names there are."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        raise ValueError(f"Unknown test function {name!r}. Choose one of: {', '.join(FUNCTIONS)}.") from None
