"""Every notebook in notebooks/ runs headless, top to bottom, against the embedded local Personalize."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the kernel imports this checkout's package, whatever else is installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("outputs") for c in code_cells[-1:]), "the last cell shows a result"


def test_notebooks_are_generated_from_their_sources() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from make_notebooks import build
    from notebook_sources import NOTEBOOKS as SOURCES

    for name, cells in SOURCES.items():
        on_disk = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        assert on_disk.cells == build(cells, name).cells, f"run scripts/make_notebooks.py: {name} is stale"
