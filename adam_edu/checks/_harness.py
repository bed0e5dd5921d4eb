"""What every checker shares: call the learner's code safely, compare with tolerances that fit the dtype, explain.

A checker raises :class:`AssertionError` with one message that says which case failed, the expected
value against the value received, and a hint naming the likely mistake. It never prints the reference
code, and nothing reaches stderr while the learner's code runs (nbgrader scores any stderr as a failure).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import os
import re
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

import numpy as np

# pytest leaves out the frames of a module whose globals say so: a learner's failing test shows their own
# code and the checker's message, not the checker's internals.
__tracebackhide__ = True
CHECKS_FOLDER = os.path.dirname(os.path.abspath(__file__))

# Each output may differ from the reference by RTOL times the change the update makes to it, plus a
# rounding allowance of ROUNDING_ULPS units of the dtype's machine epsilon times its magnitude.
RTOL = {np.dtype(np.float64): 1e-7, np.dtype(np.float32): 2e-3}
ROUNDING_ULPS = 8

STUB_MESSAGE = (
    "{name} is not implemented yet: it raises NotImplementedError.\n"
    "Replace the lines `# YOUR CODE HERE` and `raise NotImplementedError()` with your code."
)


def name_of(fn: Any) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def require_callable(checker: str, fn: Any, example: str) -> None:
    if not callable(fn):
        raise AssertionError(
            f"{checker} needs your function (or class) itself, as in `{example}`. Got {type(fn).__name__} instead."
        )


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence warnings and stderr: nbgrader gives zero points to a graded cell that writes to stderr."""
    with (
        warnings.catch_warnings(),
        np.errstate(all="ignore"),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        yield


def call(fn: Callable, args: Sequence[Any], kwargs: dict[str, Any], case: str) -> Any:
    """``fn(*args, **kwargs)``; a stub or a crash becomes an AssertionError that says what happened."""
    name = name_of(fn)
    try:
        with quiet():
            return fn(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(STUB_MESSAGE.format(name=name)) from None
    except Exception as exc:
        raise AssertionError(
            f"{name} raised {type(exc).__name__}: {exc}\nCase: {case}\nHint: {_hint_for(exc)}"
        ) from exc


def _hint_for(exc: Exception) -> str:
    text = str(exc)
    unexpected = re.search(r"unexpected keyword argument '(\w+)'", text)
    if isinstance(exc, TypeError) and unexpected:
        return (
            f"your function has no parameter `{unexpected.group(1)}`: give it every keyword parameter of the "
            "contract's signature, with its default (the checker passes the hyperparameters by name)."
        )
    if isinstance(exc, TypeError) and "integer scalar arrays" in text:
        return (
            "np.max(a, b) takes its second argument b as the axis to reduce along, not as a second array. For "
            "an elementwise maximum of two arrays use np.maximum(a, b). The traceback above shows the line."
        )
    if isinstance(exc, ZeroDivisionError):
        return (
            "something divides by zero. A bias correction 1 - beta**t is zero only when t = 0: does your code "
            "count t from 0 (t - 1 in place of t)? t counts updates from 1 (the first call has t=1). The traceback "
            "above shows the line."
        )
    if "truth value of an array" in text:
        return (
            "Python's max, min, `if` and `and` do not work elementwise on arrays: use np.maximum(a, b) for an "
            "elementwise maximum. The traceback above shows the line."
        )
    if "broadcast" in text or "shapes" in text:
        return "the arrays' shapes do not match: work elementwise on arrays shaped like theta."
    return "the traceback above shows the line of your code that failed."


def fail(summary: str, case: str, detail: str, hint: str) -> NoReturn:
    lines = [summary, f"Case: {case}"]
    if detail:
        lines.append(detail)
    if hint:
        lines.append(f"Hint: {hint}")
    raise AssertionError("\n".join(lines))


def fmt(x: float) -> str:
    """A number for a message: enough digits to see the difference, no numpy repr."""
    return f"{float(x):.10g}"


def tolerance(expected: np.ndarray, before: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Allowed elementwise error: relative to the change the update makes, plus rounding in ``dtype``."""
    dtype = np.dtype(dtype)
    change = np.abs(expected - before)
    rounding = ROUNDING_ULPS * np.finfo(dtype).eps * (np.abs(before) + np.abs(expected))
    return RTOL[dtype] * change + rounding + np.finfo(dtype).tiny


def differs(got: np.ndarray, expected: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Elementwise: does ``got`` miss ``expected`` by more than ``tol``? NaN matches only NaN, inf only itself."""
    with np.errstate(all="ignore"):
        both_nan = np.isnan(got) & np.isnan(expected)
        same_inf = np.isinf(got) & (got == expected)
        far = ~(np.abs(got - expected) <= tol)
    return far & ~both_nan & ~same_inf


@dataclasses.dataclass(frozen=True)
class Mismatch:
    output: str
    index: tuple[int, ...]
    expected: float
    got: float
    count: int
    size: int

    def describe(self) -> str:
        where = f" at index {self.index}" if self.index else ""
        return (
            f"First difference in {self.output}{where}: expected {fmt(self.expected)}, got {fmt(self.got)} "
            f"({self.count} of {self.size} elements differ)."
        )


def first_mismatch(
    names: Sequence[str],
    got: Sequence[np.ndarray],
    expected: Sequence[np.ndarray],
    before: Sequence[np.ndarray],
    dtype: np.dtype,
) -> Mismatch | None:
    """The first output (in order) that differs from the reference, or None when all agree."""
    for name, g, e, b in zip(names, got, expected, before, strict=True):
        g = np.asarray(g, dtype=np.float64)
        with np.errstate(all="ignore"):
            bad = differs(g, e, tolerance(e, b, dtype))
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
            return Mismatch(name, index, float(e[index]), float(g[index]), int(bad.sum()), int(bad.size))
    return None


def check_array_like(fn_name: str, what: str, value: Any, shape: tuple[int, ...], dtype: np.dtype, case: str):
    """``value`` as an ndarray of ``shape`` and ``dtype``, or fail saying what is off."""
    if not isinstance(value, np.ndarray | np.generic | float):
        fail(
            f"{fn_name} returned {what} as {type(value).__name__}; it should be a numpy array.",
            case,
            "",
            "compute with numpy arrays (for example `beta1 * m + (1 - beta1) * g`), not Python lists or loops.",
        )
    array = np.asarray(value)
    if array.shape != shape:
        hint = "work elementwise on whole arrays; do not index a single row or element, and do not sum or average."
        if array.shape == ():
            hint = (
                "one number came back where an array was expected: np.max, np.min, np.sum and np.mean reduce a "
                "whole array (or a list of arrays) to one number. For an elementwise maximum of two arrays use "
                "np.maximum(a, b); otherwise work elementwise on whole arrays."
            )
        fail(
            f"{fn_name} returned {what} of shape {array.shape}; it should have the shape of the inputs, {shape}.",
            case,
            "",
            hint,
        )
    if array.dtype != dtype:
        fail(
            f"{fn_name} returned {what} as {array.dtype}, but the inputs were {np.dtype(dtype)}.",
            case,
            "",
            "keep the parameters' dtype: float32 in, float32 out. NumPy scalars such as `np.sqrt(1 - beta2**t)` "
            "or `np.float64(...)` turn float32 arrays into float64; use Python floats instead "
            "(`math.sqrt(...)`, `(1 - beta2**t) ** 0.5`) and avoid `dtype=float` and `.astype(...)`.",
        )
    return array


# ------------------------------------------------------------------------------- what the learner sees


def _outside_the_checks(tb: types.TracebackType | None) -> types.TracebackType | None:
    """``tb`` without the frames of this package's checkers (the learner's own frames and the cell stay)."""
    kept = []
    while tb is not None:
        if not os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(CHECKS_FOLDER + os.sep):
            kept.append(tb)
        tb = tb.tb_next
    trimmed = None
    for entry in reversed(kept):
        trimmed = types.TracebackType(trimmed, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return trimmed


def _render_without_checker_frames(exc: BaseException) -> list[str]:
    """IPython's usual traceback of ``exc`` and its causes, minus the checker's frames.

    IPython (JupyterLab, nbgrader, nbconvert) calls an exception's ``_render_traceback_`` when it has one.
    """
    seen, link = set(), exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = _outside_the_checks(link.__traceback__)
        link = (
            link.__cause__ if link.__cause__ is not None else (None if link.__suppress_context__ else link.__context__)
        )
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython calls this, so it is there
        shell = None
    if shell is None:
        import traceback

        return traceback.format_exception(type(exc), exc, exc.__traceback__)
    return shell.InteractiveTB.structured_traceback(type(exc), exc, exc.__traceback__)


def student_facing(checker: Callable) -> Callable:
    """Decorate a public checker: its AssertionError shows the message and the learner's frames, not the checker's."""

    @functools.wraps(checker)
    def wrapper(*args, **kwargs):
        try:
            return checker(*args, **kwargs)
        except AssertionError as exc:
            exc._render_traceback_ = functools.partial(_render_without_checker_frames, exc)
            raise

    return wrapper
