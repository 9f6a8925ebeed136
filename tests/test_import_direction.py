"""Imports point one way (docs/architecture.md): the emulator sits beside the stack, reached only via boto3.

Layers of the client side, lowest first; a module may import its own layer and the layers below it:

    base      errors, filters, fields, limits, recipes_known, columns, canonical (shared by both sides)
    frames    frames, requests             (the column contract, typed requests)
    analysis  analysis                     (pure functions of frames)
    plots     plots                        (frames -> plotly figures)
    report    report                       (figures + tables -> HTML)
    client    client, connection, cohort, replay, batch, discovery, tracking, simulation (boto3, many requests)
    widgets   widgets                      (panels that only wire state)

The emulator side may import base and datasets, never the client side. Client-side modules never import
the emulator at module level; the one sanctioned join (``Lab.demo``/``Lab.local``) is a function-level
import listed in ``JOINS``. ``personalize_lab/__init__.py`` and ``cli.py`` join everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "personalize_lab"

CLIENT_LAYERS = [
    {"errors", "filters", "fields", "limits", "recipes_known", "columns", "canonical"},
    {"frames", "requests"},
    {"analysis"},
    {"plots"},
    {"report"},
    {
        "client",
        "connection",
        "cohort",
        "replay",
        "batch",
        "batch_runs",
        "discovery",
        "tracking",
        "simulation",
    },
    {"widgets"},
]
EMULATOR_SIDE = {"emulator", "datasets"}
JOINERS = {"__init__", "cli"}
# (importing top-level module, imported top-level module) allowed inside functions only
# (``lab.explorer()`` & co. build panels: client → widgets, inside the method only)
JOINS = {("client", "emulator"), ("widgets", "emulator"), ("client", "widgets")}


def _rank(top: str) -> int | None:
    for i, layer in enumerate(CLIENT_LAYERS):
        if top in layer:
            return i
    return None


def _top(module_path: Path) -> str:
    rel = module_path.relative_to(PKG)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported personalize_lab top-level module, at module level?) for each import in the file."""
    tree = ast.parse(path.read_text())
    module_level = {id(n) for n in tree.body}
    for node in tree.body:  # imports under `if TYPE_CHECKING:` count as module level for the rule
        if isinstance(node, ast.If):
            module_level.update(id(n) for n in node.body)
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level:
            continue  # relative imports stay inside one top-level package
        for name in names:
            parts = name.split(".")
            if parts[0] == "personalize_lab" and len(parts) > 1:
                found.append((parts[1], id(node) in module_level))
    return found


def test_imports_point_one_way() -> None:
    problems = []
    for path in sorted(PKG.rglob("*.py")):
        src = _top(path)
        if src in JOINERS:
            continue
        for dst, at_module_level in _imports(path):
            if dst == src or dst in {
                "errors",
                "filters",
                "fields",
                "limits",
                "recipes_known",
                "columns",
                "canonical",
            }:
                continue
            rel = path.relative_to(PKG.parent)
            if src in EMULATOR_SIDE:
                if dst not in EMULATOR_SIDE:
                    problems.append(f"{rel}: the emulator side must not import personalize_lab.{dst}")
                continue
            if dst in EMULATOR_SIDE or dst in JOINERS:
                if at_module_level or (src, dst) not in JOINS:
                    problems.append(f"{rel}: client side reaches the emulator only via boto3 ({dst})")
                continue
            src_rank, dst_rank = _rank(src), _rank(dst)
            if src_rank is None or dst_rank is None:
                problems.append(f"{rel}: personalize_lab.{src} or .{dst} has no layer; add it to this test")
            elif dst_rank > src_rank and (at_module_level or (src, dst) not in JOINS):
                problems.append(f"{rel}: {src} (layer {src_rank}) must not import {dst} (layer {dst_rank})")
    assert not problems, "\n".join(problems)


def _exists(top: str) -> bool:
    return (PKG / top).is_dir() or (PKG / f"{top}.py").is_file()


def test_every_module_this_test_names_exists() -> None:
    """A renamed or removed module must fail here, not make the rules above pass vacuously."""
    named = set().union(*CLIENT_LAYERS, EMULATOR_SIDE, JOINERS - {"__init__"}, *JOINS)
    assert sorted(m for m in named if not _exists(m)) == []


def test_base_layer_is_self_contained() -> None:
    paths = sorted((PKG / "filters").rglob("*.py"))
    assert paths, "personalize_lab/filters/ has no modules: update this test"
    for path in paths:
        for dst, _ in _imports(path):
            assert dst in {"filters", "errors", "limits"}, (
                f"{path}: filters may import only errors and limits"
            )
