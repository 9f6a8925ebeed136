"""A test double of the engine (``LocalPersonalize``), which is being written in parallel.

It has the engine's shape as far as the wire layer sees it: a real ``ControlPlane`` on ``.control`` and
the runtime/events methods named after boto3 operations, returning fixed dicts or raising the emulator's
exceptions. Tests switch to the real engine once it lands; keep this tiny.
"""

from __future__ import annotations

from typing import Any

from personalize_lab.emulator.control import ControlPlane
from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.transport import WiredMixin

RECIPE = "arn:aws:personalize:::recipe/aws-user-personalization"


class EngineDouble(WiredMixin):
    """Stands in for LocalPersonalize: fixed answers, real control plane."""

    def __init__(self) -> None:
        ticks = iter(range(1_700_000_000, 1_800_000_000))
        self.control = ControlPlane(clock=lambda: float(next(ticks)))
        self.events: list[dict[str, Any]] = []
        dsg = self.control.add_dataset_group("shop")
        solution = self.control.add_solution("shop-up", dsg, RECIPE)
        version = self.control.add_solution_version(solution)
        self.campaign_arn = self.control.add_campaign(
            "shop-up", version, {"itemExplorationConfig": {"explorationWeight": "0.3"}}
        )
        self.filter_arn = self.control.add_filter(
            "no-bought", dsg, 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'
        )
        self.dataset_group_arn = dsg

    def get_recommendations(self, **kw: Any) -> dict[str, Any]:
        self.control.campaign(kw.get("campaignArn", ""))  # unknown ARN -> ResourceNotFoundException
        n = kw.get("numResults", 25)
        if n > 500:
            raise InvalidInputException(f"numResults={n} exceeds the maximum of 500")
        items = [{"itemId": f"i{k}", "score": 1.0 / (k + 1)} for k in range(min(n, 3))]
        return {"itemList": items, "recommendationId": "RID-fixed"}

    def put_events(self, trackingId: str, sessionId: str, eventList: list[Any]) -> dict[str, Any]:  # noqa: N803
        kw = {"trackingId": trackingId, "sessionId": sessionId, "eventList": eventList}
        self.events.append(kw)
        return {}
