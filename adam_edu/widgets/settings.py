r"""What the playground shows, as plain data: its settings, the optimizers they build, the runs, the presets.

Nothing here imports ipywidgets or draws anything, so a test (or a notebook without a browser) can
set up a lesson and check its numbers::

    settings = PRESETS["no bias correction, β₂ = 0.999"].settings
    result = compute(settings)  # result.runs: {"RMSProp": Trajectory, "Adam": Trajectory}

One set of sliders drives every optimizer in a race: ``lr`` is every optimizer's step size
:math:`\alpha`; ``beta1`` is :math:`\beta_1` and also the momentum :math:`\mu` of Momentum and
Nesterov; ``beta2`` is :math:`\beta_2` (RMSProp's too); ``eps`` is every :math:`\epsilon`; the
bias-correction switch belongs to :class:`~adam_edu.optim.Adam` alone (the other Adam variants always
correct). Other hyperparameters keep their defaults (AdamW's weight decay is 0.01).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np

from ..functions import FUNCTIONS, Objective, get_function, quadratic
from ..online import OnlineRun, ReddiProblem, run_online
from ..optim import SGD, AdaGrad, Adam, AdaMax, AdamW, AMSGrad, Momentum, NAdam, Nesterov, Optimizer, RAdam, RMSProp
from ..trajectories import Trajectory
from .fastpath import fast_race

#: The optimizers a race can hold, in the order of the course (this order also fixes each one's style).
OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.__name__: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdaMax, AMSGrad, AdamW, NAdam, RAdam)
}

#: The function key of Reddi et al.'s one-dimensional online problem (a mode of the playground).
REDDI = "reddi"

#: Function keys with the label the dropdown shows.
FUNCTION_LABELS: dict[str, str] = {
    **{name: name.replace("_", " ") for name in FUNCTIONS},
    REDDI: "Reddi et al. (1D, online)",  # short enough for the dropdown (the browser test measures it)
}

#: The values :data:`PlaygroundSettings.beta2` can take in the playground (a slider of choices).
BETA2_CHOICES = (0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999)

#: Angle by which ``rotated_quadratic`` turns ``quadratic`` (see :func:`adam_edu.functions.quadratic`).
ROTATION = math.pi / 4

REDDI_PROBLEM = ReddiProblem(C=3.0)


@dataclasses.dataclass(frozen=True)
class PlaygroundSettings:
    """Everything the playground's controls set. Invalid values raise when the settings are built.

    ``optimizers`` are kept in the order of :data:`OPTIMIZERS`, whatever order they are given in.
    Learning rates of the presets are powers of 10 with exponents on the slider's 0.01 grid, so that
    a browser showing the slider does not snap them to a neighbouring value.
    ``start`` is the starting point ``(x, y)``; None means the function's own default (for the online
    problem only ``x`` is used, and its default is 0).
    """

    function: str = "quadratic"
    optimizers: tuple[str, ...] = ("SGD", "Momentum", "Adam")
    lr: float = 10**-1.01  # 0.0977: on the learning-rate slider's grid (10 to a multiple of 0.01)
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = True
    steps: int = 200
    start: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.function, str):
            object.__setattr__(self, "function", str(self.function))  # a numpy string becomes a plain one
        if self.function not in FUNCTION_LABELS:
            raise ValueError(f"Unknown function {self.function!r}. Choose one of: {', '.join(FUNCTION_LABELS)}.")
        names = tuple(str(name) if isinstance(name, str) else name for name in self.optimizers)
        unknown = [name for name in names if name not in OPTIMIZERS]
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"optimizers must be distinct names from: {', '.join(OPTIMIZERS)}. Got {names!r} instead.")
        object.__setattr__(self, "optimizers", tuple(sorted(names, key=list(OPTIMIZERS).index)))
        if isinstance(self.steps, bool) or not isinstance(self.steps, int | np.integer) or self.steps < 1:
            raise ValueError(f"steps must be an integer in [1, inf). Got {self.steps!r} instead.")
        object.__setattr__(self, "steps", int(self.steps))
        if self.start is not None:
            start = tuple(float(c) for c in self.start)
            if len(start) != 2 or not all(math.isfinite(c) for c in start):
                raise ValueError(f"start must be a finite point (x, y). Got {self.start!r} instead.")
            object.__setattr__(self, "start", start)
        for name in self.optimizers:  # builds each once, so a bad lr or beta raises here, naming itself
            build_optimizer(name, self)

    @property
    def online(self) -> bool:
        """True for Reddi et al.'s 1D online problem, False for a 2D test function."""
        return self.function == REDDI

    @property
    def objective(self) -> Objective | None:
        return None if self.online else get_function(self.function)

    @property
    def start_point(self) -> tuple[float, float]:
        if self.start is not None:
            return self.start
        return (0.0, 0.0) if self.online else tuple(float(c) for c in self.objective.start)

    def replace(self, **changes) -> PlaygroundSettings:
        return dataclasses.replace(self, **changes)


def build_optimizer(name: str, settings: PlaygroundSettings) -> Optimizer:
    """The optimizer ``name`` with the settings' hyperparameters, for the fields that it has."""
    cls = OPTIMIZERS[name]
    offered = {
        "lr": settings.lr,
        "beta1": settings.beta1,
        "beta2": settings.beta2,
        "eps": settings.eps,
        "momentum": settings.beta1,
        "bias_correction": settings.bias_correction,
    }
    fields = {field.name for field in dataclasses.fields(cls)}
    return cls(**{key: value for key, value in offered.items() if key in fields})


def build_optimizers(settings: PlaygroundSettings) -> dict[str, Optimizer]:
    return {name: build_optimizer(name, settings) for name in settings.optimizers}


@dataclasses.dataclass(frozen=True)
class RaceResult:
    """What one setting of the controls produced.

    ``runs`` holds a :class:`Trajectory` (or, online, an :class:`OnlineRun`) per optimizer in the race.
    ``corrected_adam`` is Adam *with* bias correction, run only when the race's Adam has it off, as a
    reference line. ``twin`` is the same race on the axis-aligned quadratic, for ``rotated_quadratic``
    only (see :func:`axis_aligned_twin`).
    """

    settings: PlaygroundSettings
    runs: dict[str, Trajectory | OnlineRun]
    corrected_adam: Trajectory | OnlineRun | None = None
    twin: dict[str, Trajectory] | None = None


def _run(settings: PlaygroundSettings, optimizers: Mapping[str, Optimizer]) -> dict:
    if settings.online:
        x0 = float(np.clip(settings.start_point[0], REDDI_PROBLEM.lower, REDDI_PROBLEM.upper))
        return {name: run_online(opt, REDDI_PROBLEM, settings.steps, x0=x0) for name, opt in optimizers.items()}
    return fast_race(optimizers, settings.objective, start=settings.start_point, steps=settings.steps)


def compute(settings: PlaygroundSettings) -> RaceResult:
    """Run the race the settings describe, plus the reference runs the caption compares with.

    2D runs go through :func:`~adam_edu.widgets.fastpath.fast_race`, which agrees with
    :func:`adam_edu.trajectories.race` to rounding (tested within a tolerance) and is about ten times faster.
    """
    runs = _run(settings, build_optimizers(settings))
    corrected = None
    if "Adam" in settings.optimizers and not settings.bias_correction:
        reference = settings.replace(bias_correction=True)
        corrected = _run(reference, {"Adam": build_optimizer("Adam", reference)})["Adam"]
    return RaceResult(settings, runs, corrected, axis_aligned_twin(settings))


def window_exit(settings: PlaygroundSettings, run) -> int | None:
    """Where a 2D path leaves for good: the index of its first point that is not finite or lies more than
    one window-width outside the function's window; None if there is none (or online).

    The playground draws the path up to the point before it and marks that point (clipped into the
    window) with a cross, instead of a line to a point far outside the window.
    """
    if settings.online:
        return None
    (x_lo, x_hi), (y_lo, y_hi) = settings.objective.xlim, settings.objective.ylim
    w, h = x_hi - x_lo, y_hi - y_lo
    points = np.asarray(run.points, dtype=float)
    with np.errstate(invalid="ignore"):
        far = ~np.isfinite(points).all(axis=1)
        far |= (points[:, 0] < x_lo - w) | (points[:, 0] > x_hi + w)
        far |= (points[:, 1] < y_lo - h) | (points[:, 1] > y_hi + h)
    hits = np.flatnonzero(far)
    return int(hits[0]) if hits.size else None


def rotation_matrix(angle: float = ROTATION) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def axis_aligned_twin(settings: PlaygroundSettings) -> dict[str, Trajectory] | None:
    """For ``rotated_quadratic``: the same race on the axis-aligned ``quadratic`` from the matching start.

    ``rotated_quadratic(p) == quadratic(R^T p)`` with ``R`` the rotation by :data:`ROTATION`, so
    starting the twin at ``R^T start`` poses the same problem in turned coordinates. A method that is
    rotation invariant (SGD, Momentum) gives the same losses on both; per-coordinate scaling does not.
    None for any other function.
    """
    if settings.function != "rotated_quadratic":
        return None
    start = rotation_matrix().T @ np.asarray(settings.start_point)
    return fast_race(build_optimizers(settings), quadratic(), start=tuple(start), steps=settings.steps)


@dataclasses.dataclass(frozen=True)
class Preset:
    """A lesson in one click: the settings, and a sentence saying what it is about."""

    settings: PlaygroundSettings
    lesson: str


PRESETS: Mapping[str, Preset] = {
    "defaults": Preset(
        PlaygroundSettings(),
        "Gradient descent, momentum and Adam on an ill-conditioned quadratic with the paper's β₁, β₂ and ε, at an α "
        "just under the largest that gradient descent tolerates there: it zig-zags, Adam does not.",
    ),
    "no bias correction, β₂ = 0.999": Preset(
        PlaygroundSettings(
            function="beale",
            optimizers=("RMSProp", "Adam"),
            lr=10**-0.2,
            beta1=0.9,
            beta2=0.999,
            bias_correction=False,
            steps=300,
        ),
        "Adam without bias correction (Kingma & Ba, Section 3): its first steps are several times too long and "
        "throw it about, while the corrected Adam (grey) reaches the minimum. RMSProp, which never corrects, "
        "jumps furthest. At a small α (try 0.01) the longer steps are a head start instead.",
    ),
    "rotated quadratic": Preset(
        PlaygroundSettings(
            function="rotated_quadratic",
            optimizers=("SGD", "Momentum", "RMSProp", "Adam"),
            lr=10**-1.3,
            beta1=0.9,
            beta2=0.999,
            steps=300,
        ),
        "The same valley turned by 45°: per-coordinate step sizes no longer line up with it.",
    ),
    "Reddi's counterexample": Preset(
        PlaygroundSettings(
            function=REDDI,
            optimizers=("Adam", "AMSGrad"),
            lr=0.01,
            beta1=0.0,
            beta2=0.1,
            steps=3000,
        ),
        "Reddi, Kale & Kumar (2018): an online problem on which Adam drifts to the worst point.",
    ),
}
