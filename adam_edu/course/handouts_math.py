"""Formulas for the offline handouts: find the TeX in a page, render it to SVG at build time.

A handout must show its formulas without fetching MathJax from the network, so every formula is
rendered once, when the handouts are built, by MathJax 3 (npm package ``mathjax-full``, pinned in
``handouts_js/package-lock.json``) running under node: ``handouts_js/tex2svg.js``.

The build works in two passes. While a page is assembled, each formula is recorded in a
:class:`MathCollector` and a placeholder token takes its place in the HTML; then the collector
renders all of the page's formulas in one node call and :meth:`MathCollector.substitute` swaps the
tokens for inline SVG. Markdown cells register their formulas through nbconvert's math-aware
Markdown parser (so ``$a_1 + b_1$`` never becomes emphasis); HTML outputs, widget captions, the
index and the cheat sheet are scanned for TeX delimiters in their text nodes, as JupyterLab does.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

JS_DIR = Path(__file__).with_name("handouts_js")
RENDERER = JS_DIR / "tex2svg.js"

#: TeX delimiters JupyterLab's MathJax typesets in text: display first, then environments, then inline.
MATH_IN_TEXT = re.compile(
    r"(?<!\\)\$\$(?P<display_dollar>.+?)(?<!\\)\$\$"
    r"|(?<!\\)\\\[(?P<display_bracket>.+?)(?<!\\)\\\]"
    r"|(?P<environment>\\begin\{(?P<name>[A-Za-z]+\*?)\}.*?\\end\{(?P=name)\})"
    r"|(?<!\\)\\\((?P<inline_paren>.+?)(?<!\\)\\\)"
    r"|(?<![\\$])\$(?P<inline_dollar>[^$]+?)(?<![\\$])\$",
    re.DOTALL,
)
#: Elements whose text is never typeset.
NO_MATH_TAGS = frozenset({"code", "pre", "script", "style", "textarea", "svg", "kbd", "samp"})

_TOKEN = "ADAMEDUMATH{}X"
_TOKEN_PATTERN = re.compile(r"ADAMEDUMATH(\d+)X")
_TAG = re.compile(r"<[^<>]*>")


class MathError(RuntimeError):
    """MathJax is missing, or a formula does not parse."""


def node_command() -> list[str]:
    """The command that runs the renderer, or a :class:`MathError` saying how to install it."""
    node = shutil.which("node")
    if node is None:
        raise MathError("node was not found on PATH: the handouts render formulas with node (v18 or newer).")
    if not (JS_DIR / "node_modules" / "mathjax-full").is_dir():
        raise MathError(
            f"MathJax is not installed for the handouts: run `npm ci --prefix {JS_DIR}` once "
            "(it installs mathjax-full 3.2.2 from package-lock.json into that folder)."
        )
    return [node, str(RENDERER)]


def render_tex(items: list[tuple[str, bool]]) -> tuple[list[str], str, str]:
    """Render ``(tex, display)`` pairs to SVG in one node call: ``(svgs, stylesheet, glyphs)``.

    The formulas share one set of glyph outlines, ``glyphs`` (a hidden ``<svg>``), which must appear
    once in the page. Raises :class:`MathError` naming the first formula that does not parse.
    """
    if not items:
        return [], "", ""
    request = json.dumps({"items": [{"tex": tex, "display": display} for tex, display in items]})
    done = subprocess.run(node_command(), input=request, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise MathError(f"the formula renderer failed: {done.stderr.strip()[-2000:]}")
    answer = json.loads(done.stdout)
    svgs = []
    for (tex, _), item in zip(items, answer["items"], strict=True):
        if item["error"] is not None:
            raise MathError(f"TeX error in ${tex}$: {item['error']}")
        svgs.append(item["svg"])
    return svgs, answer["css"], answer["glyphs"]


@dataclass
class MathCollector:
    """The formulas of one page, in order; :meth:`token` records one and returns its placeholder."""

    items: list[tuple[str, bool]] = field(default_factory=list)
    stylesheet: str = ""
    glyphs: str = ""

    def token(self, tex: str, display: bool) -> str:
        self.items.append((tex.strip(), display))
        return _TOKEN.format(len(self.items) - 1)

    def text_to_html(self, text: str) -> str:
        """Plain text (a ``text/latex`` output, a text node) as HTML, with its TeX replaced by tokens."""
        out, end = [], 0
        for match in MATH_IN_TEXT.finditer(text):
            out.append(html.escape(text[end : match.start()], quote=False))
            out.append(self._token_for(match))
            end = match.end()
        out.append(html.escape(text[end:], quote=False))
        return "".join(out)

    def html_to_html(self, markup: str) -> str:
        """HTML with the TeX in its text nodes (outside code, pre, script, style) replaced by tokens."""
        if not any(mark in markup for mark in ("$", "\\(", "\\[", "\\begin")):
            return markup
        from bs4 import BeautifulSoup, NavigableString

        soup = BeautifulSoup(markup, "html.parser")
        for node in list(soup.find_all(string=True)):
            if type(node) is not NavigableString or any(p.name in NO_MATH_TAGS for p in node.parents):
                continue
            text = str(node)
            if MATH_IN_TEXT.search(text):
                node.replace_with(BeautifulSoup(self.text_to_html(text), "html.parser"))
        return str(soup)

    def _token_for(self, match: re.Match) -> str:
        for group, display in (
            ("display_dollar", True),
            ("display_bracket", True),
            ("environment", True),
            ("inline_paren", False),
            ("inline_dollar", False),
        ):
            if match.group(group) is not None:
                return self.token(match.group(group), display)
        raise AssertionError("unreachable: MATH_IN_TEXT matched no group")

    def substitute(self, page: str) -> str:
        """Render every recorded formula and put its SVG where its token stands.

        Afterwards :attr:`stylesheet` and :attr:`glyphs` hold what the page needs once (see :func:`render_tex`).
        """
        svgs, self.stylesheet, self.glyphs = render_tex(self.items)
        labelled = [_label(svg, tex) for svg, (tex, _) in zip(svgs, self.items, strict=True)]
        # A token inside a tag (a heading's anchor id, say) becomes its TeX source: SVG cannot go there.
        page = _TAG.sub(lambda tag: _TOKEN_PATTERN.sub(self._plain, tag.group(0)), page)
        return _TOKEN_PATTERN.sub(lambda m: labelled[int(m.group(1))], page)

    def _plain(self, match: re.Match) -> str:
        return html.escape(self.items[int(match.group(1))][0])


def _label(svg: str, tex: str) -> str:
    """Give the formula an accessible name (its TeX), as MathJax's own output does."""
    return svg.replace("<mjx-container ", f'<mjx-container aria-label="{html.escape(tex)}" role="img" ', 1)
