"""`personalize-lab demo` serves the packaged copy of the stakeholder notebook; the copy must not go stale."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from personalize_lab import cli

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
