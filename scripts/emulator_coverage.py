"""Write docs/emulator-coverage.md: every operation of the three Personalize services, emulated or not.

Read from botocore's service models, so the list is complete for the installed botocore; an operation
counts as emulated when the wire layer would dispatch it: a method of ``ControlPlane`` for the control
plane, an entry of ``wire.ENGINE_OPERATIONS`` that ``LocalPersonalize`` implements for the runtime and
events. Each row also counts the conformance-table cases that exercise the operation.
Run ``python scripts/emulator_coverage.py`` after adding an operation; a test fails while the doc is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import botocore

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from personalize_lab.emulator import wire  # noqa: E402
from personalize_lab.emulator.control import ControlPlane  # noqa: E402
from personalize_lab.emulator.engine import LocalPersonalize  # noqa: E402

DOC = ROOT / "docs" / "emulator-coverage.md"


GOLDEN = ROOT / "tests" / "golden" / "emulator" / "conformance.json"

#: Operations the wire dispatches but answers only in part, and why.
NOTES: dict[str, str] = {}

#: Service rules the emulator follows that a reader of its answers might doubt, each with its source and test.
BEHAVIOUR = (
    "GetPersonalizedRanking: items the model does not know are ranked last with a score of 0 (developer "
    'guide, "rankings"; `EmulatorOptions(unknown_ranking_item_score=None)` leaves the score out). '
    "Test: `tests/emulator/test_serving.py`.",
    "PutEvents: eventValue, impression, recommendationId, eventId, eventAttributionSource and properties are "
    "stored with the event (`LocalPersonalize.streamed_events()`); a recommendationId this emulator issued "
    "names the event's campaign or recommender and its list (implicit impressions); a repeated eventId is "
    "not applied twice (guide: repeats are not used in training). Test: `tests/emulator/test_events.py`.",
    "Metric attribution: the service publishes metrics to CloudWatch/S3; the emulator computes them from "
    "the events received after creation, per EVENT_ATTRIBUTION_SOURCE (source, else the recommendationId's "
    "campaign or recommender, else SOURCE_NAME_UNDEFINED), as `LocalPersonalize.metric_attribution_report(arn)` "
    "(a DataFrame; `lab.attribution_metrics()`). Event types match case-insensitively [undoc]. "
    "Test: `tests/emulator/test_metric_attribution.py`.",
    "GetActionRecommendations: aws-next-best-action campaigns score each action with the probability the "
    "user takes it (0–1); actions short of 50 TAKEN and 50 NOT_TAKEN/VIEWED interactions in the last 6 "
    "weeks score 0.0 and fill exploration slots at the end of the list; expired actions never appear; a "
    "taken action waits its REPEAT_FREQUENCY days; equally likely actions rank by VALUE (developer guide, "
    '"Next-Best-Action recipe", "Getting action recommendations"). Undocumented corners are '
    "`EmulatorOptions.action_*`. Tests: `tests/emulator/test_action_serving.py`, "
    "`tests/emulator/test_action_events.py`.",
    "GetRecommendations: every domain use case accepts a promotion, VOD Trending now included (developer "
    'guide, "promotions": "With all domain use cases … you can specify a promotion"). '
    "Test: `tests/emulator/test_serving.py`.",
)


#: Behaviour fixed to match the developer guide, one line each (issue 11), rendered after the tables.
FIDELITY = (
    "CreateCampaign: `campaignConfig.rankingInfluence` is checked like the service (keys POPULARITY and "
    "FRESHNESS, values 0–1; others answer InvalidInputException) and honoured: scores shift toward popular "
    "or new items by the weight (formula in `emulator/influence.py`, strength "
    "`EmulatorOptions.ranking_influence_scale`). `syncWithLatestSolutionVersion` true needs the "
    "`<solutionArn>/$LATEST` form, which is accepted and resolved to the latest version.",
    "User-Personalization and Personalized-Ranking scores: logits divided by "
    "`EmulatorOptions.score_temperature` (2.0) so score distributions look like the guide's batch example "
    "(top-1 0.015–0.041): on the demo store the median top-1 score is 0.029 (was 0.35) and the top 25 "
    "hold 14% of the mass (was 78%).",
    "User-Personalization with exploration off ranks at least as well as plain implicit ALS with the same "
    "factors on a per-user temporal split (`benchmarks/quality.py`; demo and MovieLens-shaped stores; "
    "ml-100k is not shipped and not measured here).",
)


def emulated(service: str, operation: str) -> bool:
    """Dispatched by the wire layer: a ControlPlane method, or an engine operation LocalPersonalize has."""
    method = wire.snake_case(operation)
    if service == wire.CONTROL:
        return callable(getattr(ControlPlane, method, None))
    return operation in wire.ENGINE_OPERATIONS[service] and callable(getattr(LocalPersonalize, method, None))


def conformance_cases() -> dict[tuple[str, str], int]:
    """(service, boto3 method) -> cases of the conformance table that call it."""
    counts: dict[tuple[str, str], int] = {}
    for case in json.loads(GOLDEN.read_text())["cases"]:
        key = (case["service"], case["operation"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def render() -> str:
    cases = conformance_cases()
    lines = [
        "# Local Personalize: emulator coverage",
        "",
        "Generated by `python scripts/emulator_coverage.py` from botocore's service models "
        f"(botocore {botocore.__version__.split('.')[0]}.x); do not edit by hand.",
        "An operation that is not emulated answers `UnknownOperationException` naming it.",
        f"The last column counts the requests of the conformance table (`{GOLDEN.relative_to(ROOT)}`) that "
        "call the operation; each runs through boto3 both in-process and over HTTP.",
        "",
    ]
    for service in wire.SERVICES:
        model = wire.service_model(service)
        names = sorted(model.operation_names)
        done = [n for n in names if emulated(service, n)]
        where = (
            "ControlPlane (personalize_lab/emulator/control.py)"
            if service == wire.CONTROL
            else "the engine, LocalPersonalize (personalize_lab/emulator/engine.py)"
        )
        lines += [
            f"## {service} ({model.protocol}): {len(done)} of {len(names)} emulated",
            "",
            f"Emulated operations are answered by {where}.",
            "",
            "| operation | boto3 method | emulated | conformance cases |",
            "|---|---|---|---|",
        ]
        for n in names:
            state = NOTES.get(n, "yes") if n in done else "no"
            count = cases.get((service, wire.snake_case(n)), 0)
            lines.append(f"| {n} | `{wire.snake_case(n)}` | {state} | {count or ''} |")
        lines.append("")
    lines += ["## Fidelity notes", ""] + [f"- {line}" for line in FIDELITY] + [""]
    lines += ["## Behaviour notes", ""] + [f"- {note}" for note in BEHAVIOUR] + [""]
    return "\n".join(lines)


def main() -> None:
    DOC.write_text(render())
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
