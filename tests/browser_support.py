"""What the browser test of the explorers needs besides its actions: a JupyterLab server, Chromium, page probes.

:func:`jupyterlab_server` runs JupyterLab on 127.0.0.1 with a random token and throwaway config, runtime,
settings and workspace folders, serving a copy of one notebook; it is stopped through ``/api/shutdown``
and, failing that, by its process group. :func:`run_all` runs every cell as a student does (menus).
:data:`PROBES` installs MutationObservers on an explorer's readout, caption and images and
:func:`wait_settled` waits until they have been quiet for a while; :func:`read_state` returns what the
page shows (readout cells, data attributes, caption paragraphs, the PNG bytes behind each image).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from adam_edu.course.handouts_pdf import CHROMIUM_ARGS as HANDOUT_CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ADAM_EDU_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# The handouts' headless, offline flags, but for the rule that no host name resolves: it also refuses 127.0.0.1.
CHROMIUM_ARGS = [arg for arg in HANDOUT_CHROMIUM_ARGS if not arg.startswith("--host-resolver-rules")]

# Settings a student's JupyterLab would not need, but a test does: no network, no autosave into the
# copy, every cell rendered (no virtual scrolling), so the widgets exist in the page.
OVERRIDES = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
}


# ------------------------------------------------------------------------------------------ the server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_pids(sid: int) -> list[int]:
    """Processes in the session ``sid`` (the server and the kernels it started); Linux only."""
    pids = []
    if not Path("/proc").is_dir():
        return pids
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def _request(url: str, token: str, method: str = "GET", timeout: float = 5.0) -> int:
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # a local URL we built
        return response.status


@contextlib.contextmanager
def jupyterlab_server(tmp: Path, notebook: Path):
    """A JupyterLab server on 127.0.0.1 serving a copy of ``notebook``; yields ``{base, token, log, url}``."""
    root = tmp / "root"
    root.mkdir()
    shutil.copy(notebook, root / notebook.name)
    app_settings = tmp / "app-settings"
    app_settings.mkdir()
    (app_settings / "overrides.json").write_text(json.dumps(OVERRIDES))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PYTHONHASHSEED": "0",
    }
    env.pop("MPLBACKEND", None)
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--allow-root",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.app_settings_dir={app_settings}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log_path = tmp / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                if _request(f"{base}/api/status", token) == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer within 90 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield {
            "base": base,
            "token": token,
            "log": log_path,
            "url": f"{base}/lab/tree/{notebook.name}?token={token}",
        }
    finally:
        _stop(server, base, token)
        log.close()


def _stop(server: subprocess.Popen, base: str, token: str) -> None:
    """Shut the server (and its kernels) down by its API, then make sure nothing of its session is left."""
    try:
        _request(f"{base}/api/shutdown", token, method="POST")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        pass
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _session_pids(server.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in _session_pids(server.pid):  # a kernel that outlived its server: ours, by its session
        os.kill(pid, signal.SIGKILL)
    assert not _session_pids(server.pid), "processes of the JupyterLab session are still running"


# ------------------------------------------------------------------------------------- running cells
def _cell_prompts(page) -> list[str]:
    return page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()


def menu(page, menu_name: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu_name)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def run_all(page, code_cells: int) -> dict:
    """Edit → Clear Outputs of All Cells, then Run → Run All Cells, retrying while the kernel is not
    ready (a Run All sent too early is dropped, or opens a kernel dialog, which is accepted).

    Returns the seconds until every code cell ran, the attempts and the dialogs accepted. Clearing
    first matters: the saved notebook already shows prompts [1]..[n], which a fresh run repeats.
    """
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].every(p => !/\\d/.test(p.textContent))",
        timeout=15_000,
    )
    start, dialogs = time.monotonic(), 0
    for attempt in range(1, 5):
        menu(page, "Run", "Run All Cells")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            dialog = page.locator(".jp-Dialog .jp-mod-accept")
            if dialog.count():  # "Select Kernel": accept the proposed Python 3 kernel
                dialog.first.click()
                dialogs += 1
            prompts = [p.strip() for p in _cell_prompts(page)]
            if any(p not in ("[ ]:", "") for p in prompts):
                break
            page.wait_for_timeout(250)
        else:
            continue  # the Run All was dropped: the session was not ready yet
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            prompts = [p.strip() for p in _cell_prompts(page)]
            if prompts and prompts[-1] == f"[{code_cells}]:" and not any("*" in p for p in prompts):
                return {"run_all_s": round(time.monotonic() - start, 2), "attempts": attempt, "dialogs": dialogs}
            page.wait_for_timeout(250)
        raise AssertionError(f"the notebook did not finish running: prompts {prompts}")
    raise AssertionError("Run All Cells never started (kernel not ready)")


# ------------------------------------------------------------------------------------------ probes
#: Installs ``window.__adamEdu[key]``: the page-clock times of every change of the explorer's readout,
#: caption and images (``changes``, with what changed), of its image changes alone (``plots``), and each
#: readout it showed (``updates``: time, ``data-update``, ``data-settings``).
PROBES = """
([selector, key, images]) => {
  const root = document.querySelector(selector);
  const probe = { changes: [], plots: [], updates: [], mark: null };
  const record = (what) => () => {
    const t = performance.now();
    probe.changes.push([t, what]);
    if (what === 'readout') {
      const table = root.querySelector('.adam-edu-readout-table');
      if (table) probe.updates.push([t - probe.mark, Number(table.dataset.update), table.dataset.settings]);
    } else if (what !== 'caption') probe.plots.push(t);
  };
  for (const what of ['readout', 'caption']) {
    new MutationObserver(record(what)).observe(root.querySelector('.adam-edu-' + what),
      { subtree: true, childList: true, characterData: true, attributes: true });
  }
  for (const name of images) {
    const image = root.querySelector('.' + name);
    new MutationObserver(record(name)).observe(image, { attributes: true, attributeFilter: ['src'] });
    image.addEventListener('load', record(name + ':load'));
  }
  window.__adamEdu = window.__adamEdu || {};
  window.__adamEdu[key] = probe;
}
"""

#: Forgets the recorded changes and marks the time of the action about to happen.
MARK = """(key) => { const p = window.__adamEdu[key];
  p.changes = []; p.plots = []; p.updates = []; p.mark = performance.now(); }"""

READ_PROBE = "(key) => ({ ...window.__adamEdu[key], now: performance.now() })"

#: What the page shows for one explorer: readout cells, data attributes, caption paragraphs, each
#: image's PNG bytes (fetched from its blob: URL, as base64), and each control (by its ``adam-edu-*``
#: class): a slider's readout text, a switch's state, a list's selected option texts, and whether it shows.
READ_STATE = """
async ([selector, images]) => {
  const root = document.querySelector(selector);
  const table = root.querySelector('.adam-edu-readout-table');
  const cells = {};
  for (const td of table.querySelectorAll('td[data-key]')) cells[td.dataset.key] = td.innerText;
  const caption = [...root.querySelectorAll('.adam-edu-caption p')].map(p => p.textContent);
  const pictures = {};
  for (const name of images) {
    const image = root.querySelector('.' + name);
    const bytes = new Uint8Array(await (await fetch(image.src)).arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    pictures[name] = { png: btoa(binary), width: image.naturalWidth, height: image.naturalHeight };
  }
  const controls = {};
  for (const box of root.querySelectorAll('[class*="adam-edu-"]')) {
    const name = [...box.classList].find(c => c.startsWith('adam-edu-'));
    if (!name || controls[name] || name === 'adam-edu-preset') continue;
    const control = { visible: box.checkVisibility() };
    const readout = box.querySelector('.widget-readout');
    if (readout) control.readout = readout.innerText || readout.value || readout.textContent;
    const check = box.querySelector('input[type=checkbox]');
    if (check) control.checked = check.checked;
    const list = box.querySelector('select');
    if (list) control.selected = [...list.selectedOptions].map(o => o.text.replace(/\u00a0/g, ' '));
    controls[name] = control;
  }
  return { update: Number(table.dataset.update), settings: JSON.parse(table.dataset.settings), cells, caption,
           pictures, controls };
}
"""


def wait_settled(page, key: str, after_update: int, quiet_ms: float, timeout_s: float) -> dict:
    """Wait until the explorer's update counter exceeds ``after_update`` and nothing it shows has changed
    for ``quiet_ms``; return the probe (``mark``, ``changes``, ``plots``, ``now``) and ``settled`` (bool)."""
    deadline = time.monotonic() + timeout_s
    while True:
        probe = page.evaluate(READ_PROBE, key)
        update = page.evaluate(
            "(key) => Number(document.querySelector(key).querySelector('.adam-edu-readout-table').dataset.update)",
            "." + key,
        )
        last = max([t for t, _ in probe["changes"]], default=probe["mark"])
        if update > after_update and probe["now"] - last >= quiet_ms:
            return {**probe, "settled": True}
        if time.monotonic() > deadline:
            return {**probe, "settled": False}
        page.wait_for_timeout(100)


# ------------------------------------------------------------------------------------------- pixels
def pixels(png: bytes):
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def pixel_difference(page_png: bytes, clean_png: bytes, tolerance: int = 8) -> dict:
    """How far the page's picture is from the clean render: the fraction of pixels whose largest channel
    difference exceeds ``tolerance`` (of 255), the largest difference, and both sizes."""
    a, b = pixels(page_png), pixels(clean_png)
    if a.shape != b.shape:
        return {"fraction": 1.0, "max": 255, "page_size": list(a.shape), "clean_size": list(b.shape)}
    diff = abs(a - b).max(axis=-1)
    return {"fraction": float((diff > tolerance).mean()), "max": int(diff.max()), "size": list(a.shape[:2])}


def decode(picture: dict) -> bytes:
    return base64.b64decode(picture["png"])
