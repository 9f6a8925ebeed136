# ruff: noqa: N803 -- argument names are boto3's own (camelCase), so **params from the wire fit
"""Deployment changes of the control plane: UpdateCampaign, DeleteCampaign, Start/Stop/Update/DeleteRecommender,
DeleteEventTracker.

A mixin of :class:`~personalize_lab.emulator.control.ControlPlane`. The records change here; what serves
them (the engine) follows through :class:`DeploymentHooks`, which the engine sets. An update is applied at
once: the service reports it under ``latestCampaignUpdate`` (CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE)
and moves the campaign to the new version when it is done; here the describe after the update already
shows both done (``latestCampaignUpdate.status`` ACTIVE), as every create here is ACTIVE at once. Likewise
StopRecommender (service: STOP PENDING -> STOP IN_PROGRESS -> INACTIVE) and StartRecommender (START PENDING
-> START IN_PROGRESS -> ACTIVE) have ended when they return; an INACTIVE recommender refuses
GetRecommendations.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from personalize_lab.emulator.campaign_config import check_campaign_config
from personalize_lab.emulator.exceptions import InvalidInputException, ResourceInUseException
from personalize_lab.emulator.resources import Record
from personalize_lab.emulator.tagging import TaggingOperations, check_tags

__all__ = ["DeploymentHooks", "DeploymentOperations"]

UPDATABLE = ("ACTIVE", "CREATE FAILED")  # the service updates a campaign in these states only


@dataclass
class DeploymentHooks:
    """What the engine does when a campaign changes: serve the record as it is now, or stop serving it."""

    on_update_campaign: Callable[[Record], None] | None = None
    on_delete_campaign: Callable[[str], None] | None = None
    on_update_recommender: Callable[[Record], None] | None = None
    on_delete_recommender: Callable[[str], None] | None = None
    on_create_recommender: Callable[[Record], None] | None = None


class DeploymentOperations(TaggingOperations):
    """UpdateCampaign, DeleteCampaign and DeleteEventTracker (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deployment_hooks = DeploymentHooks()

    def update_campaign(
        self,
        campaignArn: str,
        solutionVersionArn: str | None = None,
        minProvisionedTPS: int | None = None,
        campaignConfig: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Deploy another solution version and/or change minProvisionedTPS and campaignConfig.

        Omitted members keep their values; a given ``campaignConfig`` replaces the old one. The engine
        serves the new version and config on the next request, with the campaign's per-user caches gone.
        """
        campaign = self.campaign(campaignArn)
        if campaign["status"] not in UPDATABLE:
            raise ResourceInUseException(
                f"Campaign {campaignArn} is {campaign['status']}: it can be updated when ACTIVE or "
                "CREATE FAILED. Wait for DescribeCampaign to report ACTIVE."
            )
        version_arn = solutionVersionArn or campaign["solutionVersionArn"]
        version = self.solution_version(version_arn)
        if version["status"] != "ACTIVE":
            raise InvalidInputException(
                f"solutionVersionArn {version_arn} is {version['status']}, not ACTIVE: wait until "
                "DescribeSolutionVersion reports ACTIVE, then update the campaign."
            )
        config = copy.deepcopy(campaignConfig if campaignConfig is not None else campaign["campaignConfig"])
        check_campaign_config(config, version_arn)
        tps = minProvisionedTPS if minProvisionedTPS is not None else campaign["minProvisionedTPS"]
        updated = dict(campaign, solutionVersionArn=version_arn, minProvisionedTPS=tps, campaignConfig=config)
        hook = self.deployment_hooks.on_update_campaign
        if hook is not None:
            hook(updated)  # the engine refuses (and nothing changes) before the record changes
        now = self.clock()
        with self._lock:
            campaign.update(
                solutionVersionArn=version_arn,
                minProvisionedTPS=tps,
                campaignConfig=config,
                status="ACTIVE",
                lastUpdatedDateTime=now,
            )
            campaign.pop("failureReason", None)
            campaign["latestCampaignUpdate"] = {
                "solutionVersionArn": version_arn,
                "minProvisionedTPS": tps,
                "campaignConfig": copy.deepcopy(config),
                "status": "ACTIVE",
                "creationDateTime": now,
                "lastUpdatedDateTime": now,
            }
        return {"campaignArn": campaignArn}

    def delete_campaign(self, campaignArn: str) -> dict[str, Any]:
        """Delete at once (the service passes through DELETE PENDING); the campaign stops serving."""
        self.campaign(campaignArn)
        self.remove(campaignArn)
        hook = self.deployment_hooks.on_delete_campaign
        if hook is not None:
            hook(campaignArn)
        return {}

    def delete_event_tracker(self, eventTrackerArn: str) -> dict[str, Any]:
        """Delete at once; PutEvents with its trackingId is refused from then on (the events stay)."""
        self.event_tracker(eventTrackerArn)
        self.remove(eventTrackerArn)
        return {}

    # ---- recommenders -----------------------------------------------------------------------------------
    def create_recommender(
        self,
        name: str,
        datasetGroupArn: str,
        recipeArn: str,
        recommenderConfig: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """A recommender of a domain dataset group's use case, trained on the group's data, ACTIVE when
        the call returns (the service passes through CREATE PENDING / CREATE IN_PROGRESS)."""
        check_tags(tags)
        group = self.dataset_group(datasetGroupArn)
        use_case = self.recipe(recipeArn)
        if not group.get("domain") or use_case.get("domain") != group.get("domain"):
            raise InvalidInputException(
                f"recipeArn {recipeArn}: a recommender takes a use case of its dataset group's domain "
                f"({group.get('domain') or 'none: the group is a custom one'}); ListRecipes(domain=...) names them."
            )
        arn = self.add_recommender(name, datasetGroupArn, recipeArn, copy.deepcopy(recommenderConfig or {}))
        hook = self.deployment_hooks.on_create_recommender
        if hook is not None:
            try:
                hook(self.recommender(arn))
            except Exception:
                self.remove(arn)  # refused by the engine: leave no half-made recommender
                raise
        self.tag_new(arn, tags)
        return {"recommenderArn": arn}

    def _recommender_in(self, arn: str, allowed: tuple[str, ...], action: str) -> Record:
        record = self.recommender(arn)
        if record["status"] not in allowed:
            raise ResourceInUseException(
                f"Recommender {arn} is {record['status']}: it can be {action} when {' or '.join(allowed)}."
            )
        return record

    def stop_recommender(self, recommenderArn: str) -> dict[str, Any]:
        """ACTIVE -> INACTIVE (no billing, no answers) at once."""
        self._recommender_in(recommenderArn, ("ACTIVE",), "stopped")
        self.set_status(recommenderArn, "INACTIVE")
        return {"recommenderArn": recommenderArn}

    def start_recommender(self, recommenderArn: str) -> dict[str, Any]:
        """INACTIVE -> ACTIVE at once."""
        self._recommender_in(recommenderArn, ("INACTIVE",), "started")
        self.set_status(recommenderArn, "ACTIVE")
        return {"recommenderArn": recommenderArn}

    def update_recommender(self, recommenderArn: str, recommenderConfig: dict[str, Any]) -> dict[str, Any]:
        """A new recommenderConfig (replacing the old one), served from the next request with fresh caches."""
        record = self._recommender_in(recommenderArn, ("ACTIVE", "CREATE FAILED"), "updated")
        config = copy.deepcopy(recommenderConfig)
        hook = self.deployment_hooks.on_update_recommender
        if hook is not None:
            hook(dict(record, recommenderConfig=config))
        now = self.clock()
        with self._lock:
            record.update(recommenderConfig=config, lastUpdatedDateTime=now)
            record["latestRecommenderUpdate"] = {
                "recommenderConfig": copy.deepcopy(config),
                "status": "ACTIVE",
                "creationDateTime": now,
                "lastUpdatedDateTime": now,
            }
        return {"recommenderArn": recommenderArn}

    def delete_recommender(self, recommenderArn: str) -> dict[str, Any]:
        """Delete at once; the recommender stops serving."""
        self.recommender(recommenderArn)
        self.remove(recommenderArn)
        hook = self.deployment_hooks.on_delete_recommender
        if hook is not None:
            hook(recommenderArn)
        return {}
