"""docs/emulator-coverage.md is generated from the service models and must match the code."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

from personalize_lab.emulator import wire
from tests.support.paths import ROOT


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
    assert re.search(r"## personalize \(json\): 60 of \d+ emulated", text)
    assert re.search(r"\| ListFilters \| `list_filters` \| yes \| [1-9]\d* \|", text)
    assert "| CreateSolution | `create_solution` | yes |" in text
    assert "| CreateBatchInferenceJob | `create_batch_inference_job` | yes |" in text
    assert "| CreateBatchSegmentJob | `create_batch_segment_job` | no |" in text
    assert re.search(r"\| GetRecommendations \| `get_recommendations` \| yes \| \d{2,} \|", text)
    assert re.search(r"\| GetPersonalizedRanking \| `get_personalized_ranking` \| yes \| \d{2,} \|", text)
    assert re.search(r"\| GetActionRecommendations \| `get_action_recommendations` \| yes \| \d{2,} \|", text)
    assert "## personalize-runtime (rest-json): 3 of 3 emulated" in text
    assert "## personalize-events (rest-json): 5 of 5 emulated" in text
    assert re.search(r"\| PutEvents \| `put_events` \| yes \| [1-9] \|", text)
    assert re.search(r"\| PutActions \| `put_actions` \| yes \| [1-9] \|", text)
    assert re.search(r"\| PutActionInteractions \| `put_action_interactions` \| yes \| [1-9] \|", text)
    for service, operations in wire.ENGINE_OPERATIONS.items():
        assert set(operations) <= set(wire.service_model(service).operation_names)
