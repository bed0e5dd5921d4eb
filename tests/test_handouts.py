"""Offline handouts (``adam-edu handouts``): HTML and PDF per notebook, index, one-page cheat sheet.

Two levels, to keep CI time down:

- every course notebook is converted to HTML (no browser): the page must reference no network resource
  and keep no raw TeX, widget placeholder or script; that is the part that changes when a notebook does.
- a subset (the start notebook, the playground if present, one lab or one more series notebook) is built
  in full, PDFs included, and every page is opened in headless Chromium with all non-``file:`` requests
  aborted: formulas rendered, images loaded, nothing fetched; PDFs have pages and text; the cheat sheet is
  one page.

What counts as a network *resource* (:func:`network_resources`): anything a browser fetches by itself:
``src``/``srcset``/``data``/``poster`` attributes, ``<link href>`` (style sheets, icons, preloads), SVG
``<use href>``/``<image href>``, ``url(...)`` and ``@import`` in CSS (``<style>`` and ``style=``), and
``<meta http-equiv="refresh">``. A hyperlink the reader may click (``<a href="https://arxiv.org/...">``)
is not a resource. Namespace strings such as ``xmlns="http://www.w3.org/2000/svg"`` are not either.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("nbconvert", reason='the handouts need nbconvert: pip install -e ".[handouts]"')

from adam_edu.course import handouts
from adam_edu.course.handouts import (
    COMBINED,
    HandoutError,
    build_handouts,
    check_outdir,
    course_notebooks,
    handout_for,
    notebook_page,
)
from adam_edu.course.handouts_math import JS_DIR, MathCollector, MathError, render_tex
from adam_edu.course.handouts_widgets import NOTE, WIDGET_STATE, static_widget_html, widget_states

ROOT = Path(__file__).resolve().parents[1]
NODE_READY = shutil.which("node") is not None and (JS_DIR / "node_modules" / "mathjax-full").is_dir()
needs_node = pytest.mark.skipif(
    not NODE_READY, reason=f"node or MathJax missing: install node and run `npm ci --prefix {JS_DIR}`"
)


def _browser_missing() -> str | None:
    from adam_edu.course.handouts_pdf import PrintError, chromium_path

    try:
        chromium_path()
    except PrintError as exc:
        return str(exc)
    for module in ("playwright.sync_api", "pypdf"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install playwright pypdf)"
    return None


BROWSER_MISSING = _browser_missing()
needs_browser = pytest.mark.skipif(BROWSER_MISSING is not None, reason=str(BROWSER_MISSING))

# ------------------------------------------------------------------------------------ resource check

_URL = r"""\s*(?:https?:|wss?:|ftp:|//)"""
_CSS_REMOTE = re.compile(r"""url\(\s*['"]?""" + _URL + r"""|@import\s+(?:url\()?\s*['"]?""" + _URL, re.IGNORECASE)
_FETCHED_ATTRIBUTES = ("src", "srcset", "data", "poster", "background", "action", "formaction", "codebase")


def _remote(value: str) -> bool:
    return re.match(_URL, value or "", re.IGNORECASE) is not None


def network_resources(page: str) -> list[str]:
    """Everything in ``page`` a browser would fetch from the network by itself (see the module docstring)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    found = []
    for tag in soup.find_all(True):
        for attribute in _FETCHED_ATTRIBUTES:
            value = tag.get(attribute)
            parts = value.split(",") if attribute == "srcset" and isinstance(value, str) else [value]
            if isinstance(value, str) and any(_remote(part.strip()) for part in parts):
                found.append(f"<{tag.name} {attribute}={value[:80]}>")
        if tag.name in ("link", "use", "image", "feimage", "script", "iframe", "embed"):
            for attribute in ("href", "xlink:href"):
                if _remote(tag.get(attribute, "")):
                    found.append(f"<{tag.name} {attribute}={tag.get(attribute)[:80]}>")
        if tag.name == "meta" and tag.get("http-equiv", "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        if _CSS_REMOTE.search(tag.get("style", "")):
            found.append(f"<{tag.name} style=...url(remote)>")
        if tag.name == "style" and _CSS_REMOTE.search(tag.get_text()):
            found.append(f"<style>: {_CSS_REMOTE.search(tag.get_text()).group(0)}")
    return found


def test_resource_check_catches_what_it_should_and_only_that():
    remote = (
        '<script src="https://cdn.x/require.js"></script><link rel="stylesheet" href="http://x/a.css">'
        '<img src="//x/a.png"><style>@import url("https://fonts.x/css");</style>'
        "<style>.a { background: url(https://x/bg.png) }</style><div style=\"background:url('http://x/b.png')\"></div>"
        '<svg><use href="https://x/s.svg#a"></use></svg><img srcset="a.png 1x, https://x/b.png 2x">'
    )
    assert len(network_resources(remote)) == 8
    local = (
        '<a href="https://arxiv.org/abs/1412.6980">paper</a><svg xmlns="http://www.w3.org/2000/svg"><use '
        'xlink:href="#MJX-1"></use></svg><img src="data:image/png;base64,AAAA"><style>.a{background:url(data:'
        "image/svg+xml;base64,AAA)}</style><p>see https://example.org in prose</p>"
    )
    assert network_resources(local) == []


# ------------------------------------------------------------------------------------ pure parts


def test_course_notebooks_are_in_course_order(tmp_path):
    for name in (
        "notebooks/10_z.ipynb",
        "notebooks/02_b.ipynb",
        "notebooks/playground.ipynb",
        "notebooks/labs/lab2.ipynb",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    (tmp_path / "notebooks/labs/lab1.ipynb").write_text("{}")
    order = [p.relative_to(tmp_path).as_posix() for p in course_notebooks(tmp_path)]
    assert order == [
        "notebooks/02_b.ipynb",
        "notebooks/10_z.ipynb",
        "notebooks/playground.ipynb",
        "notebooks/labs/lab1.ipynb",
        "notebooks/labs/lab2.ipynb",
    ]
    assert [handout_for(tmp_path / n, tmp_path).kind for n in order] == ["series", "series", "extra", "lab", "lab"]
    assert handout_for(tmp_path / order[3], tmp_path).pdf == "notebooks/labs/lab1.pdf"


def test_the_index_says_which_data_the_labs_use_and_attributes_mnist():
    labs = [handout_for(p) for p in course_notebooks() if handout_for(p).kind == "lab"]
    page = handouts.index_page(labs, {h.name: "a lab" for h in labs}, pdf=False, combined=False)
    assert "5,000 real MNIST digits" in page and "8x8 digits" in page
    assert "Yann LeCun, Corinna Cortes and Christopher J.C. Burges" in page and "CC BY-SA 3.0" in page


def _write_notebook(path: Path, executed: bool) -> None:
    import nbformat
    from nbformat import v4

    nb = v4.new_notebook()
    nb.cells = [v4.new_markdown_cell("# A title with $\\beta_1$"), v4.new_code_cell("print(1)")]
    if executed:
        nb.cells[1].execution_count = 1
        nb.cells[1].outputs = [v4.new_output("stream", name="stdout", text="1\n")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_a_notebook_without_saved_outputs_is_named_with_the_fix(tmp_path):
    _write_notebook(tmp_path / "repo/notebooks/00_ok.ipynb", executed=True)
    _write_notebook(tmp_path / "repo/notebooks/03_x.ipynb", executed=False)
    with pytest.raises(HandoutError) as info:
        build_handouts(tmp_path / "out", root=tmp_path / "repo", progress=False)
    assert str(info.value) == (
        "notebooks/03_x.ipynb has no saved outputs: run `adam-edu execute notebooks/03_x.ipynb` first."
    )
    assert not (tmp_path / "out").exists(), "a refused build must write nothing"


def test_a_folder_with_files_is_refused_and_the_clashes_are_named(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "index.html").write_text("mine")
    (tmp_path / "notebooks/00_start_here.html").write_text("mine")
    (tmp_path / "notes.txt").write_text("mine")
    planned = ["index.html", "cheatsheet.html", "notebooks/00_start_here.html"]
    with pytest.raises(HandoutError) as info:
        check_outdir(tmp_path, planned, force=False)
    message = str(info.value)
    assert "would overwrite 2 of them (index.html, notebooks/00_start_here.html)" in message
    assert "leave 1 other(s)" in message and "--force" in message
    check_outdir(tmp_path, planned, force=True)  # allowed with --force
    check_outdir(tmp_path / "new", planned, force=False)  # a new folder is fine
    (tmp_path / "empty").mkdir()
    check_outdir(tmp_path / "empty", planned, force=False)


def test_the_cli_refuses_without_force_and_writes_nothing(tmp_path, capsys):
    from adam_edu.cli import main

    (tmp_path / "notes.txt").write_text("keep me")
    code = main(["handouts", str(tmp_path), str(ROOT / "notebooks/00_start_here.ipynb"), "--no-pdf"])
    assert code == 1
    assert "--force" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def _widget_states() -> dict:
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_img", "IPY_MODEL_cap", "IPY_MODEL_lr"]}},
        "img": {
            "model_name": "ImageModel",
            "state": {"format": "png"},
            "buffers": [{"path": ["value"], "encoding": "base64", "data": png}],
        },
        "cap": {"model_name": "HTMLModel", "state": {"value": "<b>step</b> $\\alpha$"}},
        "lr": {
            "model_name": "FloatLogSliderModel",
            "state": {"description": "α (lr)", "value": 0.01, "readout_format": ".3g"},
        },
        "tqdm": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_bar", "IPY_MODEL_count"]}},
        "bar": {
            "model_name": "FloatProgressModel",
            "state": {"min": 0, "max": 12, "value": 12.0, "bar_style": "success"},
        },
        "count": {"model_name": "HTMLModel", "state": {"value": " 12/12 [00:10&lt;00:00]"}},
        "opt": {
            "model_name": "SelectMultipleModel",
            "state": {"description": "optimizers", "_options_labels": ["SGD", "Adam", "AdaMax"], "index": [0, 2]},
        },
    }
    return {"widgets": {WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}}


def test_a_saved_widget_becomes_static_html_with_its_image_and_values():
    states = widget_states(_widget_states())
    markup = static_widget_html("box", states)
    assert '<img class="adam-widget-image" src="data:image/png;base64,iVBOR' in markup
    assert "<b>step</b> $\\alpha$" in markup
    assert 'α (lr):</span> <span class="adam-widget-value">0.01</span>' in markup
    assert NOTE in markup
    assert "SGD, AdaMax" in static_widget_html("opt", states)
    assert "was not saved" in static_widget_html("gone", states)
    bar = static_widget_html("tqdm", states)  # a finished progress bar: drawn full, and nothing to move
    assert '<span style="width: 100%; background: #3a8f3a"></span>' in bar and "12/12" in bar and NOTE not in bar


def test_tex_is_found_in_text_but_not_in_code():
    collector = MathCollector()
    out = collector.html_to_html(
        "<p>step $\\alpha$ and $$\\hat m_t$$</p><pre>$not math$</pre><code>\\(x\\)</code>"
        "<div>\\begin{aligned} a &= b \\end{aligned} costs \\(y\\)</div>"
    )
    assert collector.items == [
        ("\\alpha", False),
        ("\\hat m_t", True),
        ("\\begin{aligned} a &= b \\end{aligned}", True),
        ("y", False),
    ]
    assert "<pre>$not math$</pre>" in out and "<code>\\(x\\)</code>" in out
    assert collector.text_to_html("a < b, $x<y$") == "a &lt; b, ADAMEDUMATH4X"


# ------------------------------------------------------------------------------------ node: formulas


@needs_node
def test_the_course_latex_renders_to_svg():
    items = [
        (
            "\\begin{aligned} m_t &= \\beta_1 m_{t-1} + (1-\\beta_1) g_t \\\\ "
            "\\hat v_t &= v_t/(1-\\beta_2^t) \\end{aligned}",
            True,
        ),
        ("\\theta_t = \\theta_{t-1} - \\alpha \\frac{\\hat m_t}{\\sqrt{\\hat v_t} + \\epsilon}", True),
        ("\\tfrac12 \\lVert g \\rVert_\\infty \\operatorname{sign}(g) \\text{ if } \\mathbb{E}[g^2]", False),
        ("|\\Delta_t| \\le \\begin{cases} a & \\text{if } b \\\\ c \\end{cases}", True),
        ("\\begin{pmatrix} 1 & 0 \\\\ 0 & \\kappa \\end{pmatrix}", True),
    ]
    svgs, css, glyphs = render_tex(items)
    assert len(svgs) == len(items) and all("<svg" in s and "</mjx-container>" in s for s in svgs)
    assert 'display="true"' in svgs[0] and 'display="true"' not in svgs[2]
    assert "mjx-container" in css
    assert glyphs.startswith('<svg style="display: none;" id="MJX-SVG-global-cache"><defs><path id="MJX-')
    used = set(re.findall(r'xlink:href="#([^"]+)"', "".join(svgs)))
    assert used and used <= set(re.findall(r'<path id="([^"]+)"', glyphs)), "every glyph a formula uses is defined"
    with pytest.raises(MathError, match=r"\\frac\{a\}\{"):
        render_tex([("\\frac{a}{", False)])
    with pytest.raises(MathError, match="Undefined control sequence"):
        render_tex([("\\notamacro x", False)])


@needs_node
def test_a_formula_in_a_heading_anchor_stays_text_and_is_svg_in_the_heading():
    collector = MathCollector()
    token = collector.token("m_t", display=False)
    page = collector.substitute(f'<h2 id="2.-{token}-and">2. {token} and <a href="#2.-{token}-and">¶</a></h2>')
    assert page.startswith('<h2 id="2.-m_t-and">2. <mjx-container aria-label="m_t"')
    assert 'href="#2.-m_t-and"' in page


def _visible_tex(page: str) -> list[str]:
    """Raw TeX left in the page's prose (code blocks excluded)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    for tag in soup(["pre", "code", "script", "style", "svg", "mjx-container", "head"]):
        tag.decompose()
    text = soup.get_text(" ")
    return re.findall(r"\$\$|\\begin\{|\\\(|\\\[|\$[^$\n]*\\[A-Za-z]+[^$\n]*\$", text)


ALL_NOTEBOOKS = course_notebooks()


@needs_node
@pytest.mark.slow
@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[p.name for p in ALL_NOTEBOOKS])
def test_every_notebook_converts_to_an_offline_page(path):
    handout = handout_for(path)
    page, title = notebook_page(handout)
    assert network_resources(page) == [], f"{handout.name} references network resources"
    assert "<script" not in page, "a handout runs no scripts"
    assert _visible_tex(page) == [], f"raw TeX left in {handout.name}"
    assert "ADAMEDUMATH" not in page, "a formula token was not replaced"
    for placeholder in ("application/vnd.jupyter.widget", "jupyter-widgets", "Loading widget"):
        assert placeholder not in page, f"widget placeholder {placeholder!r} left in {handout.name}"
    source = path.read_text(encoding="utf-8")
    if "$" in source:
        assert "<mjx-container" in page, "the notebook has formulas but none were rendered"
    assert title and f"<title>{title}" in page.replace("&amp;", "&")


# ------------------------------------------------------------------------------------ browser: full build


def _subset() -> list[Path]:
    """The start notebook, the playground (widgets) or another series notebook, and a lab if there is one."""
    series = [p for p in ALL_NOTEBOOKS if handout_for(p).kind == "series"]
    extras = [p for p in ALL_NOTEBOOKS if handout_for(p).kind == "extra"]
    labs = [p for p in ALL_NOTEBOOKS if handout_for(p).kind == "lab"]
    chosen = [series[0]] + (extras[:1] or series[1:2]) + (labs[:1] or series[2:3])
    return list(dict.fromkeys(chosen))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not NODE_READY or BROWSER_MISSING:
        pytest.skip(BROWSER_MISSING or "node or MathJax missing")
    outdir = tmp_path_factory.mktemp("handouts")
    report = build_handouts(outdir, _subset(), progress=False, force=True)
    return report


@needs_node
@needs_browser
def test_every_built_notebook_has_its_html_and_pdf(built):
    for path in _subset():
        handout = handout_for(path)
        for name in (handout.html, handout.pdf):
            assert (built.outdir / name).stat().st_size > 10_000, f"{name} missing or nearly empty"
    for name in ("index.html", "cheatsheet.html", "cheatsheet.pdf", COMBINED):
        assert (built.outdir / name).is_file(), name
    assert sorted(built.files) == sorted(handouts.planned_files([handout_for(p) for p in _subset()]))
    for name in built.files:
        if name.endswith(".html"):
            assert network_resources((built.outdir / name).read_text(encoding="utf-8")) == [], name


CHECK_PAGE = r"""() => {
  const prose = [...document.querySelectorAll('.jp-RenderedMarkdown, .jp-RenderedHTML, .jp-RenderedLatex')];
  const roots = prose.length ? prose : [document.body];
  const texts = roots.map(el => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('pre, code, mjx-container').forEach(x => x.remove());
    return copy.innerText;
  }).join('\n');
  const raw = texts.match(/\$\$|\\begin\{|\\\(|\\\[|\$[^$\n]*\\[A-Za-z]+[^$\n]*\$/g) || [];
  const images = [...document.images];
  const svgs = [...document.querySelectorAll('mjx-container > svg')];
  return {
    raw: raw.slice(0, 5),
    images: images.length,
    brokenImages: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 60)),
    mathSvgs: svgs.length,
    emptyMath: svgs.filter(s => s.getBoundingClientRect().width === 0 && s.closest('details') === null).length,
    widgets: document.querySelectorAll('.jupyter-widgets, script[type*="jupyter.widget"]').length,
    widgetReprs: (document.body.innerText.match(
      /\b[A-Z][A-Za-z]*(Box|Slider|Dropdown|Button|Output|Image)\((children|value|description)=/g) || []).length,
    scripts: document.scripts.length,
  };
}"""


@needs_node
@needs_browser
def test_pages_render_offline_in_chromium(built):
    from adam_edu.course.handouts_pdf import offline_browser

    pages = [handout_for(p).html for p in _subset()] + ["index.html", "cheatsheet.html"]
    with offline_browser() as (context, blocked):
        for name in pages:
            page = context.new_page()
            page.goto((built.outdir / name).resolve().as_uri(), wait_until="load")
            found = page.evaluate(CHECK_PAGE)
            page.close()
            assert blocked == [], f"{name} asked for the network: {blocked}"
            assert found["raw"] == [], f"raw TeX visible in {name}: {found['raw']}"
            assert found["brokenImages"] == [], f"images that did not load in {name}"
            assert found["emptyMath"] == 0, f"formulas drawn with no width in {name}"
            assert found["widgets"] == 0 and found["widgetReprs"] == 0, f"widget placeholders left in {name}"
            assert found["scripts"] == 0, f"{name} has scripts"
            if name != "index.html":
                assert found["mathSvgs"] > 0, f"no rendered formulas in {name}"
            if name.startswith("notebooks/"):
                assert found["images"] > 0, f"no figures in {name}"


@needs_node
@needs_browser
def test_pdfs_have_pages_and_text(built):
    from pypdf import PdfReader

    parts = 0
    for path in _subset():
        handout = handout_for(path)
        reader = PdfReader(str(built.outdir / handout.pdf))
        assert len(reader.pages) >= 1
        text = reader.pages[0].extract_text()
        assert handout.name in text, f"{handout.pdf}: page 1 does not name its notebook"
        assert len(text) > 200, f"{handout.pdf}: page 1 has almost no text"
        if handout.kind == "series":
            parts += len(reader.pages)
    combined = PdfReader(str(built.outdir / COMBINED))
    assert len(combined.pages) == parts, "the combined PDF is the series notebooks, page for page"
    assert len(combined.outline) == sum(handout_for(p).kind == "series" for p in _subset())


@needs_node
@needs_browser
def test_the_cheat_sheet_is_one_page_with_everything_on_it(built):
    from pypdf import PdfReader

    reader = PdfReader(str(built.outdir / "cheatsheet.pdf"))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for needle in (
        "Algorithm 1",
        "Defaults",
        "Bias correction",
        "not a worst case",
        "AdaMax",
        "AMSGrad",
        "AdamW",
        "torch",
        "optax",
        "keras",
        "eps_root",
        "weight_decay=0.004",
    ):
        assert needle in text, f"the cheat sheet lacks {needle!r}"


@needs_node
@needs_browser
def test_printing_a_page_that_needs_the_network_fails(tmp_path):
    from adam_edu.course.handouts_pdf import PrintError, offline_browser, print_pdf

    page = tmp_path / "remote.html"
    page.write_text('<html><body><p>x</p><img src="https://example.org/a.png"></body></html>')
    with offline_browser() as (context, blocked), pytest.raises(PrintError, match="asked for the network"):
        print_pdf(context, blocked, page, tmp_path / "remote.pdf")


@needs_node
def test_force_writes_over_its_own_files_and_keeps_the_others(tmp_path):
    start = [ROOT / "notebooks/00_start_here.ipynb"]
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "index.html").write_text("old")
    with pytest.raises(HandoutError):
        build_handouts(tmp_path, start, pdf=False, progress=False)
    report = build_handouts(tmp_path, start, pdf=False, progress=False, force=True)
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert "adam-edu handouts" in (tmp_path / "index.html").read_text()
    assert sorted(report.files) == ["cheatsheet.html", "index.html", "notebooks/00_start_here.html"]
