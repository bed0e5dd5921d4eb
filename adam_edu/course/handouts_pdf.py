"""Printing the offline handouts to PDF with headless Chromium, with the network shut off.

Playwright drives the system's Chromium (Debian: ``apt-get install chromium``; never ``playwright
install``, which downloads its own browser). Every request that is not ``file:`` or ``data:`` is
aborted and recorded, and DNS resolves nothing, so a handout that would need the network fails the
build instead of printing blank boxes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Where Debian and Ubuntu put Chromium; ``ADAM_EDU_CHROMIUM`` overrides it.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
FOOTER = (
    '<div style="font-size:7pt;color:#555;width:100%;padding:0 12mm;display:flex;justify-content:space-between">'
    '<span class="title"></span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
)


class PrintError(RuntimeError):
    """Chromium or Playwright is missing, or a page asked for the network."""


def chromium_path() -> str:
    """The Chromium executable to drive, or a :class:`PrintError` saying how to install one."""
    configured = os.environ.get("ADAM_EDU_CHROMIUM")
    candidates = [configured] if configured else list(CHROMIUM_CANDIDATES)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    raise PrintError(
        "Chromium was not found (looked for "
        + ", ".join(candidates)
        + "). Install it (Debian/Ubuntu: `apt-get install -y chromium`) or set ADAM_EDU_CHROMIUM; "
        "or build the HTML alone with --no-pdf."
    )


def offline_route(blocked: list[str]):
    """A Playwright route handler that lets ``file:`` and ``data:`` through and aborts the rest into ``blocked``."""

    def handle(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    return handle


@contextmanager
def offline_browser() -> Iterator:
    """A headless Chromium context with every network request aborted; yields ``(context, blocked_urls)``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise PrintError(
            "Python playwright is not installed: `pip install playwright` (do not run `playwright install`: "
            "the system's Chromium is used). Or build the HTML alone with --no-pdf."
        ) from exc
    executable = chromium_path()
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(service_workers="block", java_script_enabled=True)
            context.route("**/*", offline_route(blocked))
            if hasattr(context, "route_web_socket"):
                context.route_web_socket("**/*", lambda ws: (blocked.append(ws.url), ws.close()))
            yield context, blocked
        finally:
            browser.close()


def print_pdf(context, blocked: list[str], html_path: Path, pdf_path: Path, landscape: bool = False) -> None:
    """Print ``html_path`` to ``pdf_path`` (A4); :class:`PrintError` if the page asked for the network."""
    page = context.new_page()
    try:
        before = len(blocked)
        page.goto(html_path.resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.pdf(
            path=str(pdf_path),
            format="A4",
            landscape=landscape,
            print_background=True,
            display_header_footer=not landscape,
            header_template="<div></div>",
            footer_template=FOOTER,
            margin={"top": "12mm", "bottom": "14mm", "left": "12mm", "right": "12mm"}
            if not landscape
            else {"top": "7mm", "bottom": "7mm", "left": "8mm", "right": "8mm"},
        )
        if len(blocked) > before:
            raise PrintError(f"{html_path.name} asked for the network while printing: {blocked[before:][:5]}")
    finally:
        page.close()


def merge_pdfs(parts: list[tuple[str, Path]], target: Path) -> int:
    """Concatenate ``(title, pdf)`` parts into ``target`` with one bookmark per part; return the page count."""
    try:
        from pypdf import PdfWriter
    except ImportError as exc:
        raise PrintError("pypdf is not installed: `pip install pypdf` (it joins the series into one PDF).") from exc
    writer = PdfWriter()
    for title, path in parts:
        writer.append(str(path), outline_item=title)
    writer.add_metadata({"/Title": "adam-edu: the Adam optimizer from first principles"})
    with target.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)
