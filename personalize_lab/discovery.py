"""What a Lab can find out about its backend: its target's recipe, filters, other targets, schema, users.

Plain functions of the Lab's public interface (``lab.connection``, ``lab.describe()``, ``lab.target_arn``,
``lab.local_personalize``); :class:`~personalize_lab.client.Lab`'s methods of the same names call them
and keep the caches. Against AWS the control plane answers the target, filters, other targets and the
schema fields; users, their history and the item/user tables only exist when the backend is the local
Personalize, and are empty otherwise (the service cannot list users).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import boto3
import pandas as pd

from personalize_lab import filters
from personalize_lab.fields import metadata_fields
from personalize_lab.requests import RecipeInfo, recipe_info

if TYPE_CHECKING:
    from personalize_lab.client import Connection, Lab

__all__ = [
    "FILTER_COLUMNS",
    "context_keys",
    "describe_target",
    "events_client",
    "filter_frame",
    "item_table",
    "known_users",
    "schema_fields",
    "targets",
    "user_history",
    "user_table",
]

FILTER_COLUMNS = [
    "name",
    "arn",
    "status",
    "expression",
    "placeholders",
    "required",
    "optional",
    "parse_error",
]


# --- the target: campaign or recommender → recipe (§1.5, §9) -------------------------------------------


def describe_target(
    connection: Connection, campaign_arn: str | None, recommender_arn: str | None
) -> tuple[dict[str, Any], RecipeInfo]:
    """What ``lab.describe()`` shows, and the recipe's behaviour (decided from its ARN, never its type)."""
    desc: dict[str, Any]
    if campaign_arn:
        campaign = connection.control("describe_campaign", {"campaignArn": campaign_arn})["campaign"]
        config = campaign.get("campaignConfig") or {}
        sv_arn = campaign.get("solutionVersionArn", "")
        recipe_arn, dsg = _recipe_of_solution_version(connection, sv_arn)
        desc = {
            "kind": "campaign",
            "arn": campaign_arn,
            "name": campaign.get("name"),
            "status": campaign.get("status"),
            "solutionVersionArn": sv_arn,
            "datasetGroupArn": dsg,
        }
    else:
        rec = connection.control("describe_recommender", {"recommenderArn": recommender_arn})["recommender"]
        config = rec.get("recommenderConfig") or {}
        recipe_arn = rec.get("recipeArn", "")
        desc = {
            "kind": "recommender",
            "arn": recommender_arn,
            "name": rec.get("name"),
            "status": rec.get("status"),
            "datasetGroupArn": rec.get("datasetGroupArn"),
        }
    desc["explorationConfig"] = dict(config.get("itemExplorationConfig") or {})
    desc["metadataEnabled"] = bool(config.get("enableMetadataWithRecommendations", False))
    recipe_type = None
    if recipe_arn:
        try:
            recipe_type = connection.control("describe_recipe", {"recipeArn": recipe_arn})["recipe"].get(
                "recipeType"
            )
        except Exception:  # recipeType is informative only: behaviour comes from the ARN (§1.5)
            recipe_type = None
    info = recipe_info(recipe_arn, metadata_enabled=desc["metadataEnabled"], recipe_type=recipe_type)
    desc.update(
        {
            "recipeArn": recipe_arn,
            "recipeType": recipe_type,
            "behaviour": info.behaviour,
            "userId": info.user_id,
            "itemId": info.item_id,
            "promotions": info.promotions,
            "context": info.context,
        }
    )
    return desc, info


def _recipe_of_solution_version(connection: Connection, sv_arn: str) -> tuple[str, str | None]:
    """campaign → solution version → recipe ARN (§9); ``$LATEST`` and AutoML go via the solution."""
    if sv_arn.endswith("/$LATEST"):
        solution = connection.control("describe_solution", {"solutionArn": sv_arn.rsplit("/", 1)[0]})[
            "solution"
        ]
        best = (solution.get("autoMLResult") or {}).get("bestRecipeArn")
        return best or solution.get("recipeArn", ""), solution.get("datasetGroupArn")
    sv = connection.control("describe_solution_version", {"solutionVersionArn": sv_arn})["solutionVersion"]
    recipe_arn = sv.get("recipeArn") or ""
    dsg = sv.get("datasetGroupArn")
    if not recipe_arn or sv.get("performAutoML"):
        solution = connection.control("describe_solution", {"solutionArn": sv["solutionArn"]})["solution"]
        recipe_arn = (solution.get("autoMLResult") or {}).get("bestRecipeArn") or solution.get(
            "recipeArn", ""
        )
        dsg = dsg or solution.get("datasetGroupArn")
    return recipe_arn, dsg


# --- filters ---------------------------------------------------------------------------------------------


def filter_frame(
    summaries: Iterable[dict[str, Any]], describe: Callable[[str], dict[str, Any]], source: str
) -> pd.DataFrame:
    """One row per filter: ListFilters has no expressions, so ``describe(arn)`` (cached by the Lab) adds
    them, and their placeholders come from the parsed expression."""
    rows = []
    for summary in summaries:
        described = describe(summary["filterArn"])
        expression = described.get("filterExpression")
        names: tuple[str, ...] = ()
        required: tuple[str, ...] = ()
        error = None
        if expression:
            try:
                placeholders = filters.parse(expression).placeholders
                names = tuple(dict.fromkeys(p.name for p in placeholders))
                required = tuple(dict.fromkeys(p.name for p in placeholders if p.required))
            except Exception as e:  # shown in the frame: a filter we cannot parse is still listed
                error = str(e)
        rows.append(
            {
                "name": summary.get("name"),
                "arn": summary["filterArn"],
                "status": described.get("status", summary.get("status")),
                "expression": expression,
                "placeholders": names,
                "required": required,
                "optional": tuple(n for n in names if n not in required),
                "parse_error": error,
            }
        )
    frame = pd.DataFrame(rows, columns=FILTER_COLUMNS)
    for col in ("name", "arn", "status", "expression", "parse_error"):
        frame[col] = frame[col].astype("string")
    frame.attrs["source"] = source
    return frame


# --- other targets, schema fields -----------------------------------------------------------------------


def targets(lab: Lab) -> pd.DataFrame:
    """Campaigns and recommenders the control plane lists (kind, name, arn, status), the Lab's first."""
    connection, here = lab.connection, lab.target_arn
    dsg = lab.describe().get("datasetGroupArn")
    rows: list[dict[str, Any]] = [
        {"kind": "campaign", "name": c.get("name"), "arn": c["campaignArn"], "status": c.get("status")}
        for c in connection.list_all("list_campaigns", "campaigns", {})
    ]
    rows += [
        {"kind": "recommender", "name": r.get("name"), "arn": r["recommenderArn"], "status": r.get("status")}
        for r in connection.list_all(
            "list_recommenders", "recommenders", {"datasetGroupArn": dsg} if dsg else {}
        )
    ]
    if not any(r["arn"] == here for r in rows):
        rows.insert(0, {"kind": lab.describe()["kind"], "name": None, "arn": here, "status": None})
    rows.sort(key=lambda r: r["arn"] != here)
    return pd.DataFrame(rows, columns=["kind", "name", "arn", "status"]).astype("string")


def schema_fields(lab: Lab, dataset_type: str) -> list[str]:
    """Field names of the dataset group's INTERACTIONS / ITEMS / USERS schema ([] if absent)."""
    dsg = lab.describe().get("datasetGroupArn")
    if not dsg:
        return []
    connection = lab.connection
    for summary in connection.control("list_datasets", {"datasetGroupArn": dsg}).get("datasets", []):
        if summary.get("datasetType", "").upper() == dataset_type.upper():
            dataset = connection.control("describe_dataset", {"datasetArn": summary["datasetArn"]})["dataset"]
            schema = connection.control("describe_schema", {"schemaArn": dataset["schemaArn"]})
            return [f["name"] for f in json.loads(schema["schema"]["schema"]).get("fields", [])]
    return []


def context_keys(lab: Lab) -> list[str]:
    """Context keys a request may send: the Interactions schema's non-reserved fields (e.g. DEVICE)."""
    return metadata_fields("Interactions", schema_fields(lab, "INTERACTIONS"))


# --- what only the local Personalize can tell ------------------------------------------------------------


def known_users(lab: Lab) -> list[str]:
    """User ids the local backend knows; [] against AWS (the service cannot list users)."""
    local = lab.local_personalize
    return list(local.users) if local is not None else []


def user_history(lab: Lab, user_id: str, limit: int = 20) -> pd.DataFrame:
    """The user's interactions newest first with item metadata (local backend); empty against AWS."""
    local = lab.local_personalize
    if local is None or not user_id:
        return pd.DataFrame(columns=["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"])
    return local.user_history(str(user_id), limit=limit)


def item_table(lab: Lab) -> pd.DataFrame | None:
    """The Items dataset (ITEM_ID and metadata) when the backend holds it; None against AWS."""
    local = lab.local_personalize
    return local.items if local is not None else None


def user_table(lab: Lab) -> pd.DataFrame | None:
    """The Users dataset (USER_ID and metadata) when the backend holds it; None against AWS."""
    local = lab.local_personalize
    return getattr(getattr(local, "data", None), "users", None) if local is not None else None


def events_client(lab: Lab) -> tuple[Any, str | None]:
    """A ``personalize-events`` client and the tracking id (local tracker; None against AWS)."""
    local = lab.local_personalize
    if local is not None:
        return local.client("personalize-events"), str(local.tracking_id)
    return boto3.client("personalize-events", region_name=lab.client.meta.region_name), None
