"""Lab through real boto3 clients: what goes on the wire, how answers become frames, errors, last_call."""

from __future__ import annotations

import boto3
import botocore.exceptions
import pytest

import personalize_lab.errors as err
from personalize_lab.client import Lab
from personalize_lab.requests import Promotion
from tests.support.fake_service import (
    ACTIONS_CAMPAIGN,
    CAMPAIGN,
    DSG,
    FILTER_GENRE,
    RANKING_CAMPAIGN,
    RECOMMENDER,
    SIMS_CAMPAIGN,
    FakeService,
)


def lab_on(service: FakeService, **kw: object) -> Lab:
    runtime, control = service.clients()
    kw.setdefault("campaign_arn", CAMPAIGN)
    return Lab(client=runtime, control_client=control, **kw)  # type: ignore[arg-type]


def test_recommend_sends_exact_body_and_builds_the_frame() -> None:
    service = FakeService(
        runtime_answer={
            "itemList": [
                {"itemId": "i1", "score": 0.25, "reason": ["Exploration"]},
                {"itemId": "i2", "promotionName": "promo", "score": 0.125, "metadata": {"TITLE": "Two"}},
                {"itemId": "i3", "reason": ["Popular item"]},
            ],
            "recommendationId": "RID-9",
        }
    )
    lab = lab_on(service)
    df = lab.recommend("u1", num_results=3, context={"DEVICE": "mobile"}, promotion=Promotion("promo", 34))
    op, body = service.sent[-1]
    assert op == "GetRecommendations"
    assert body == {
        "campaignArn": CAMPAIGN,
        "userId": "u1",
        "numResults": 3,
        "context": {"DEVICE": "mobile"},
        "promotions": [{"name": "promo", "percentPromotedItems": 34}],
    }
    assert list(df.columns) == [
        "rank",
        "itemId",
        "score",
        "promotionName",
        "reason",
        "TITLE",
        "recommendationId",
    ]
    assert df["rank"].tolist() == [1, 2, 3]
    assert df["itemId"].tolist() == ["i1", "i2", "i3"]
    assert df["score"].isna().tolist() == [False, False, True]  # absent score is <NA>, never 0
    assert df["score"].iloc[:2].tolist() == [0.25, 0.125]
    assert df["promotionName"].isna().tolist() == [True, False, True]
    assert df["reason"].tolist() == [("Exploration",), (), ("Popular item",)]
    assert df["recommendationId"].unique().tolist() == ["RID-9"]
    assert df.attrs["source"] == "aws"
    assert df.attrs["request"] == body


def test_describe_resolves_once_from_the_recipe_arn() -> None:
    service = FakeService()
    lab = lab_on(service)
    lab.recommend("u1")
    lab.recommend("u2")
    ops = [op for op, _ in service.sent]
    assert ops == [
        "DescribeCampaign",
        "DescribeSolutionVersion",
        "DescribeRecipe",
        "GetRecommendations",
        "GetRecommendations",
    ]
    d = lab.describe()
    assert d["recipeArn"] == "arn:aws:personalize:::recipe/aws-user-personalization-v2"
    assert d["recipeType"] == "USER_PERSONALIZATION"
    assert d["behaviour"] == "USER_PERSONALIZATION"
    assert d["explorationConfig"] == {"explorationWeight": "0.3"}
    assert d["metadataEnabled"] is True
    assert d["status"] == "ACTIVE"
    assert d["datasetGroupArn"] == DSG


def test_recommender_and_validation_before_sending() -> None:
    service = FakeService()
    lab = lab_on(service, campaign_arn=None, recommender_arn=RECOMMENDER)
    with pytest.raises(err.ValidationError) as info:
        lab.recommend("u1", metadata=["TITLE"])
    assert "metadata is not enabled" in str(info.value)
    assert all(op != "GetRecommendations" for op, _ in service.sent)  # nothing was sent
    lab.recommend("u1", num_results=2)
    assert service.sent[-1][1] == {"recommenderArn": RECOMMENDER, "userId": "u1", "numResults": 2}


def test_sims_and_ranking_and_actions() -> None:
    service = FakeService()
    sims = lab_on(service, campaign_arn=SIMS_CAMPAIGN)
    sims.recommend(item_id="i9", num_results=2)
    assert service.sent[-1][1] == {"campaignArn": SIMS_CAMPAIGN, "itemId": "i9", "numResults": 2}
    ranker = lab_on(service, campaign_arn=RANKING_CAMPAIGN)
    df = ranker.rank("u1", ["a", "b", "c", "d"])
    assert service.sent[-1] == (
        "GetPersonalizedRanking",
        {"campaignArn": RANKING_CAMPAIGN, "inputList": ["a", "b", "c", "d"], "userId": "u1"},
    )
    assert df["itemId"].tolist() == ["a", "b", "c", "d"]
    assert df["score"].tolist() == [0.25] * 4
    actions = lab_on(service, campaign_arn=ACTIONS_CAMPAIGN)
    adf = actions.recommend_actions("u1")
    assert list(adf.columns) == ["rank", "actionId", "score", "promotionName", "reason", "recommendationId"]
    assert adf["score"].tolist() == [0.0]  # a real 0.0 stays 0.0


def test_service_errors_map_into_the_tree_chained_with_request() -> None:
    service = FakeService(error=(400, "InvalidInputException", "Invalid userId"))
    lab = lab_on(service)
    with pytest.raises(err.InvalidInputError) as info:
        lab.recommend("u1")
    e = info.value
    assert str(e) == "GetRecommendations: InvalidInputException: Invalid userId"
    assert e.request == {"campaignArn": CAMPAIGN, "userId": "u1", "numResults": 25}
    assert type(e.__cause__).__name__ == "InvalidInputException"
    service.error = (404, "ResourceNotFoundException", "no campaign")
    with pytest.raises(err.ResourceNotFoundError):
        lab.recommend("u1")
    service.error = (400, "ThrottlingException", "Rate exceeded")
    with pytest.raises(err.ThrottlingError):
        lab.recommend("u1")


def test_last_call_is_copy_pasteable_python() -> None:
    service = FakeService()
    lab = lab_on(service)
    assert lab.last_call() == "# no request sent yet"
    lab.recommend("u1", num_results=2, context={"DEVICE": "tv"})
    text = lab.last_call()
    assert text == (
        "client.get_recommendations(\n"
        f"    campaignArn={CAMPAIGN!r},\n"
        "    userId='u1',\n"
        "    numResults=2,\n"
        "    context={'DEVICE': 'tv'},\n"
        ")"
    )
    # and it really runs against the same client
    before = len(service.sent)
    eval(text, {"client": lab.client})
    assert service.sent[before] == service.sent[before - 1]


def test_filter_by_name_and_filters_frame() -> None:
    service = FakeService()
    lab = lab_on(service)
    lab.recommend("u1", filter="by-genre", filter_values={"GENRE": ["Action", "Drama"]})
    body = service.sent[-1][1]
    assert body["filterArn"].endswith(":filter/by-genre")
    assert body["filterValues"] == {"GENRE": '"Action","Drama"'}
    assert "filterValues={'GENRE': '\"Action\",\"Drama\"'}" in lab.last_call()
    frame = lab.filters()
    assert frame["name"].tolist() == ["by-genre", "not-bought"]
    assert frame["required"].tolist() == [("GENRE",), ()]
    assert frame["optional"].tolist() == [(), ("EVENT",)]


def test_unknown_filter_name_lists_known_ones() -> None:
    service = FakeService()
    lab = lab_on(service)
    with pytest.raises(err.ValidationError) as info:
        lab.recommend("u1", filter="by-genr")
    assert str(info.value) == (
        "filter='by-genr' is not a filter in this dataset group (known: ['by-genre', 'not-bought']). "
        "Fix: pass one of those names or a filter ARN (lab.filters() lists them)"
    )


def test_aws_session_paths_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    assert Lab(CAMPAIGN).client.meta.region_name == "us-east-1"  # the ARN's own region
    with pytest.raises(err.ValidationError) as info:
        Lab("arn:aws:personalize:::campaign/no-region")
    assert str(info.value) == (
        "region=None: no AWS region is configured for the session. Fix: pass region='us-east-1' "
        "(your campaign's region), or set AWS_DEFAULT_REGION"
    )
    session = boto3.session.Session(region_name="ap-south-1", aws_access_key_id="AKIDSESSION")
    session_lab = Lab(CAMPAIGN, session=session)
    # the session's credentials, the ARN's region (another region could only answer ResourceNotFound)
    assert session_lab.client._request_signer._credentials.access_key == "AKIDSESSION"
    assert session_lab.client.meta.region_name == "us-east-1"
    assert session_lab.control_client.meta.region_name == "us-east-1"
    lab = Lab(CAMPAIGN, region="eu-west-1")
    assert lab.client.meta.region_name == "eu-west-1"
    assert lab.control_client.meta.region_name == "eu-west-1"
    assert lab.client.meta.service_model.service_name == "personalize-runtime"
    with pytest.raises(err.ValidationError):
        Lab(CAMPAIGN, RECOMMENDER, region="eu-west-1")


def test_missing_credentials_become_access_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    lab = Lab(CAMPAIGN, region="us-east-1")
    with pytest.raises(err.AccessDeniedError) as info:
        lab.describe()
    assert str(info.value) == "NoCredentialsError: Unable to locate credentials"
    assert info.value.request == {"campaignArn": CAMPAIGN}


def test_runtime_only_role_still_recommends_with_a_warning() -> None:
    service = FakeService()
    runtime, control = service.clients()

    def deny(request: object, event_name: str, **_: object) -> object:
        from botocore.awsrequest import AWSResponse

        from tests.support.fake_service import _Raw

        body = b'{"__type":"AccessDeniedException","message":"not authorized to perform DescribeCampaign"}'
        return AWSResponse("https://x", 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))

    control.meta.events.register_first("before-send.personalize", deny)
    lab = Lab(CAMPAIGN, client=runtime, control_client=control)
    with pytest.warns(err.PersonalizeLabWarning) as record:
        df = lab.recommend("u1", num_results=3)
    assert len(df) == 3
    assert [str(w.message) for w in record] == [
        f"cannot describe {CAMPAIGN} (AccessDeniedException); requests are checked without the recipe's "
        "rules (userId/itemId, promotions, metadata). Grant personalize:Describe* to get them"
    ]
    with pytest.raises(err.AccessDeniedError):
        lab.describe()
    with pytest.warns(err.PersonalizeLabWarning, match=r"^cannot describe filter .*by-genre \(AccessDenied"):
        lab.recommend("u1", filter=FILTER_GENRE, filter_values={"GENRE": ["Drama"]})
    assert service.sent[-1][1]["filterValues"] == {"GENRE": '"Drama"'}


class _DuckLocal:
    """The three members Lab.local uses from LocalPersonalize (the engine lands on another branch)."""

    default_campaign_arn = CAMPAIGN

    def __init__(self, service: FakeService) -> None:
        self.runtime, self.control = service.clients()

    def client(self, service_name: str, **_: object) -> object:
        return self.runtime if service_name == "personalize-runtime" else self.control


def test_local_uses_the_engines_clients_and_default_campaign() -> None:
    service = FakeService()
    local = _DuckLocal(service)
    lab = Lab.local(local)
    assert lab.campaign_arn == CAMPAIGN
    assert lab.local_personalize is local
    df = lab.recommend("u1", num_results=2)
    assert df.attrs["source"] == "local"
    ranker = Lab.local(local, campaign_arn=RANKING_CAMPAIGN)
    assert ranker.rank("u1", ["a"]).attrs["source"] == "local"


def test_a_lab_that_makes_its_clients_sends_cohorts_without_botocore_retries() -> None:
    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    lab = Lab(CAMPAIGN, session=session)
    cohort = lab.connection.cohort_client
    assert cohort is not lab.client
    assert cohort.meta.config.retries["total_max_attempts"] == 1
    assert cohort.meta.region_name == lab.client.meta.region_name
    assert lab.with_target(RANKING_CAMPAIGN).connection.cohort_client is cohort  # made once, shared
    runtime, control = FakeService().clients()
    given = Lab(CAMPAIGN, client=runtime, control_client=control)
    assert given.connection.cohort_client is runtime  # a client you pass is used as it is


@pytest.mark.parametrize(
    "error",
    [
        botocore.exceptions.ConnectionClosedError(endpoint_url="https://x"),
        botocore.exceptions.EndpointConnectionError(endpoint_url="https://x"),
        botocore.exceptions.ReadTimeoutError(endpoint_url="https://x"),
        botocore.exceptions.ConnectTimeoutError(endpoint_url="https://x"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_failed_connection_is_service_unavailable(error: Exception) -> None:
    service = FakeService()
    runtime, control = service.clients()

    def drop(**_: object) -> None:
        raise error

    runtime.meta.events.register_first("before-send.personalize-runtime", drop)
    lab = Lab(CAMPAIGN, client=runtime, control_client=control)
    with pytest.raises(err.ServiceUnavailableError) as info:
        lab.send(lab.build_request("recommend", user_id="u1"))
    assert info.value.code == type(error).__name__
    assert info.value.__cause__ is error
