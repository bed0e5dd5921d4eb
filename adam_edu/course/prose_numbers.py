"""Numbers quoted in prose that no code computed: the check behind "every number in prose is computed".

A number in a notebook's Markdown is *supported* when the same value, rounded to the precision the prose quotes,
appears in that notebook's code or in one of its outputs that nbval compares (outputs of cells tagged
``nbval-ignore-output`` or ``nbval-skip`` change from machine to machine and do not count). An exercise is
generated from its solution, so the solution's code and outputs support the exercise's prose too. The cheat sheet
has no code: ``adam_edu.course.cheatsheet.cheatsheet_numbers()`` computes what it quotes.

Which numbers count: anything written with a decimal point (``3.16``), an exponent (``1e-8``, ``10^{-8}``,
``3.16\\cdot 10^{-7}``) or a thousands separator (``2,300``). Plain integers (``t = 12``, ``100 steps``) do not.
Not numbers in this sense: section, figure and theorem numbers (``Section 2.1``), versions (``nbgrader 0.9.6``,
``Python 3.11``), arXiv identifiers and anything inside a link target. ``EXACT_CONSTANTS`` lists the few exact
values prose may quote without code (the paper's defaults and the like), each with the reason it is exact.

Run ``adam-edu prose-numbers [PATH ...]`` to list the unsupported numbers of notebooks; the test suite runs it on
every notebook, exercise and solution and on the cheat sheet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .execute import REPO_ROOT, find_notebooks

CHEATSHEET = Path(__file__).with_name("handouts_assets") / "cheatsheet.html"

# Exact values that prose may quote without a line of code computing them. Keep this list short and reviewed:
# a number belongs here only when it is exact by definition, never because it is a result.
EXACT_CONSTANTS: dict[str, str] = {
    "0.9": "the paper's default beta1",
    "0.999": "the paper's default beta2",
    "1e-8": "the paper's default eps",
    "1e-3": "the paper's default alpha (0.001)",
    "0.002": "the paper's default alpha for AdaMax",
}

# Words after which a number is a reference or a version, not a quantity.
_REFERENCE_WORDS = (
    r"(?:Sections?|Secs?\.|§§?|Theorems?|Thm\.|Lemmas?|Corollary|Corollaries|Figures?|Figs?\.|Tables?|Eqs?\.|"
    r"Equations?|Algorithms?|Alg\.|Appendix|Appendices|Definitions?|Propositions?|Remarks?|Chapters?|Ch\.|Lectures?|"
    r"Part)"
)
_TOOLS = (
    r"(?:Python|CPython|PyTorch|torch|NumPy|numpy|matplotlib|ipywidgets|ipykernel|JupyterLab|Jupyter|nbgrader|"
    r"nbval|nbclient|nbformat|nbconvert|optax|Keras|keras|TensorFlow|JAX|jax|MathJax|node|Node\.js|Chromium|"
    r"scikit-learn|sklearn|tqdm|pytest|hypothesis|ruff|CUDA|version|v)"
)
_REFERENCE = re.compile(rf"{_REFERENCE_WORDS}~?\s*\d+(?:\.\d+)*(?:\s*(?:,|and|or|&|–|-|to)\s*\d+(?:\.\d+)*)*")
_VERSION = re.compile(rf"\b{_TOOLS}\s*(?:==|>=|<=|<|>|=|~=)?\s*\d+(?:\.\d+)+\b|\b\d+\.\d+\.\d+(?:\.\d+)*\b")
_ARXIV = re.compile(r"arXiv:\s*\d{4}\.\d{4,5}(?:v\d+)?|\b\d{4}\.\d{4,5}v\d+\b", re.IGNORECASE)
_LINK_TARGET = re.compile(r"\]\([^)]*\)|https?://\S+|<[^>]+>")
_LATEX_THIN = re.compile(r"(?<=\d)\{,\}(?=\d{3})")  # 1{,}000 in LaTeX
_MINUS = str.maketrans({"−": "-", "–": "-", "⁻": "-", "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4",
                        "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9"})  # fmt: skip

_MANTISSA = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"


def _exponent(name: str) -> str:
    """``^{-8}``, ``^{8}`` or ``^-8``, captured as ``name`` or ``name2``."""
    return rf"\^\s*(?:\{{\s*(?P<{name}>[+-]?\s*\d+)\s*\}}|(?P<{name}2>[+-]?\d+))"


_SCIENTIFIC = re.compile(rf"(?P<mant>{_MANTISSA})\s*(?:\\cdot|\\times|×|·|\*)\s*10\s*" + _exponent("exp"))
_POWER_OF_TEN = re.compile(r"(?<![\d.])10\s*" + _exponent("pexp"))
_E_NOTATION = re.compile(r"(?<![\w.])(?P<mant>\d+(?:\.\d+)?|\.\d+)[eE](?P<exp>[+-]?\d+)(?![\w.])")
_PLAIN = re.compile(r"(?<![\w.^])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\.\d+)(?![\w]|\.\d)")


@dataclass(frozen=True)
class QuotedNumber:
    """A number as prose quotes it: its absolute value and the place of its last quoted digit."""

    text: str
    value: Decimal
    place: int  # 10**place is one unit in the last quoted digit: -3 for 0.760, 2 for 2,300
    where: str  # which cell, and a few words around the number

    def is_supported_by(self, computed: float) -> bool:
        """True when ``computed``, rounded to the quoted precision, is the quoted value (signs ignored)."""
        try:
            gap = abs(abs(Decimal(repr(float(computed)))) - self.value)
        except (InvalidOperation, ValueError, OverflowError):
            return False
        return gap <= Decimal(5) * Decimal(10) ** (self.place - 1) * (1 + Decimal("1e-9"))


def _last_place(mantissa: str, exponent: int = 0) -> int:
    digits = mantissa.replace(",", "")
    if "." in digits:
        return exponent - len(digits.split(".")[1])
    return exponent  # an integer mantissa: its trailing zeros are quoted digits too


def _decimal(mantissa: str, exponent: int = 0) -> Decimal:
    return abs(Decimal(mantissa.replace(",", "")).scaleb(exponent))


def _blank(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda match: " " * len(match.group(0)), text)


def quoted_numbers(markdown: str, where: str = "") -> list[QuotedNumber]:
    """The numbers a piece of Markdown (or text) quotes, in the sense of this module's docstring."""
    text = _LATEX_THIN.sub(",", markdown.translate(_MINUS))
    readable = text  # for the context of each number: blanking below keeps every position where it was
    for pattern in (_LINK_TARGET, _ARXIV, _VERSION, _REFERENCE):
        text = _blank(text, pattern)
    found: list[QuotedNumber] = []
    forms = (
        (_SCIENTIFIC, lambda m: (m.group("mant"), m.group("exp") or m.group("exp2"))),
        (_POWER_OF_TEN, lambda m: ("1", m.group("pexp") or m.group("pexp2"))),
        (_E_NOTATION, lambda m: (m.group("mant"), m.group("exp"))),
        (_PLAIN, lambda m: (m.group("num"), "0")),
    )
    for pattern, parts in forms:  # longest forms first; each match is blanked so that no digit counts twice
        for match in list(pattern.finditer(text)):
            mantissa, exponent = parts(match)
            exponent = int(exponent.replace(" ", ""))
            start, end = match.span()
            context = " ".join(readable[max(0, start - 40) : end + 40].split())
            found.append(
                QuotedNumber(
                    match.group(0).strip(),
                    _decimal(mantissa, exponent),
                    _last_place(mantissa, exponent),
                    f"{where}: …{context}…",
                )
            )
            text = text[:start] + " " * (end - start) + text[end:]
    return found


_CODE_NUMBER = re.compile(r"(?<![\w.])(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\w])")
_OUTPUT_NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w])")
_POWER_IN_CODE = re.compile(r"10\s*\*\*\s*\(?\s*(-?\d+)\s*\)?")


def _numbers_in_code(source: str) -> list[float]:
    values = [float(token.replace("_", "")) for token in _CODE_NUMBER.findall(source) if token not in (".",)]
    values += [10.0 ** int(exponent) for exponent in _POWER_IN_CODE.findall(source)]
    return values


def _numbers_in_output(text: str) -> list[float]:
    values = []
    for token in _OUTPUT_NUMBER.findall(text):
        token = token.replace(",", "")
        if token and token[0] in "0123456789." and token != ".":
            try:
                values.append(float(token))
            except ValueError:
                pass
    return values


_IGNORED_TAGS = {"nbval-ignore-output", "nbval-skip"}
_IGNORED_MARKERS = ("# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP")


def _output_is_compared(cell: dict) -> bool:
    tags = set(cell.get("metadata", {}).get("tags", []))
    source = "".join(cell.get("source", ""))
    return not (tags & _IGNORED_TAGS) and not any(marker in source for marker in _IGNORED_MARKERS)


def _output_text(output: dict) -> str:
    if output.get("output_type") == "stream":
        return "".join(output.get("text", ""))
    data = output.get("data", {})
    return "".join("".join(data.get(kind, "")) for kind in ("text/plain", "text/html", "text/markdown", "text/latex"))


def computed_numbers(notebook: dict) -> list[float]:
    """Every number in a notebook's code cells and in the outputs that nbval compares."""
    values: list[float] = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        values += _numbers_in_code("".join(cell["source"]))
        if _output_is_compared(cell):
            for output in cell.get("outputs", []):
                values += _numbers_in_output(_output_text(output))
    return values


def _exact_constants() -> list[QuotedNumber]:
    return [number for text in EXACT_CONSTANTS for number in quoted_numbers(text)]


def unsupported(quoted: Iterable[QuotedNumber], computed: Iterable[float]) -> list[QuotedNumber]:
    """The quoted numbers that no computed value and no exact constant supports."""
    computed = sorted(set(computed))
    exact = _exact_constants()
    missing = []
    for number in quoted:
        if any(number.value == constant.value and number.place >= constant.place for constant in exact):
            continue
        if not any(number.is_supported_by(value) for value in computed):
            missing.append(number)
    return missing


def _load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def solution_of(exercise: Path) -> Path | None:
    """The solution an exercise is generated from, if the repository has it."""
    candidate = exercise.parent.parent / "solutions" / exercise.name
    return candidate if exercise.parent.name == "exercises" and candidate.exists() else None


def notebook_quoted_numbers(path: Path) -> list[QuotedNumber]:
    """The numbers quoted in a notebook's Markdown cells."""
    notebook = _load(path)
    return [
        number
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "markdown"
        for number in quoted_numbers("".join(cell["source"]), f"{Path(path).name} cell {index}")
    ]


def unsupported_in_notebook(path: Path) -> list[QuotedNumber]:
    """The numbers in a notebook's Markdown that its code and compared outputs (or its solution's) do not give."""
    path = Path(path)
    computed = computed_numbers(_load(path))
    if (solution := solution_of(path)) is not None:
        computed += computed_numbers(_load(solution))
    return unsupported(notebook_quoted_numbers(path), computed)


def cheatsheet_text(path: Path = CHEATSHEET) -> str:
    """The cheat sheet's visible text: tags, styles and scripts removed, formulas kept."""
    html = Path(path).read_text(encoding="utf-8")
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    html = re.sub(r"<[^>]+>", " ", html)
    return html.replace("&nbsp;", " ").replace("&middot;", "·").replace("&ndash;", "–").replace("&amp;", "&")


def unsupported_in_cheatsheet(path: Path = CHEATSHEET) -> list[QuotedNumber]:
    """The numbers on the cheat sheet that ``cheatsheet_numbers()`` does not compute."""
    from .cheatsheet import cheatsheet_numbers

    return unsupported(quoted_numbers(cheatsheet_text(path), Path(path).name), cheatsheet_numbers().values())


def default_documents() -> list[Path]:
    """Every notebook, exercise and solution of the repository, and the cheat sheet."""
    return [*find_notebooks(REPO_ROOT / folder for folder in ("notebooks", "solutions", "exercises")), CHEATSHEET]


def unsupported_in(path: Path) -> list[QuotedNumber]:
    """Unsupported numbers of a notebook or of the cheat sheet."""
    path = Path(path)
    return unsupported_in_cheatsheet(path) if path.suffix == ".html" else unsupported_in_notebook(path)


def main(paths: list[Path] | None = None) -> int:
    """Print each unsupported number; return 1 if there is any."""
    documents = [p for p in (paths or []) if Path(p).suffix == ".html"]
    documents += find_notebooks([p for p in paths if Path(p).suffix != ".html"]) if paths else default_documents()
    count = 0
    for path in documents:
        for number in unsupported_in(path):
            count += 1
            print(f"{number.text!r:>14}  {number.where}")
    if count:
        numbers = "1 number in prose is" if count == 1 else f"{count} numbers in prose are"
        print(f"\n{numbers} computed nowhere in its notebook. Compute and print (or assert) each one in a code cell, "
              "or take it out of the prose.")  # fmt: skip
        return 1
    print(f"every number in the prose of {len(documents)} document{'s' * (len(documents) != 1)} is computed in code")
    return 0
