"""What a Lab can find out about its backend, for the panels: targets, schema fields, users, history.

Against AWS the control plane answers the first few (targets, schema fields, context keys); users, their
history and the item/user tables only exist when the backend is the local Personalize, and are empty
otherwise (the service cannot list users). Kept apart from :mod:`personalize_lab.client`, whose concern is
asking for recommendations; :class:`~personalize_lab.client.Lab` inherits these methods.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Self

import boto3
import pandas as pd

from personalize_lab.fields import metadata_fields


class DiscoveryMixin:
    """Read-only discovery methods of :class:`~personalize_lab.client.Lab`."""

    if TYPE_CHECKING:  # provided by Lab
        client: Any
        control_client: Any
        source: str
        local_personalize: Any
        _recorder: Any
        _target_arn: str

        def __init__(
            self,
            campaign_arn: str | None = None,
            recommender_arn: str | None = None,
            *,
            client: Any = None,
            control_client: Any = None,
        ) -> None: ...

        def _describe(self) -> dict[str, Any]: ...

        def _call(
            self, client: Any, method: str, kwargs: dict[str, Any], *, remember: bool = False
        ) -> Any: ...

        def _list_all(self, operation: str, key: str, kwargs: dict[str, Any]) -> list[dict[str, Any]]: ...

    def targets(self) -> pd.DataFrame:
        """Campaigns and recommenders the control plane lists (kind, name, arn, status), this one first."""
        rows: list[dict[str, Any]] = []
        dsg = self._describe().get("datasetGroupArn")
        rows += [
            {"kind": "campaign", "name": c.get("name"), "arn": c["campaignArn"], "status": c.get("status")}
            for c in self._list_all("list_campaigns", "campaigns", {})
        ]
        rows += [
            {
                "kind": "recommender",
                "name": r.get("name"),
                "arn": r["recommenderArn"],
                "status": r.get("status"),
            }
            for r in self._list_all(
                "list_recommenders", "recommenders", {"datasetGroupArn": dsg} if dsg else {}
            )
        ]
        if not any(r["arn"] == self._target_arn for r in rows):
            rows.insert(
                0, {"kind": self._describe()["kind"], "name": None, "arn": self._target_arn, "status": None}
            )
        rows.sort(key=lambda r: r["arn"] != self._target_arn)
        return pd.DataFrame(rows, columns=["kind", "name", "arn", "status"]).astype("string")

    def with_target(self, campaign_arn: str | None = None, recommender_arn: str | None = None) -> Self:
        """A Lab on another campaign/recommender through the same clients (and local Personalize)."""
        lab = type(self)(
            campaign_arn, recommender_arn, client=self.client, control_client=self.control_client
        )
        lab.source = self.source
        lab.local_personalize = self.local_personalize
        lab._recorder = self._recorder  # already attached to the shared clients
        return lab

    def schema_fields(self, dataset_type: str) -> list[str]:
        """Field names of the dataset group's INTERACTIONS / ITEMS / USERS schema ([] if absent)."""
        dsg = self._describe().get("datasetGroupArn")
        if not dsg:
            return []
        for summary in self._call(self.control_client, "list_datasets", {"datasetGroupArn": dsg}).get(
            "datasets", []
        ):
            if summary.get("datasetType", "").upper() == dataset_type.upper():
                dataset = self._call(
                    self.control_client, "describe_dataset", {"datasetArn": summary["datasetArn"]}
                )["dataset"]
                schema = self._call(
                    self.control_client, "describe_schema", {"schemaArn": dataset["schemaArn"]}
                )
                return [f["name"] for f in json.loads(schema["schema"]["schema"]).get("fields", [])]
        return []

    def context_keys(self) -> list[str]:
        """Context keys a request may send: the Interactions schema's non-reserved fields (e.g. DEVICE)."""
        return metadata_fields("Interactions", self.schema_fields("INTERACTIONS"))

    def known_users(self) -> list[str]:
        """User ids the local backend knows; [] against AWS (the service cannot list users)."""
        local = self.local_personalize
        return list(local.users) if local is not None else []

    def user_history(self, user_id: str, limit: int = 20) -> pd.DataFrame:
        """The user's interactions newest first with item metadata (local backend); empty against AWS."""
        local = self.local_personalize
        if local is None or not user_id:
            return pd.DataFrame(columns=["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"])
        return local.user_history(str(user_id), limit=limit)

    def item_table(self) -> pd.DataFrame | None:
        """The Items dataset (ITEM_ID and metadata) when the backend holds it; None against AWS."""
        local = self.local_personalize
        return local.items if local is not None else None

    def user_table(self) -> pd.DataFrame | None:
        """The Users dataset (USER_ID and metadata) when the backend holds it; None against AWS."""
        local = self.local_personalize
        return getattr(getattr(local, "data", None), "users", None) if local is not None else None

    def events_client(self) -> tuple[Any, str | None]:
        """A ``personalize-events`` client and the tracking id (local tracker; None against AWS)."""
        local = self.local_personalize
        if local is not None:
            return local.client("personalize-events"), str(local.tracking_id)
        return boto3.client("personalize-events", region_name=self.client.meta.region_name), None
