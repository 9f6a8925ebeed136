"""Write the tutorial notebooks from the cell sources below (outputs cleared), so diffs stay reviewable.

Run ``python scripts/make_notebooks.py`` after editing; tests execute every notebook in ``notebooks/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from notebook_sources import NOTEBOOKS  # noqa: E402


def build(cells: list[tuple[str, str]], name: str = "nb") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for number, (kind, source) in enumerate(cells):
        source = source.strip("\n")
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        cell.id = f"{name}-{number:02d}"  # stable ids keep regenerated notebooks diff-free
        nb.cells.append(cell)
    return nb


# `personalize-lab demo` serves this notebook from the installed package, so it ships a copy as package data
PACKAGED = {"04_stakeholder_demo": ROOT / "personalize_lab" / "widgets" / "stakeholder_demo.ipynb"}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        for path in (ROOT / "notebooks" / f"{name}.ipynb", PACKAGED.get(name)):
            if path is not None:
                nbformat.write(build(cells, name), path)
                print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
