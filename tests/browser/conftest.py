"""JupyterLab and Voila servers for the browser tests: isolated Jupyter dirs, free ports, always stopped."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import TOKEN

ROOT = Path(__file__).resolve().parents[2]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

XSS_NOTEBOOK = """
import pandas as pd
from personalize_lab.client import Lab
from personalize_lab.emulator import LocalPersonalize
from personalize_lab.widgets import Storefront

evil = "<img src=x onerror=alert(1)>"
items = pd.DataFrame({
    "ITEM_ID": [f"i{k}" for k in range(40)],
    "TITLE": [f"{evil} {k}" for k in range(40)],
    "CATEGORY_L1": ["<script>alert(2)</script>"] * 40,
    "PRICE": [9.99] * 40,
})
interactions = pd.DataFrame({
    "USER_ID": [str(u % 6) for u in range(300)],
    "ITEM_ID": [f"i{(u * 7) % 40}" for u in range(300)],
    "TIMESTAMP": range(1_700_000_000, 1_700_000_300),
    "EVENT_TYPE": ["View"] * 300,
})
local = LocalPersonalize.from_frames(interactions, items)
arn = local.create_campaign("meta", "aws-user-personalization", {"enableMetadataWithRecommendations": True})
Storefront(Lab.local(local, campaign_arn=arn), title=evil)
"""

COMPARE_NOTEBOOK = """
from personalize_lab.client import Lab
from personalize_lab.requests import Promotion
from personalize_lab.widgets import ComparePanel

lab = Lab.demo()
panel = ComparePanel(lab, users=40)
b = panel.editors[1]
b.promotion.enabled.value = True
b.promotion.filter.dropdown.value = "category"
b.promotion.filter.placeholders.inputs["CATEGORY"].value = ("Toys",)
panel.run()
panel
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        path = home / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["OPENBLAS_NUM_THREADS"] = "1"
    # the kernels import this checkout's package, whatever is installed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    settings = Path(env["JUPYTER_CONFIG_DIR"]) / "lab/user-settings/@jupyterlab/apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return env


class Server:
    def __init__(self, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self._log_file = log.open("w")
        self.process = subprocess.Popen(command, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/kernels?token={TOKEN}", timeout=2) as r:
                    if r.status == 200:
                        return
            except urllib.error.HTTPError:  # Voila's tree mode has no /api/kernels: any answer means up
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"server not ready after {timeout}s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._log_file.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[dict[str, Any]]:
    """JupyterLab on a copy of 01_quickstart and Voila (tree mode) on 04 plus a script-injection notebook."""
    import nbformat

    home = tmp_path_factory.mktemp("jupyter")
    env = _environment(home)
    lab_root = home / "lab"
    voila_root = home / "voila"
    lab_root.mkdir()
    voila_root.mkdir()
    shutil.copy(ROOT / "notebooks" / "01_quickstart.ipynb", lab_root)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(XSS_NOTEBOOK))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, voila_root / "xss.ipynb")
    compare_nb = nbformat.v4.new_notebook()
    compare_nb.cells.append(nbformat.v4.new_code_cell(COMPARE_NOTEBOOK))
    compare_nb.metadata["kernelspec"] = nb.metadata["kernelspec"]
    nbformat.write(compare_nb, voila_root / "compare.ipynb")
    explorer_nb = nbformat.v4.new_notebook()
    explorer_nb.cells.append(
        nbformat.v4.new_code_cell(
            "from personalize_lab.client import Lab\nLab.demo(campaign='user-personalization-v2').explorer()"
        )
    )
    explorer_nb.metadata["kernelspec"] = nb.metadata["kernelspec"]
    nbformat.write(explorer_nb, voila_root / "explorer.ipynb")
    lab_port, voila_port, demo_port = free_port(), free_port(), free_port()
    lab = Server(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            f"--port={lab_port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={TOKEN}",
            "--LabApp.expose_app_in_browser=True",
            f"--ServerApp.root_dir={lab_root}",
        ],
        env,
        lab_port,
        home / "lab.log",
    )
    voila = Server(
        [
            sys.executable,
            "-m",
            "voila",
            str(voila_root),
            "--no-browser",
            f"--port={voila_port}",
            "--Voila.ip=127.0.0.1",
        ],
        env,
        voila_port,
        home / "voila.log",
    )
    # the stakeholder page exactly as `personalize-lab demo` serves it
    demo = Server(
        [sys.executable, "-m", "personalize_lab.cli", "demo", f"--port={demo_port}"],
        env,
        demo_port,
        home / "demo.log",
    )
    try:
        lab.wait_ready()
        voila.wait_ready()
        demo.wait_ready()
        yield {"lab": lab, "voila": voila, "demo": demo, "timings": {}}
    finally:
        lab.stop()
        voila.stop()
        demo.stop()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()
