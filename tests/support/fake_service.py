"""A tiny stand-in service behind real boto3 clients (a before-send handler), for client tests.

It records each HTTP request boto3 really sent (decoded JSON body, path, X-Amz-Target) and answers with
canned JSON bytes that boto3 parses itself, so tests check what our code sends and how it reads answers.
The real engine (personalize_lab.emulator) replaces this in the lead's end-to-end tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

REGION = "us-east-1"
ACCT = "123456789012"
CAMPAIGN = f"arn:aws:personalize:{REGION}:{ACCT}:campaign/shop"
RANKING_CAMPAIGN = f"arn:aws:personalize:{REGION}:{ACCT}:campaign/rank"
SIMS_CAMPAIGN = f"arn:aws:personalize:{REGION}:{ACCT}:campaign/sims"
ACTIONS_CAMPAIGN = f"arn:aws:personalize:{REGION}:{ACCT}:campaign/nba"
RECOMMENDER = f"arn:aws:personalize:{REGION}:{ACCT}:recommender/rfy"
DSG = f"arn:aws:personalize:{REGION}:{ACCT}:dataset-group/shop"
FILTER_GENRE = f"arn:aws:personalize:{REGION}:{ACCT}:filter/by-genre"
FILTER_EXCL = f"arn:aws:personalize:{REGION}:{ACCT}:filter/not-bought"
RECIPES = {
    CAMPAIGN: "arn:aws:personalize:::recipe/aws-user-personalization-v2",
    RANKING_CAMPAIGN: "arn:aws:personalize:::recipe/aws-personalized-ranking",
    SIMS_CAMPAIGN: "arn:aws:personalize:::recipe/aws-sims",
    ACTIONS_CAMPAIGN: "arn:aws:personalize:::recipe/aws-next-best-action",
}
FILTERS = {
    FILTER_GENRE: ("by-genre", "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)"),
    FILTER_EXCL: ("not-bought", "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($EVENT)"),
}


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


@dataclass
class FakeService:
    """Answers the calls a Lab makes; ``sent`` lists (operation, decoded body) in order."""

    metadata_enabled: bool = True
    runtime_answer: dict[str, Any] | None = None
    error: tuple[int, str, str] | None = None  # (status, code, message) for the next runtime call
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def clients(self) -> tuple[Any, Any]:
        session = boto3.session.Session(
            region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        config = Config(retries={"total_max_attempts": 1})
        runtime = session.client("personalize-runtime", config=config)
        control = session.client("personalize", config=config)
        runtime.meta.events.register("before-send.personalize-runtime", self._handle)
        control.meta.events.register("before-send.personalize", self._handle)
        return runtime, control

    def _reply(self, url: str, status: int, body: dict[str, Any], code: str | None = None) -> AWSResponse:
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": "req-1"}
        if code:
            headers["x-amzn-ErrorType"] = code
        return AWSResponse(url, status, headers, _Raw(json.dumps(body).encode()))

    def _handle(self, request: Any, event_name: str, **_: Any) -> AWSResponse:
        op = event_name.rsplit(".", 1)[-1]
        body = json.loads(request.body or b"{}")
        self.sent.append((op, body))
        url = request.url
        if op in ("GetRecommendations", "GetPersonalizedRanking", "GetActionRecommendations"):
            if self.error is not None:
                status, code, message = self.error
                self.error = None
                return self._reply(url, status, {"message": message}, code)
            return self._reply(url, 200, self.runtime_answer or self.default_answer(op, body))
        return self._reply(url, 200, self.control(op, body))

    @staticmethod
    def default_answer(op: str, body: dict[str, Any]) -> dict[str, Any]:
        if op == "GetPersonalizedRanking":
            items = [{"itemId": i, "score": 1 / len(body["inputList"])} for i in body["inputList"]]
            return {"personalizedRanking": items, "recommendationId": "RID-rank"}
        if op == "GetActionRecommendations":
            return {"actionList": [{"actionId": "a1", "score": 0.0}], "recommendationId": "RID-act"}
        n = body.get("numResults", 25)
        return {
            "itemList": [{"itemId": f"i{k}", "score": 0.01} for k in range(n)],
            "recommendationId": "RID-1",
        }

    def control(self, op: str, body: dict[str, Any]) -> dict[str, Any]:
        if op == "DescribeCampaign":
            arn = body["campaignArn"]
            return {
                "campaign": {
                    "name": arn.rsplit("/", 1)[-1],
                    "campaignArn": arn,
                    "solutionVersionArn": f"{arn}-solution/1",
                    "status": "ACTIVE",
                    "campaignConfig": {
                        "itemExplorationConfig": {"explorationWeight": "0.3"},
                        "enableMetadataWithRecommendations": self.metadata_enabled,
                    },
                }
            }
        if op == "DescribeSolutionVersion":
            campaign = body["solutionVersionArn"].rsplit("-solution/", 1)[0]
            return {
                "solutionVersion": {
                    "solutionVersionArn": body["solutionVersionArn"],
                    "solutionArn": f"{campaign}-solution",
                    "recipeArn": RECIPES[campaign],
                    "datasetGroupArn": DSG,
                    "status": "ACTIVE",
                }
            }
        if op == "DescribeRecommender":
            return {
                "recommender": {
                    "recommenderArn": body["recommenderArn"],
                    "name": "rfy",
                    "datasetGroupArn": DSG,
                    "recipeArn": "arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you",
                    "recommenderConfig": {"enableMetadataWithRecommendations": False},
                    "status": "ACTIVE",
                }
            }
        if op == "DescribeRecipe":
            return {"recipe": {"recipeArn": body["recipeArn"], "recipeType": "USER_PERSONALIZATION"}}
        if op == "ListFilters":
            return {
                "Filters": [
                    {"name": name, "filterArn": arn, "status": "ACTIVE", "datasetGroupArn": DSG}
                    for arn, (name, _) in FILTERS.items()
                ]
            }
        if op == "DescribeFilter":
            name, expression = FILTERS[body["filterArn"]]
            return {
                "filter": {
                    "name": name,
                    "filterArn": body["filterArn"],
                    "filterExpression": expression,
                    "status": "ACTIVE",
                    "datasetGroupArn": DSG,
                }
            }
        raise AssertionError(f"unexpected control-plane call {op}")
