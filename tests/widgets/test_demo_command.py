"""`personalize-lab demo`: the packaged notebook stays in step; bad arguments end with one line; on the
user's own folder the printed URL answers at once, the page links nothing remote and idle kernels are culled."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from personalize_lab import cli
from personalize_lab.datasets import demo_store, write_dir

ROOT = Path(__file__).resolve().parents[2]


def test_packaged_demo_notebook_matches_the_tutorial_notebook() -> None:
    packaged = nbformat.read(cli.DEMO_NOTEBOOK, as_version=4)
    tutorial = nbformat.read(ROOT / "notebooks" / "04_stakeholder_demo.ipynb", as_version=4)
    assert packaged.cells == tutorial.cells, "run scripts/make_notebooks.py"
    assert "Storefront(" in packaged.cells[-1].source


def test_demo_command_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    assert "Voila page on 127.0.0.1" in capsys.readouterr().out


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small folder of the user's own files, as write_dir writes them (with personalize-lab.json)."""
    return write_dir(
        demo_store(n_users=40, n_items=80, n_interactions=800, seed=2), tmp_path_factory.mktemp("shop")
    )


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "no-such-folder"], "--data no-such-folder: not a folder"),
        (
            ["--campaign", "homepage"],
            "--campaign homepage: no such campaign; this data has next-best-action, personalized-ranking",
        ),
        (["--recommender", "nope"], "--recommender nope: no such recommender; this data has best-sellers"),
    ],
)
def test_bad_arguments_end_with_one_line(
    args: list[str], message: str, shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["demo", *args, "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"personalize-lab demo: {message}")
    assert err.count("\n") == 1


def test_a_port_in_use_ends_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["demo", "--port", str(port)]) == 2
    assert (
        capsys.readouterr().err
        == f"personalize-lab demo: --port {port}: already in use; stop what uses it or pick another port\n"
    )


def test_demo_lab_reads_the_folder_and_target_the_command_passes(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.ENV_DATA, str(shop))
    monkeypatch.setenv(cli.ENV_RECOMMENDER, "best-sellers")
    lab = cli.demo_lab()
    assert lab.recommender_arn.endswith(":recommender/best-sellers")
    assert len(lab.local_personalize.users) == 40  # the folder's users, not the demo store's 1,000


def test_demo_on_own_data_answers_when_printed_links_nothing_remote_and_culls_idle_kernels(
    shop: Path,
) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "personalize_lab.cli", "demo", "--data", str(shop), "--campaign", "sims",
               "--port", str(port), "--idle-timeout", "2"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the command prints (or exits)
        url = f"http://127.0.0.1:{port}/"
        assert line.startswith(f"personalize-lab demo: {url}"), line
        with urllib.request.urlopen(url, timeout=90) as response:  # at once: it must already answer
            assert response.status == 200
            page = response.read().decode()
        assert "application/vnd.jupyter.widget-view+json" in page  # the Storefront rendered
        assert '"output_type": "error"' not in page
        remote = re.findall(r"""(?:href|src)=["']?https?://[^"'\s>]+|import\(["']https?://[^"']+""", page)
        assert remote == [], "the page must send no request off the machine"
        kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page)
        assert kernel is not None
        # this "tab" never opens the kernel's websocket: once idle for 2 s the kernel is shut down
        deadline = time.monotonic() + 30
        while _status(f"http://127.0.0.1:{port}/api/kernels/{kernel[1]}") == 200:
            assert time.monotonic() < deadline, "the idle kernel was not culled within 30 s"
            time.sleep(0.5)
        assert _status(f"http://127.0.0.1:{port}/api/kernels/{kernel[1]}") == 404
    finally:
        process.terminate()
        process.wait(20)
