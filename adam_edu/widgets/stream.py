r"""The moving-average explorer's content as plain data: a noisy gradient stream, its EMA, the cold start.

A stream :math:`g_t = \mu + \sigma\,\xi_t` (seeded Gaussian :math:`\xi_t`) is averaged by
:math:`m_t = \beta m_{t-1} + (1-\beta) g_t` from :math:`m_0 = 0`. Its expectation is
:math:`E[m_t] = (1-\beta^t)\mu`: the average starts cold, biased toward zero, and the bias
correction :math:`\hat m_t = m_t/(1-\beta^t)` removes exactly that factor (Kingma & Ba, Section 3).
Computed with :func:`adam_edu.averages.ema` and :func:`adam_edu.averages.weight_sum`.
"""

from __future__ import annotations

import dataclasses
import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..averages import ema, weight_sum
from ..optim.validation import check_flag, check_real
from ..plotting import series_style
from .canvas import BlitFigure

#: The step at which the readout and caption quote m_t and m̂_t.
PROBE_STEP = 10


@dataclasses.dataclass(frozen=True)
class StreamSettings:
    """What the moving-average explorer's controls set. Invalid values raise when built."""

    beta: float = 0.9
    bias_correction: bool = True
    mean: float = 1.0
    noise: float = 0.5
    steps: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "beta", check_real("StreamSettings", "beta", "β", self.beta, 0.0, 1.0))
        check_flag("StreamSettings", "bias_correction", self.bias_correction)
        object.__setattr__(self, "mean", check_real("StreamSettings", "mean", "μ", self.mean, -math.inf))
        object.__setattr__(self, "noise", check_real("StreamSettings", "noise", "σ", self.noise, 0.0))
        if isinstance(self.steps, bool) or not isinstance(self.steps, int | np.integer) or self.steps < PROBE_STEP:
            raise ValueError(f"steps must be an integer in [{PROBE_STEP}, inf). Got {self.steps!r} instead.")
        object.__setattr__(self, "steps", int(self.steps))

    def replace(self, **changes) -> StreamSettings:
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass(frozen=True)
class StreamResult:
    """The stream ``g`` and, at steps ``t = 1..T``: ``m`` (EMA), ``m_hat`` (corrected), ``expected_m`` = E[m_t]."""

    settings: StreamSettings
    g: np.ndarray
    m: np.ndarray
    m_hat: np.ndarray
    expected_m: np.ndarray

    @property
    def t(self) -> np.ndarray:
        return np.arange(1, len(self.g) + 1)


def gradient_stream(settings: StreamSettings) -> np.ndarray:
    """``mean + noise * xi_t`` for ``t = 1..steps``; the same seed gives the same stream."""
    return settings.mean + settings.noise * np.random.default_rng(settings.seed).standard_normal(settings.steps)


def compute_stream(settings: StreamSettings) -> StreamResult:
    g = gradient_stream(settings)
    t = np.arange(1, settings.steps + 1)
    return StreamResult(
        settings=settings,
        g=g,
        m=ema(g, settings.beta),
        m_hat=ema(g, settings.beta, bias_correction=True),
        expected_m=settings.mean * weight_sum(settings.beta, t),
    )


def fmt_beta(beta: float) -> str:
    """β as the slider shows it: up to three decimals (0.9, 0.99, 0.999), never rounded up to 1."""
    return f"{beta:.3f}".rstrip("0").rstrip(".") if beta else "0"


def warmup_steps(beta: float, fraction: float = 0.9) -> int:
    r"""The first ``t`` with :math:`1-\beta^t \ge` ``fraction``: how long the cold start lasts."""
    if beta == 0.0:
        return 1
    return max(1, math.ceil(math.log(1 - fraction) / math.log(beta) - 1e-12))


def stream_readout(result: StreamResult) -> dict[str, tuple[str, str]]:
    """``key -> (label, text)`` of the current values and what they produce."""
    s, k = result.settings, PROBE_STEP - 1
    return {
        "beta": ("β", fmt_beta(s.beta)),
        "bias_correction": ("bias correction", "on" if s.bias_correction else "off"),
        "mean": ("true mean μ", f"{s.mean:.2f}"),
        "noise": ("noise σ", f"{s.noise:.2f}"),
        "steps": ("steps", str(s.steps)),
        "weight_10": ("1 − β¹⁰", f"{float(weight_sum(s.beta, PROBE_STEP)):.3f}"),
        "m_10": ("m₁₀", f"{result.m[k]:.3f}"),
        "m_hat_10": ("m̂₁₀", f"{result.m_hat[k]:.3f}"),
        "warmup": ("steps until 1 − βᵗ ≥ 0.9", str(warmup_steps(s.beta))),
        "m_final": ("final m_T", f"{result.m[-1]:.3f}"),
        "m_hat_final": ("final m̂_T", f"{result.m_hat[-1]:.3f}"),
    }


def stream_caption(result: StreamResult) -> list[str]:
    """What to look for, computed from the same numbers as the readout."""
    s, k = result.settings, PROBE_STEP - 1
    w1, w10 = float(weight_sum(s.beta, 1)), float(weight_sum(s.beta, PROBE_STEP))
    lines = [
        f"A noisy gradient stream g_t = μ + σ·ξ_t with μ = {s.mean:.2f}, σ = {s.noise:.2f}, averaged with "
        f"β = {fmt_beta(s.beta)} from m_0 = 0 over {s.steps} steps.",
        f"Cold start: the average puts total weight 1 − βᵗ on the data, so E[m_t] = (1 − βᵗ)μ, only "
        f"{w1:.3f}μ at t = 1 and {w10:.3f}μ at t = 10; it takes {warmup_steps(s.beta)} steps to reach 0.9μ. "
        f"Here m₁₀ = {result.m[k]:.3f}.",
    ]
    if s.bias_correction:
        lines.append(
            f"Bias correction on: m̂_t = m_t/(1 − βᵗ) removes that factor, so m̂_t is unbiased from the first "
            f"step (m̂₁ = g₁ = {result.m_hat[0]:.3f}); m̂₁₀ = {result.m_hat[k]:.3f}. Early on it averages few "
            "values, so it is as noisy as they are."
        )
    else:
        lines.append("Bias correction off: only m_t is drawn; switch it on to see m̂_t = m_t/(1 − βᵗ).")
    weight_final = float(weight_sum(s.beta, s.steps))
    lines.append(
        f"At t = {s.steps} the factor 1 − βᵗ is {weight_final:.3f}, so m_T = {result.m[-1]:.3f} and "
        f"m̂_T = {result.m_hat[-1]:.3f} {'agree' if abs(1 - weight_final) < 1e-3 else 'still differ'}."
    )
    return lines


LINE_STYLES = {
    "m": {"label": "$m_t$ (EMA from 0)", "linewidth": 2.0, **series_style(0)},
    "m_hat": {"label": r"$\hat m_t$ (corrected)", "linewidth": 2.0, **series_style(1)},
    "expected_m": {"label": r"$E[m_t] = (1-\beta^t)\mu$", "color": "black", "linestyle": ":", "linewidth": 1.2},
}


class StreamFigure:
    """One blitted panel: the stream and the true mean as background, the averages as moving lines.

    The legend sits right of the axes, so it never covers a point, and lists only what is drawn
    (m̂_t only while the correction is on); a change of the switch redraws the background.
    """

    def __init__(self, figsize: tuple[float, float] = (8.2, 3.4), dpi: int = 90) -> None:
        self.canvas = BlitFigure(figsize, dpi)
        self.ax = self.canvas.figure.add_subplot()
        self.lines = {}
        self._key = None

    def update(self, result: StreamResult) -> bytes:
        s = result.settings
        key = (s.mean, s.noise, s.steps, s.seed, s.bias_correction)
        if key != self._key:
            self._draw_background(result)
            self._key = key
        t = result.t
        for name, line in self.lines.items():
            line.set_data(t, getattr(result, name))
            line.set_markevery(max(1, s.steps // 10))
        return self.canvas.render()

    def _draw_background(self, result: StreamResult) -> None:
        ax = self.ax
        ax.clear()
        self.canvas.forget()
        static = _draw_static(ax, result)
        shown = drawn_averages(result.settings)
        self.lines = {
            name: ax.plot([], [], markersize=4, **{k: v for k, v in LINE_STYLES[name].items() if k != "label"})[0]
            for name in shown
        }
        handles = [*static, *(Line2D([], [], markersize=4, **LINE_STYLES[name]) for name in shown)]
        _legend_outside(ax, handles, fontsize=7)
        self.canvas.animate(self.lines.values())
        self.canvas.draw_background(relayout=True)


def drawn_averages(settings: StreamSettings) -> list[str]:
    """The lines drawn over the stream: m̂_t only while the correction is on."""
    return [name for name in LINE_STYLES if name != "m_hat" or settings.bias_correction]


def _legend_outside(ax, handles, fontsize: int) -> None:
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=fontsize)


def _draw_static(ax, result: StreamResult) -> list:
    """The stream and the true mean, with limits and labels; returns the two artists for the legend."""
    s = result.settings
    (points,) = ax.plot(result.t, result.g, ".", color="0.6", markersize=3, label="$g_t$ (noisy gradient)")
    mean = ax.axhline(s.mean, color="black", linewidth=1.0, linestyle="--", label=rf"true mean $\mu$ = {s.mean:.2f}")
    low, high = min(result.g.min(), 0.0), max(result.g.max(), 0.0)
    pad = 0.05 * (high - low or 1.0)
    ax.set_xlim(0, s.steps)
    ax.set_ylim(low - pad, high + pad)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("value")
    ax.set_title("Exponential moving average of a noisy stream, started at 0")
    ax.grid(True, alpha=0.3)
    return [points, mean]


def stream_snapshot(result: StreamResult, figsize: tuple[float, float] = (9, 3.6)) -> Figure:
    """The explorer's current state as an ordinary pyplot figure."""
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    static = _draw_static(ax, result)
    every = max(1, result.settings.steps // 10)
    lines = [
        ax.plot(result.t, getattr(result, name), markevery=every, markersize=4, **LINE_STYLES[name])[0]
        for name in drawn_averages(result.settings)
    ]
    _legend_outside(ax, [*static, *lines], fontsize=8)
    return fig
