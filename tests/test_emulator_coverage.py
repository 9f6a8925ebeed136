"""docs/emulator-coverage.md is generated from the service models and must match the code."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from personalize_lab.emulator import wire

ROOT = Path(__file__).resolve().parents[1]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "emulator_coverage", ROOT / "scripts" / "emulator_coverage.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_coverage_doc_is_up_to_date() -> None:
    script = _script()
    assert (ROOT / "docs" / "emulator-coverage.md").read_text() == script.render(), (
        "docs/emulator-coverage.md is stale: run `python scripts/emulator_coverage.py` and commit it"
    )


def test_coverage_lists_every_operation_with_its_state() -> None:
    text = _script().render()
    assert re.search(r"## personalize \(json\): 24 of \d+ emulated", text)
    assert "| ListFilters | `list_filters` | yes |" in text
    assert "| CreateSolution | `create_solution` | no |" in text
    assert "| GetPersonalizedRanking | `get_personalized_ranking` | yes |" in text
    assert "| PutActions | `put_actions` | no |" in text
    for service, operations in wire.ENGINE_OPERATIONS.items():
        assert set(operations) <= set(wire.service_model(service).operation_names)
