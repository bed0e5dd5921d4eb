"""What each lab claims, written once: the lab notebook checks these claims on seed 0, and ``adam-edu seeds``
counts the seeds they hold in.

A :class:`Claim` compares one *measure* (a number that :mod:`adam_edu.labs.runs` computes from a lab's
runs, such as Adam's final loss divided by AdaGrad's) with a bound. ``asserted=False`` marks an
*observation*: the lab reports in how many seeds it held and does not assert it, because it did not hold
in every seed, or held without room to spare. The bounds of asserted claims were set from the seed
study (``adam_edu/labs/results/LAB.json``): each lies beyond the worst case seen over the seeds.

>>> claim = Claim("lab1", "dense", "dense_adam_adagrad_final", "<", 0.85, "Adam ends below AdaGrad")
>>> claim.holds(0.7), claim.holds(0.9), claim.holds(float("nan"))
(True, False, False)
>>> claim.worst([0.6, 0.79, 0.7])  # for "<" the largest value comes closest to breaking it
0.79
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Iterable, Mapping

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclasses.dataclass(frozen=True)
class Claim:
    """``measure op bound`` for one lab; ``text`` says it in words; ``asserted=False`` for an observation."""

    lab: str
    part: str
    measure: str
    op: str
    bound: float
    text: str
    asserted: bool = True

    def __post_init__(self):
        if self.op not in OPS:
            raise ValueError(f"The 'op' of a Claim must be one of {', '.join(OPS)}. Got {self.op!r} instead.")

    def holds(self, value: float) -> bool:
        """Whether ``value`` satisfies the claim; NaN (a diverged run) never does."""
        return not math.isnan(value) and bool(OPS[self.op](value, self.bound))

    def worst(self, values: Iterable[float]) -> float:
        """The value closest to breaking the claim, or breaking it most: the largest for ``<``, the smallest for ``>``.

        NaN counts as the worst of all.
        """
        values = list(values)
        if any(math.isnan(v) for v in values):
            return math.nan
        return max(values) if self.op in ("<", "<=") else min(values)

    @property
    def condition(self) -> str:
        return f"{self.op} {self.bound:g}"


# Each measure's part of the lab and what it is, in words (the keys are those computed in adam_edu.labs.runs).
MEASURES: dict[str, dict[str, tuple[str, str]]] = {
    "lab1": {
        "dense_adam_adagrad_final": ("dense", "digits, final loss: Adam / AdaGrad"),
        "dense_sgd_adagrad_final": ("dense", "digits, final loss: SGD-Nesterov / AdaGrad"),
        "dense_adam_sgd_final": ("dense", "digits, final loss: Adam / SGD-Nesterov"),
        "adagrad_constant_schedule_final": ("constant", "AdaGrad final loss: constant alpha / alpha/sqrt(t)"),
        "adam_adagrad_constant_final": ("constant", "final loss: Adam / AdaGrad with constant alpha"),
        "sparse_adam_sgd_final": ("sparse", "sparse, final loss: Adam / SGD-Nesterov"),
        "sparse_adagrad_sgd_final": ("sparse", "sparse, final loss: AdaGrad / SGD-Nesterov"),
        "sparse_adam_adagrad_auc": ("sparse", "sparse, AUC: Adam / AdaGrad"),
        "sparse_adam_adagrad_final": ("sparse", "sparse, final loss: Adam / AdaGrad"),
        "presence_adam_sgd_final": ("presence", "0/1 presence, final loss: Adam / SGD-Nesterov"),
        "presence_adagrad_sgd_final": ("presence", "0/1 presence, final loss: AdaGrad / SGD-Nesterov"),
    },
    "lab2": {
        "adam_adagrad_auc": ("grid", "AUC: Adam / AdaGrad"),
        "adam_rmsprop_auc": ("grid", "AUC: Adam / RMSProp"),
        "adam_sgd_auc": ("grid", "AUC: Adam / SGD-Nesterov"),
        "adam_adadelta_auc": ("grid", "AUC: Adam / AdaDelta"),
        "adam_best_other_auc": ("grid", "AUC: Adam / the best other optimizer"),
        "adam_sgd_final": ("grid", "final loss: Adam / SGD-Nesterov"),
        "adam_best_other_final": ("grid", "final loss: Adam / the best other optimizer"),
    },
    "lab3": {
        **{
            f"{prefix}_{key}": (prefix, f"{where}, {what}")
            for prefix, where in (("plain", "no dropout"), ("dropout", "dropout"))
            for key, what in (
                ("adam_adagrad_auc", "AUC: Adam / AdaGrad"),
                ("adam_sgd_auc", "AUC: Adam / SGD-Nesterov"),
                ("adagrad_sgd_auc", "AUC: AdaGrad / SGD-Nesterov"),
                ("adam_sgd_final", "final loss: Adam / SGD-Nesterov"),
                ("adam_adagrad_final", "final loss: Adam / AdaGrad"),
            )
        },
        "v_hat_median_shrink": ("v_hat", "median sqrt(v_hat): last epoch / largest"),
        "v_hat_median_over_eps": ("v_hat", "median sqrt(v_hat) at the end / eps"),
        "v_hat_near_eps_share": ("v_hat", "share of weights with sqrt(v_hat) <= 100 eps"),
        "v_hat_below_threshold_share": ("v_hat", "share of weights with sqrt(v_hat) <= 1e-4"),
    },
    "lab4": {
        "diverged_corrected": ("sweep", "diverged runs of 30, with correction"),
        "diverged_uncorrected": ("sweep", "diverged runs of 30, without correction"),
        "diverged_corrected_below_top_lr": ("sweep", "diverged runs of 24 at alpha <= 1e-2, with correction"),
        "diverged_uncorrected_below_top_lr": ("sweep", "diverged runs of 24 at alpha <= 1e-2, without correction"),
        **{
            f"unstable_{name}_{b2}": ("sweep", f"unstable runs of 10 at beta2={b2}, {name}")
            for name in ("uncorrected", "corrected")
            for b2 in (0.99, 0.999, 0.9999)
        },
        "unstable_growth": ("sweep", "unstable uncorrected runs: beta2=0.9999 minus 0.99"),
        "gap_09_09999": ("sweep", "b1=0.9, b2=0.9999: best uncorrected - best corrected"),
        "tiny_lr_uncorrected_lead": ("sweep", "b1=0.9, b2=0.9999, alpha=1e-5: corrected - uncorrected"),
        "beta1_0_uncorrected_lead": ("sweep", "b1=0, b2=0.9999: best corrected - best uncorrected"),
        "overall_corrected_minus_uncorrected": ("sweep", "best corrected - best uncorrected, whole grid"),
    },
    "lab5": {
        "float64_max_gap": ("float64", "float64, 200 steps: largest gap to torch"),
        "float32_gap_step1": ("float32", "float32: PaperAdam vs torch after 1 step"),
        "float32_gap_step100": ("float32", "float32: PaperAdam vs torch after 100 steps"),
        "float32_gap_last": ("float32", "float32: PaperAdam vs torch after 300 steps"),
    },
}
"""``MEASURES[lab][measure] = (part, description)``; lab 4's differences are in nats of negative ELBO."""


def _claims(lab: str, rows: Iterable[tuple]) -> tuple[Claim, ...]:
    return tuple(Claim(lab, *row) for row in rows)


CLAIMS: dict[str, tuple[Claim, ...]] = {
    "lab1": _claims(
        "lab1",
        [
            ("dense", "dense_adam_adagrad_final", "<", 0.65, "Adam ends below AdaGrad"),
            ("dense", "dense_sgd_adagrad_final", "<", 0.8, "SGD-Nesterov ends below AdaGrad"),
            ("dense", "dense_adam_sgd_final", "<", 0.85, "Adam ends below SGD-Nesterov"),
            ("dense", "dense_adam_sgd_final", ">", 0.9, "Adam and SGD-Nesterov about level (paper)", False),
            ("constant", "adagrad_constant_schedule_final", "<", 0.75, "AdaGrad does better with a constant alpha"),
            (
                "constant",
                "adam_adagrad_constant_final",
                "<",
                1.0,
                "Adam still ends below constant-alpha AdaGrad",
                False,
            ),
            ("sparse", "sparse_adam_sgd_final", "<", 0.65, "sparse: Adam ends far below SGD-Nesterov"),
            ("sparse", "sparse_adagrad_sgd_final", "<", 0.9, "sparse: AdaGrad ends below SGD-Nesterov"),
            ("sparse", "sparse_adam_adagrad_auc", "<", 0.9, "sparse: Adam faster than AdaGrad (paper: a tie)"),
            ("presence", "presence_adam_sgd_final", ">", 0.7, "0/1 presence: Adam's lead over SGD-N mostly gone"),
            ("presence", "presence_adagrad_sgd_final", ">", 1.0, "0/1 presence: AdaGrad ends above SGD-Nesterov"),
        ],
    ),
    "lab2": _claims(
        "lab2",
        [
            ("grid", "adam_best_other_auc", "<", 0.9, "Adam has the smallest AUC, by a margin"),
            ("grid", "adam_sgd_final", "<", 1.0, "Adam ends below SGD-Nesterov", False),
            ("grid", "adam_best_other_final", "<", 1.0, "Adam has the lowest final loss", False),
        ],
    ),
    "lab3": _claims(
        "lab3",
        [
            ("plain", "plain_adam_adagrad_auc", "<", 0.75, "no dropout: Adam faster than AdaGrad"),
            ("plain", "plain_adam_sgd_auc", "<", 0.65, "no dropout: Adam faster than SGD-Nesterov"),
            ("dropout", "dropout_adam_sgd_auc", "<", 0.9, "dropout: Adam faster than SGD-Nesterov"),
            ("dropout", "dropout_adam_adagrad_auc", "<", 1.0, "dropout: Adam faster than AdaGrad", False),
            ("plain", "plain_adagrad_sgd_auc", ">", 1.0, "no dropout: SGD-Nesterov faster than AdaGrad (paper)", False),
            (
                "dropout",
                "dropout_adagrad_sgd_auc",
                ">",
                1.0,
                "dropout: SGD-Nesterov faster than AdaGrad (paper)",
                False,
            ),
            ("v_hat", "v_hat_median_shrink", "<", 0.8, "median sqrt(v_hat) shrinks as training converges"),
            ("v_hat", "v_hat_median_over_eps", ">", 1e4, "median sqrt(v_hat) stays far above eps"),
        ],
    ),
    "lab4": _claims(
        "lab4",
        [
            ("sweep", "diverged_corrected", "<=", 0, "with correction no run diverges (paper)", False),
            ("sweep", "diverged_corrected_below_top_lr", "<=", 0, "with correction no run at alpha <= 1e-2 diverges"),
            ("sweep", "diverged_uncorrected", ">=", 1, "without correction some runs diverge", False),
            ("sweep", "unstable_growth", ">", 0, "instability grows as beta2 -> 1 (uncorrected)", False),
            ("sweep", "gap_09_09999", ">", 5.0, "b1=0.9, b2=0.9999: correction wins"),
            ("sweep", "tiny_lr_uncorrected_lead", ">", 100.0, "at alpha=1e-5 the uncorrected run is better"),
            ("sweep", "beta1_0_uncorrected_lead", "<", -5.0, "b1=0: correction wins (paper)"),
            ("sweep", "overall_corrected_minus_uncorrected", "<", 0.0, "whole grid: the best run is corrected"),
        ],
    ),
    "lab5": _claims(
        "lab5",
        [
            ("float64", "float64_max_gap", "<", 1e-12, "float64: the three Adams agree over the run"),
            ("float32", "float32_gap_step1", "<", 1e-6, "float32: agree after one step, up to rounding"),
            ("float32", "float32_gap_step100", "<", 1e-5, "float32: still close after 100 steps", False),
        ],
    ),
}
"""Every lab's claims; ``asserted=False`` rows are observations (reported, not asserted)."""


def claims_of(lab: str, part: str | Iterable[str] | None = None) -> tuple[Claim, ...]:
    """The claims of ``lab`` (only those of ``part``, or of the parts named, if given)."""
    if lab not in CLAIMS:
        raise KeyError(f"Unknown lab {lab!r}; choose one of {', '.join(CLAIMS)}.")
    parts = None if part is None else ({part} if isinstance(part, str) else set(part))
    return tuple(c for c in CLAIMS[lab] if parts is None or c.part in parts)


def format_value(value: float) -> str:
    """A measure as the reports print it: 3 decimals, or 3 significant digits when very small or large."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e4):
        return f"{value:.2e}"
    return f"{value:.3f}"


def check_claims(
    lab: str, margins: Mapping[str, float], part: str | Iterable[str] | None = None, enforce: bool = True
) -> None:
    """Print each claim of ``lab`` (or of its ``part`` or parts) with this run's value; raise if an asserted one fails.

    With ``enforce=False`` (full mode, where the bounds were never studied)
    nothing is raised. Observations are printed and never raise.
    """
    chosen = claims_of(lab, part)
    missing = sorted({c.measure for c in chosen} - set(margins))
    if missing:
        raise KeyError(f"check_claims({lab!r}) needs the measure(s) {', '.join(missing)}; got {', '.join(margins)}.")
    lines, failed = [], []
    for claim in chosen:
        value = float(margins[claim.measure])
        ok = claim.holds(value)
        kind = "claim" if claim.asserted else "observation"
        verdict = "holds" if ok else ("FAILS" if claim.asserted else "does not hold")
        lines.append(f"{kind:11s} {claim.text:50s} {format_value(value):>9s} {claim.condition:>8s}  {verdict}")
        if claim.asserted and not ok:
            failed.append(f"{claim.text}: {claim.measure} = {format_value(value)}, expected {claim.condition}")
    print("\n".join(lines))
    if failed and enforce:
        raise AssertionError(f"{lab}: {len(failed)} claim(s) failed:\n" + "\n".join(failed))
