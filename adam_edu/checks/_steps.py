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
import inspect
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ._harness import call, check_array_like, fail, first_mismatch, quiet, require_callable

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's

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
MAX_COMBINED = 3  # the most mistakes named together


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A known wrong implementation (reference signature) and the hint to give when it matches.

    ``knobs`` (from :func:`knob`) say how the mistake changes the contract's ``variant``; mistakes that
    change different knobs combine, so that code with two or three of them gets each one named.
    ``convention`` is set when the "mistake" is another library's or paper's legitimate form.
    """

    hint: str
    fn: Callable[..., tuple[np.ndarray, ...]]
    knobs: tuple[tuple[str, Any], ...] = ()
    convention: bool = False


def knob(variant: Callable[..., Callable], hint: str, *, convention: bool = False, **knobs: Any) -> Mistake:
    """A mistake that sets ``knobs`` of ``variant`` (the contract's step with some parts changed)."""
    return Mistake(hint, variant(**knobs), tuple(sorted(knobs.items())), convention)


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
    variant: Callable[..., Callable] | None = None  # variant(**knobs) -> a step function; combines knob mistakes
    regime_hints: dict[str, str] = dataclasses.field(default_factory=lambda: dict(REGIME_HINT))
    signed_state: tuple[str, ...] = ("m", "velocity")  # state that may be negative (the rest is >= 0)

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
    dtype: np.dtype
    hyper: dict  # the run's hyperparameters
    passed: bool  # were they passed as keywords (else the learner's own defaults applied)?


Guess = tuple[dict, dict]  # (the learner's own defaults, the constants of hyperparameters its code ignores)


def _used(update: _Update, guess: Guess) -> dict:
    """The hyperparameters the learner's code used in ``update``, if ``guess`` is right."""
    own, ignored = guess
    return {**update.hyper, **({} if update.passed else own), **ignored}


def _matches(contract: StepContract, fn: Callable, updates: list[_Update], guess: Guess) -> list[bool]:
    """For each update: does ``fn`` (reference signature) give what the learner's function gave?"""
    matches = []
    for update in updates:
        try:
            with quiet():
                wrong = fn(*update.exact, *((update.t,) if contract.uses_t else ()), **_used(update, guess))
            matches.append(_compare(contract, update.got, wrong, update.exact, update.dtype) is None)
        except Exception:  # a mistake that cannot run on these inputs explains nothing
            matches.append(False)
    return matches


Candidate = tuple[Mistake, ...]


def _combined(contract: StepContract, size: int) -> Iterator[Candidate]:
    """The sets of ``size`` knob mistakes that change different knobs (so that they can all be present)."""
    combinable = [m for m in contract.mistakes if m.knobs]
    for combo in itertools.combinations(combinable, size):
        keys = [key for mistake in combo for key, _ in mistake.knobs]
        if len(keys) == len(set(keys)):
            yield combo


def _implementation(contract: StepContract, candidate: Candidate) -> Callable:
    if not candidate:
        return contract.reference
    if len(candidate) == 1:
        return candidate[0].fn
    knobs = dict(kv for mistake in candidate for kv in mistake.knobs)
    return contract.variant(**knobs)


def _best(contract: StepContract, updates: list[_Update], failing: int, guess) -> tuple[Candidate | None, int]:
    """The candidate that reproduces the most updates (fewest mistakes first, then list order) and its count.

    Candidates must reproduce the failing update. The empty candidate is the reference itself, with the
    hyperparameters the learner's code really used (see :func:`_argument_notes`). Sets of two, then three
    mistakes are tried only when no smaller set reproduces every update.
    """
    best, best_count = None, -1
    sizes = [[(), *((m,) for m in contract.mistakes)]]
    if contract.variant is not None:
        sizes += [_combined(contract, size) for size in range(2, MAX_COMBINED + 1)]
    for candidates in sizes:
        for candidate in candidates:
            fn = _implementation(contract, candidate)
            if not _matches(contract, fn, [updates[failing]], guess)[0]:
                continue
            count = sum(_matches(contract, fn, updates, guess))
            if count > best_count:
                best, best_count = candidate, count
        if best_count == len(updates):
            break
    return best, best_count


def _joined(candidate: Candidate, further: bool = False) -> str:
    """The hints of ``candidate``; ``further``: after notes on the arguments, which are differences too."""
    if len(candidate) == 1:
        return candidate[0].hint
    count = {2: "two", 3: "three"}.get(len(candidate), str(len(candidate)))
    parts = " ".join(f"({i}) {m.hint}" for i, m in enumerate(candidate, 1))
    further = " further" if further else ""
    return f"{count}{further} differences from the contract together reproduce your output: {parts}"


def _diagnose(contract, updates: list[_Update], failing: int, guesses, mismatch, notes: list) -> tuple[str, bool]:
    """The hint for the learner's updates, and whether it reproduces all of them.

    ``updates`` are the failing run from its first wrong update on, then the runs of :func:`_probe_runs`;
    ``failing`` indexes the first wrong one. ``guesses`` are the
    hyperparameters the learner's code may really use (the first: the run's own).
    """
    update = updates[failing]
    before = dict(zip(contract.outputs, [update.exact[0], *update.exact[2:]], strict=True))[mismatch.output]
    unchanged = np.array_equal(dict(zip(contract.outputs, update.got, strict=True))[mismatch.output], before)
    candidate, count = None, -1
    for guess in guesses:
        found, found_count = _best(contract, updates, failing, guess)
        if found_count > count:
            candidate, count = found, found_count
    if candidate:  # a mistake that leaves a hyperparameter out (AdaGrad has no beta2) explains why it is ignored
        explained = set(_ignored_arguments(contract, _implementation(contract, candidate)))
        notes = [(name, text) for name, text in notes if name not in explained]
    notes = [text for _, text in notes]
    if candidate is not None and count == len(updates) and not (unchanged and not candidate):
        return _sentences([*notes, _joined(candidate, bool(notes))] if candidate else notes), True
    if candidate and 2 * count >= len(updates):
        text = (
            f"{_joined(candidate, further=bool(notes))} (This reproduces {count} of the {len(updates)} updates "
            "checked, so something else may be wrong too.)"
        )
        return _sentences([*notes, text]), False
    if unchanged and not candidate:  # no mistake explains it (hyperparameters it ignores are a consequence)
        return (
            f"your function returns {mismatch.output} unchanged: every element equals its input. Compute the new "
            f"{mismatch.output} and return it (a new array, for example `{mismatch.output} = ...`, then `return "
            f"{', '.join(contract.outputs)}`)."
        ), False
    if notes:
        return _sentences(notes), False
    if mismatch.count < mismatch.size and before[mismatch.index] == mismatch.got:
        return (
            f"some elements of {mismatch.output} were not updated at all: update whole arrays at once "
            f"(no loop over a few indices, no `[0]`); every element follows the same formula."
        ), False
    return contract.output_hints.get(mismatch.output, ""), False


# ------------------------------------------------------------------------- hyperparameters the code ignores

ALTERNATIVE = {  # another value of each hyperparameter, far enough from any default to change every output
    "lr": lambda x: 7 * x if x else 0.01,
    "beta1": lambda x: 0.5 if x != 0.5 else 0.7,
    "beta2": lambda x: 0.9 if x != 0.9 else 0.99,
    "eps": lambda x: 1e-3 if x != 1e-3 else 1e-2,
    "momentum": lambda x: 0.5 if x != 0.5 else 0.7,
    "weight_decay": lambda x: 0.3 if x != 0.3 else 0.1,
}


COMMON_EPS = (1e-8, 1e-7, 1e-10, 1e-6, 1e-5)


def _probe_inputs(contract: StepContract) -> list[np.ndarray]:
    rng = np.random.default_rng(2014)
    shape = (4, 3)
    inputs = [rng.standard_normal(shape), rng.standard_normal(shape)]
    for name in contract.state:
        size = rng.standard_normal(shape)
        inputs.append(size if name in contract.signed_state else 0.1 + size**2)
    return inputs


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        return bool(np.array_equal(a, b, equal_nan=True))
    except TypeError:  # not numbers: compare without NaN handling
        return bool(np.array_equal(a, b))


def _ignored_arguments(contract: StepContract, fn: Callable) -> list[str]:
    """The hyperparameters whose value does not change any output of ``fn`` (hard-coded in its body)."""
    inputs = _probe_inputs(contract)
    t = (5,) if contract.uses_t else ()
    try:
        with quiet():
            base = [np.asarray(x) for x in fn(*(x.copy() for x in inputs), *t, **contract.defaults)]
    except Exception:
        return []
    ignored = []
    for name, value in contract.defaults.items():
        other = {**contract.defaults, name: ALTERNATIVE[name](value)}
        try:
            with quiet():
                result = [np.asarray(x) for x in fn(*(x.copy() for x in inputs), *t, **other)]
        except Exception:
            continue
        if len(result) == len(base) and all(_same(a, b) for a, b in zip(result, base, strict=True)):
            ignored.append(name)
    return ignored


def _own_defaults(contract: StepContract, fn: Callable) -> dict[str, float]:
    """The defaults in ``fn``'s signature that differ from the contract's."""
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}
    wrong = {}
    for name, value in contract.defaults.items():
        default = getattr(parameters.get(name), "default", inspect.Parameter.empty)
        if isinstance(default, int | float) and not isinstance(default, bool) and default != value:
            wrong[name] = float(default)
    return wrong


def _argument_notes(contract: StepContract, fn: Callable, run: Run) -> tuple[list, list[Guess]]:
    """What the learner's code does with its hyperparameters, and guesses of the values it really uses.

    A hyperparameter the code ignores is a constant in its body: most often the contract's default, else
    0 (the term left out) or another library's eps.
    """
    notes, own = [], {}
    if run.hyper is None:
        for name, default in _own_defaults(contract, fn).items():
            notes.append(
                (
                    None,
                    f"your default for {name} is {default:g}; the contract's default is "
                    f"{contract.defaults[name]:g} (the signature is {contract.signature()}).",
                )
            )
            own[name] = default
    ignored = _ignored_arguments(contract, fn)
    if len(ignored) == len(contract.defaults):  # it computes nothing from them: another diagnosis says more
        ignored = []
    for name in ignored:
        value = contract.defaults[name]
        notes.append(
            (
                name,
                f"your function ignores its {name} argument: it returns the same for {name}={value:g} and "
                f"{name}={ALTERNATIVE[name](value):g}. Use the parameter {name} in the formula, not a constant.",
            )
        )
    constants = {name: contract.defaults[name] for name in ignored}
    guesses = [(own, constants)]
    if any(constants.values()):
        guesses.append((own, {name: 0.0 for name in ignored}))
    if "eps" in ignored:  # the constants libraries use: Keras 1e-7, TensorFlow 1's RMSProp 1e-10, fastai 1e-5, ...
        guesses += [(own, {**constants, "eps": eps}) for eps in COMMON_EPS if eps != constants["eps"]]
    return notes, guesses


# ------------------------------------------------------------------------------------------- the check


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
        rest.append(_Update(exact, t, got, run.dtype, dict(hyper), run.hyper is not None))
        theta, *state = _reference(contract, exact, t, hyper)
    return rest


def _fresh_run(contract, fn, run: Run, hyper: dict | None, regime: str, seed: int) -> list[_Update]:
    """The learner's updates on a fresh float64 run from its first update: with spiky gradients (which tell
    most mistakes apart) or with other hyperparameters (where a term the failing run's values hide, such as
    weight_decay = 0, shows)."""
    fresh = dataclasses.replace(run, hyper=hyper, regime=regime, dtype=np.dtype(np.float64))
    grads = gradients(regime, run.shape, len(T_SEQUENCE), np.random.default_rng(seed))
    start = [np.random.default_rng(seed + 1).standard_normal(run.shape)]
    start += [np.zeros(run.shape) for _ in contract.state]
    used = dict(contract.defaults if hyper is None else hyper)
    return _rest_of_run(contract, fn, fresh, {} if hyper is None else used, used, start, grads, 0)


def _probe_runs(contract, fn, run: Run, seed: int) -> list[_Update]:
    """A spiky run with the failing run's hyperparameters, then a plain one with another setting."""
    updates = _fresh_run(contract, fn, run, run.hyper, "spiky", seed + 1)
    others = [h for h in contract.settings if h != run.hyper]
    return updates + (_fresh_run(contract, fn, run, dict(others[0]), "plain", seed + 3) if others else [])


def explain(contract: StepContract, fn: Callable, run: Run, updates: list[_Update], failing: int, mismatch) -> str:
    """The hint for a learner's function whose update ``updates[failing]`` differs from the reference."""
    notes, guesses = _argument_notes(contract, fn, run)
    hint, certain = _diagnose(contract, updates, failing, guesses, mismatch, notes)
    extra = "" if certain else contract.regime_hints.get(run.regime, "")
    return " ".join(h for h in (hint, extra) if h)


def _sentences(parts: list[str]) -> str:
    """Hints joined into one text (each starts in lower case, as it may start with a variable's name)."""
    parts = [p for p in parts if p]
    return " Also, ".join(parts)


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
            mismatch = _compare(contract, got, expected, exact, run.dtype)
            if mismatch is not None:
                seen = [_Update(exact, t, got, run.dtype, hyper, run.hyper is not None)]
                seen += _rest_of_run(contract, fn, run, kwargs, hyper, expected, grads, t_index + 1)
                seen += _probe_runs(contract, fn, run, seed)
                fail(
                    f"{contract.name} returned a wrong {mismatch.output}.",
                    case,
                    mismatch.describe(),
                    explain(contract, fn, run, seen, 0, mismatch),
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
