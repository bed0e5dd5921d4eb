"""The engine behind the checkers of one-step update functions (momentum, RMSProp, Adam, AdaMax, AMSGrad).

A step function takes the parameters, the gradient and the state arrays (and, for the Adam family,
the 1-based step count ``t``) and returns new parameters and new state, without changing its inputs.
The engine runs it over many cases: every hyperparameter setting, arrays of several shapes, float64
and float32, and four kinds of gradients:

- ``plain``: entries of size about 1;
- ``tiny``: entries of size about 1e-7, so that eps is not negligible and its place shows;
- ``mixed``: entries from 1e-8 to 100 in one array, so a mistake in one coordinate cannot hide;
- ``spiky``: sizes that jump up and down from step to step, so that moving averages shrink and maxima matter.

Each run feeds the reference state back in ("teacher forcing"), so the first update that differs is
reported exactly, with its step count ``t``. On a difference, known mistakes are replayed on the same
inputs; the one that reproduces the learner's output names the hint.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ._harness import call, check_array_like, fail, first_mismatch, quiet, require_callable

SHAPES = ((5,), (4, 3), (2, 3, 4))
REGIMES = ("plain", "tiny", "mixed", "spiky")
T_SEQUENCE = (1, 2, 3, 4, 5, 6, 7, 8, 100, 1000, 10000)
SPIKY_SCALES = (1.0, 1e-2, 1e-2, 3.0, 1e-3, 1.0, 1e-4, 1e-2, 1.0, 1e-3, 2.0)
REGIME_TEXT = {
    "plain": "gradients of size about 1",
    "tiny": "gradients of size about 1e-7, where eps is not negligible",
    "mixed": "gradients from 1e-8 to 100 in one array",
    "spiky": "gradient sizes that jump from step to step (1, 0.01, 3, 0.001, ...)",
}
REGIME_HINT = {
    "tiny": "In this case the gradients are about 1e-7, so sqrt(v) is about as small as eps: "
    "check exactly where eps goes.",
    "spiky": "In this case the gradients jump between large and small, so the moving averages shrink between "
    "spikes: check how the state carries over from one step to the next.",
}


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A known wrong implementation (reference signature) and the hint to give when it matches."""

    hint: str
    fn: Callable[..., tuple[np.ndarray, ...]]


@dataclasses.dataclass(frozen=True)
class StepContract:
    """What a step function must do, and how to explain it when it does not."""

    name: str  # the learner's function, as the notebook names it
    checker: str  # e.g. "check_adam_step"
    state: tuple[str, ...]  # state arrays after theta and g, e.g. ("m", "v")
    uses_t: bool
    defaults: dict[str, float]  # hyperparameters and their defaults, in signature order
    settings: tuple[dict[str, float], ...]  # extra hyperparameter settings (the defaults are always tried first)
    reference: Callable[..., tuple[np.ndarray, ...]]  # float64, same signature, returns (theta, *state)
    mistakes: tuple[Mistake, ...]
    output_hints: dict[str, str]  # what to check when this output is the first that differs

    @property
    def outputs(self) -> tuple[str, ...]:
        return ("theta", *self.state)

    def signature(self) -> str:
        t = ", t" if self.uses_t else ""
        hyper = ", ".join(f"{k}={v:g}" for k, v in self.defaults.items())
        return f"{self.name}(theta, g, {', '.join(self.state)}{t}, {hyper}) -> ({', '.join(self.outputs)})"


@dataclasses.dataclass(frozen=True)
class Run:
    hyper: dict[str, float] | None  # None: call with the defaults, passing no keyword
    shape: tuple[int, ...]
    dtype: np.dtype
    regime: str

    def describe(self, contract: StepContract, t_index: int) -> str:
        hyper = contract.defaults if self.hyper is None else self.hyper
        settings = ", ".join(f"{k}={v:g}" for k, v in hyper.items())
        if self.hyper is None:
            settings = f"the defaults ({settings}, passed no keyword)"
        step = f"t={T_SEQUENCE[t_index]}" if contract.uses_t else f"update {t_index + 1}"
        return (
            f"{step} of a run with {settings}; arrays of shape {self.shape}, {self.dtype.name}; "
            f"{REGIME_TEXT[self.regime]}."
        )


def runs(contract: StepContract) -> Iterator[Run]:
    """Simplest first: the defaults in float64 on a short vector, then everything else."""
    settings = (None, *contract.settings)
    for hyper in settings:
        for shape in SHAPES:
            for regime in REGIMES:
                yield Run(hyper, shape, np.dtype(np.float64), regime)
    for hyper in settings:
        for regime in ("plain", "mixed"):
            yield Run(hyper, (4, 3), np.dtype(np.float32), regime)


def _magnitudes(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random signs and sizes in [0.1, ~3]: never zero, so that no division by zero is legitimate."""
    return rng.choice([-1.0, 1.0], size=shape) * (0.1 + np.abs(rng.standard_normal(shape)))


def gradients(regime: str, shape: tuple[int, ...], steps: int, rng: np.random.Generator) -> list[np.ndarray]:
    size = int(np.prod(shape))
    if regime == "mixed":
        scales = rng.permutation(np.logspace(-8, 2, size)).reshape(shape)
    else:
        scales = np.full(shape, 1e-7 if regime == "tiny" else 1.0)
    out = []
    for k in range(steps):
        step_scale = SPIKY_SCALES[k % len(SPIKY_SCALES)] if regime == "spiky" else 1.0
        out.append(_magnitudes(rng, shape) * scales * step_scale)
    return out


def _in_check_order(contract: StepContract, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Outputs reordered state first, theta last: a wrong state explains a wrong theta, not the reverse."""
    return [*arrays[1:], arrays[0]]


def _compare(contract: StepContract, got, expected, exact_inputs, dtype):
    before = [exact_inputs[0], *exact_inputs[2:]]
    names = _in_check_order(contract, list(contract.outputs))
    return first_mismatch(
        names,
        _in_check_order(contract, got),
        _in_check_order(contract, list(expected)),
        _in_check_order(contract, before),
        dtype,
    )


@dataclasses.dataclass(frozen=True)
class _Update:
    """One update of a run: the exact inputs, the step count and what the learner's function returned."""

    exact: list[np.ndarray]
    t: int
    got: list[np.ndarray]


def _matches(contract: StepContract, mistake: Mistake, history: list[_Update], hyper, dtype) -> list[bool]:
    matches = []
    for update in history:
        try:
            with quiet():
                wrong = mistake.fn(*update.exact, *((update.t,) if contract.uses_t else ()), **hyper)
            matches.append(_compare(contract, update.got, wrong, update.exact, dtype) is None)
        except Exception:  # a mistake that cannot run on these inputs explains nothing
            matches.append(False)
    return matches


def _diagnose(contract: StepContract, history: list[_Update], failing: int, hyper, dtype, mismatch, probe) -> str:
    """The hint of the known mistake that reproduces the learner's run (every update of it, else the failing one).

    When several mistakes reproduce the whole run, ``probe()`` gives the learner's updates on a run with
    spiky gradients, which tells most of them apart.
    """
    matches = {mistake: _matches(contract, mistake, history, hyper, dtype) for mistake in contract.mistakes}
    whole = [mistake for mistake, m in matches.items() if all(m)]
    if len(whole) > 1:
        extra = probe()
        whole = [mistake for mistake in whole if all(_matches(contract, mistake, extra, hyper, dtype))] or whole
    if whole:
        return whole[0].hint
    at_failure = [mistake for mistake, m in matches.items() if m[failing]]
    if at_failure:
        return at_failure[0].hint
    update = history[failing]
    before = dict(zip(contract.outputs, [update.exact[0], *update.exact[2:]], strict=True))[mismatch.output]
    if mismatch.count < mismatch.size and before[mismatch.index] == mismatch.got:
        return (
            f"some elements of {mismatch.output} were not updated at all: update whole arrays at once "
            f"(no loop over a few indices, no `[0]`); every element follows the same formula."
        )
    return contract.output_hints.get(mismatch.output, "")


def _reference(contract: StepContract, exact, t, hyper):
    with quiet():
        return contract.reference(*exact, *((t,) if contract.uses_t else ()), **hyper)


def _rest_of_run(contract, fn, run, kwargs, hyper, expected, grads, start) -> list[_Update]:
    """The learner's updates after the failing one (same teacher-forced inputs), for the diagnosis."""
    rest = []
    theta, *state = expected
    for t_index in range(start, len(T_SEQUENCE)):
        t = T_SEQUENCE[t_index]
        inputs = [x.astype(run.dtype) for x in (theta, grads[t_index], *state)]
        try:
            with quiet():
                result = fn(*inputs, *((t,) if contract.uses_t else ()), **kwargs)
            got = [np.asarray(x, dtype=np.float64).reshape(run.shape) for x in result]
        except Exception:  # the diagnosis uses what there is
            break
        if len(got) != len(contract.outputs):
            break
        exact = [x.astype(np.float64) for x in inputs]
        rest.append(_Update(exact, t, got))
        theta, *state = _reference(contract, exact, t, hyper)
    return rest


def check_step(fn: Any, contract: StepContract, seed: int = 0) -> None:
    """Run ``fn`` through every case of ``contract``; raise AssertionError at the first wrong update."""
    require_callable(contract.checker, fn, f"{contract.checker}({contract.name})")
    rng = np.random.default_rng(seed)
    updates = 0
    for run in runs(contract):
        hyper = dict(contract.defaults if run.hyper is None else run.hyper)
        kwargs = {} if run.hyper is None else dict(hyper)
        theta = rng.standard_normal(run.shape)
        state = [np.zeros(run.shape) for _ in contract.state]
        grads = gradients(run.regime, run.shape, len(T_SEQUENCE), rng)
        history: list[_Update] = []
        for t_index, g in enumerate(grads):
            t = T_SEQUENCE[t_index]
            inputs = [x.astype(run.dtype) for x in (theta, g, *state)]
            saved = [x.copy() for x in inputs]
            case = run.describe(contract, t_index)
            result = call(fn, (*inputs, *((t,) if contract.uses_t else ())), kwargs, case)
            _check_inputs_unchanged(contract, inputs, saved, case)
            got = _unpack(contract, result, run, case)
            exact = [x.astype(np.float64) for x in inputs]
            expected = _reference(contract, exact, t, hyper)
            history.append(_Update(exact, t, got))
            mismatch = _compare(contract, got, expected, exact, run.dtype)
            if mismatch is not None:
                history += _rest_of_run(contract, fn, run, kwargs, hyper, expected, grads, t_index + 1)

                def probe(run=run, kwargs=kwargs, hyper=hyper):
                    spiky = dataclasses.replace(run, regime="spiky", dtype=np.dtype(np.float64))
                    grads = gradients("spiky", run.shape, len(T_SEQUENCE), np.random.default_rng(seed + 1))
                    start = [np.random.default_rng(seed + 2).standard_normal(run.shape)]
                    start += [np.zeros(run.shape) for _ in contract.state]
                    return _rest_of_run(contract, fn, spiky, kwargs, hyper, start, grads, 0)

                hint = _diagnose(contract, history, t_index, hyper, run.dtype, mismatch, probe)
                extra = REGIME_HINT.get(run.regime, "")
                fail(
                    f"{contract.name} returned a wrong {mismatch.output}.",
                    case,
                    mismatch.describe(),
                    " ".join(h for h in (hint, extra) if h),
                )
            updates += 1
            theta, *state = expected
    n_settings = 1 + len(contract.settings)
    print(
        f"{contract.name} is correct: {updates} updates checked ({n_settings} hyperparameter settings, "
        f"{len(SHAPES)} array shapes, float64 and float32, tiny to large gradients)."
    )


def _check_inputs_unchanged(contract: StepContract, inputs, saved, case: str) -> None:
    for name, now, before in zip(("theta", "g", *contract.state), inputs, saved, strict=True):
        if not np.array_equal(now, before, equal_nan=True):
            fail(
                f"{contract.name} changed its input {name} in place.",
                case,
                "",
                f"the contract is that no input is mutated: compute new arrays (`{name} = ...` rebinds the "
                f"name; `{name} += ...`, `{name} *= ...` or `{name}[...] = ...` write into the caller's array). "
                f"If you prefer in-place operations, work on a copy: `{name} = {name}.copy()`.",
            )


def _unpack(contract: StepContract, result: Any, run: Run, case: str) -> list[np.ndarray]:
    n = len(contract.outputs)
    if not isinstance(result, tuple | list) or len(result) != n:
        got = f"a {type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, tuple | list) else "")
        fail(
            f"{contract.name} should return a tuple ({', '.join(contract.outputs)}); it returned {got}.",
            case,
            "",
            f"end the function with `return {', '.join(contract.outputs)}`.",
        )
    return [
        check_array_like(contract.name, name, value, run.shape, run.dtype, case)
        for name, value in zip(contract.outputs, result, strict=True)
    ]
