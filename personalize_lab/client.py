"""Lab: one campaign or recommender, asked through a real boto3 client, answered as DataFrames.

The Lab resolves what its campaign/recommender accepts once (describe calls, cached; behaviour from the
recipe ARN per personalize-semantics.md §1.5/§9), validates every request before sending it
(:mod:`personalize_lab.requests`), sends it through the boto3 client it was given (AWS, the embedded
local Personalize, or a replay), maps service errors into :mod:`personalize_lab.errors` in one place, and
builds the frame with :mod:`personalize_lab.frames`. It never imports the emulator at module level: the
only join is inside :meth:`Lab.demo` / :meth:`Lab.local`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import botocore.exceptions
import pandas as pd

from personalize_lab import filters, frames
from personalize_lab.cohort.methods import CohortMixin
from personalize_lab.discovery import DiscoveryMixin
from personalize_lab.errors import (
    AccessDeniedError,
    PersonalizeLabWarning,
    ValidationError,
    from_client_error,
)
from personalize_lab.requests import (
    Promotion,
    RecipeInfo,
    ResolvedFilter,
    arn_region,
    build_action_request,
    build_ranking_request,
    build_recommendations_request,
    recipe_info,
    validate_target,
)

if TYPE_CHECKING:
    from personalize_lab.cohort import CohortResult
    from personalize_lab.replay import Recorder

__all__ = ["Lab"]

_METHODS = {
    "GetRecommendations": "get_recommendations",
    "GetPersonalizedRanking": "get_personalized_ranking",
    "GetActionRecommendations": "get_action_recommendations",
}


def _call_text(method: str, kwargs: Mapping[str, Any]) -> str:
    """``client.method(\\n    key=value,\\n)``: valid Python whose values are ``repr``s of what was sent."""
    if not kwargs:
        return f"client.{method}()"
    body = "".join(f"    {k}={v!r},\n" for k, v in kwargs.items())
    return f"client.{method}(\n{body})"


class Lab(DiscoveryMixin, CohortMixin):
    """Explore one Amazon Personalize campaign or recommender from a notebook.

    ``client`` / ``control_client`` are boto3 clients for ``personalize-runtime`` / ``personalize``; when
    not given they come from ``session`` (default: a new ``boto3.Session()``) in ``region``, which
    defaults to the region written in the ARN.
    ``record="calls.jsonl"`` appends every request and response to that file (see :meth:`replay`).
    """

    def __init__(
        self,
        campaign_arn: str | None = None,
        recommender_arn: str | None = None,
        *,
        session: boto3.session.Session | None = None,
        region: str | None = None,
        client: Any = None,
        control_client: Any = None,
        record: str | Path | None = None,
    ) -> None:
        self._target_key, self._target_arn = validate_target(campaign_arn, recommender_arn)
        self.campaign_arn = campaign_arn
        self.recommender_arn = recommender_arn
        self.source = "aws"
        self.local_personalize: Any = None  # set by Lab.local / Lab.demo
        if client is None or control_client is None:
            # the ARN names its region: calling another region would only answer ResourceNotFound
            region = region or arn_region(self._target_arn)
            try:
                session = session or boto3.session.Session(region_name=region)
                if client is None:
                    client = session.client("personalize-runtime", region_name=region)
                if control_client is None:
                    control_client = session.client("personalize", region_name=client.meta.region_name)
            except botocore.exceptions.NoRegionError as e:
                raise ValidationError(
                    "region=None: no AWS region is configured for the session. Fix: pass region='us-east-1' "
                    "(your campaign's region), or set AWS_DEFAULT_REGION",
                    field="region",
                    rule="a region is required",
                    fix="pass region=",
                ) from e
        self.client = client
        self.control_client = control_client
        self._recipe: RecipeInfo | None = None
        self._description: dict[str, Any] | None = None
        self._filters_by_arn: dict[str, dict[str, Any]] = {}
        self._filter_list: list[dict[str, Any]] | None = None
        self._last: tuple[str, dict[str, Any]] | None = None
        self._recorder: Recorder | None = None
        # cohort runs: responses by canonical request (see recommend_many), and the last run's result
        self._response_cache: dict[str, dict[str, Any]] = {}
        self.last_run: CohortResult | None = None
        if record is not None:
            from personalize_lab.replay import Recorder

            self._recorder = Recorder(record)
            self._recorder.attach(self.client)
            self._recorder.attach(self.control_client)

    def __repr__(self) -> str:
        return f"Lab({self._target_key}={self._target_arn!r}, source={self.source!r})"

    # --- constructors that join to the emulator or a recording --------------------------------------

    @classmethod
    def local(
        cls,
        local_personalize: Any,
        campaign_arn: str | None = None,
        recommender_arn: str | None = None,
        *,
        record: str | Path | None = None,
    ) -> Lab:
        """A Lab on an embedded LocalPersonalize; its default campaign when no ARN is given."""
        if campaign_arn is None and recommender_arn is None:
            campaign_arn = local_personalize.default_campaign_arn
        lab = cls(
            campaign_arn,
            recommender_arn,
            client=local_personalize.client("personalize-runtime"),
            control_client=local_personalize.client("personalize"),
            record=record,
        )
        lab.source = "local"
        lab.local_personalize = local_personalize
        return lab

    @classmethod
    def demo(cls, **kw: Any) -> Lab:
        """A Lab on the embedded local Personalize trained on the bundled demo store (no AWS needed).

        Keyword arguments go to ``LocalPersonalize.demo`` (``size``, ``seed``), except ``campaign`` (the
        name of one of its campaigns; default: its default campaign) and ``record`` (as for ``Lab``).
        """
        # the one sanctioned join to the emulator (see tests/test_import_direction.py)
        from personalize_lab.emulator import LocalPersonalize  # type: ignore[attr-defined,unused-ignore]

        campaign = kw.pop("campaign", None)
        record = kw.pop("record", None)
        local = LocalPersonalize.demo(**kw)
        arn = local.campaign_arns[campaign] if campaign is not None else None
        return cls.local(local, campaign_arn=arn, record=record)

    @classmethod
    def replay(
        cls, path: str | Path, campaign_arn: str | None = None, recommender_arn: str | None = None
    ) -> Lab:
        """A Lab served entirely from a recording made with ``record=``; no network, no credentials."""
        from personalize_lab.replay import replay_clients

        client, control, target = replay_clients(path)
        if campaign_arn is None and recommender_arn is None:
            campaign_arn, recommender_arn = target
        lab = cls(campaign_arn, recommender_arn, client=client, control_client=control)
        lab.source = "replay"
        return lab

    # --- the one place boto3 is called --------------------------------------------------------------

    def _call(self, client: Any, method: str, kwargs: dict[str, Any], *, remember: bool = False) -> Any:
        if remember:
            self._last = (method, kwargs)
        fn: Callable[..., Any] = getattr(client, method)
        try:
            return fn(**kwargs)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            raise from_client_error(e, request=kwargs) from e

    def last_call(self) -> str:
        """The last runtime call as copy-pasteable Python (filterValues shown encoded, as sent)."""
        if self._last is None:
            return "# no request sent yet"
        return _call_text(*self._last)

    # --- discovery ----------------------------------------------------------------------------------

    def _describe(self) -> dict[str, Any]:
        if self._description is not None:
            return self._description
        ctl = self.control_client
        desc: dict[str, Any]
        if self.campaign_arn:
            campaign = self._call(ctl, "describe_campaign", {"campaignArn": self.campaign_arn})["campaign"]
            config = campaign.get("campaignConfig") or {}
            sv_arn = campaign.get("solutionVersionArn", "")
            recipe_arn, dsg = self._recipe_of_solution_version(sv_arn)
            desc = {
                "kind": "campaign",
                "arn": self.campaign_arn,
                "name": campaign.get("name"),
                "status": campaign.get("status"),
                "solutionVersionArn": sv_arn,
                "datasetGroupArn": dsg,
                "explorationConfig": dict(config.get("itemExplorationConfig") or {}),
                "metadataEnabled": bool(config.get("enableMetadataWithRecommendations", False)),
            }
        else:
            rec = self._call(ctl, "describe_recommender", {"recommenderArn": self.recommender_arn})[
                "recommender"
            ]
            config = rec.get("recommenderConfig") or {}
            recipe_arn = rec.get("recipeArn", "")
            desc = {
                "kind": "recommender",
                "arn": self.recommender_arn,
                "name": rec.get("name"),
                "status": rec.get("status"),
                "datasetGroupArn": rec.get("datasetGroupArn"),
                "explorationConfig": dict(config.get("itemExplorationConfig") or {}),
                "metadataEnabled": bool(config.get("enableMetadataWithRecommendations", False)),
            }
        recipe_type = None
        if recipe_arn:
            try:
                recipe = self._call(ctl, "describe_recipe", {"recipeArn": recipe_arn})["recipe"]
                recipe_type = recipe.get("recipeType")
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
        self._recipe = info
        self._description = desc
        return desc

    def _recipe_of_solution_version(self, sv_arn: str) -> tuple[str, str | None]:
        """campaign → solution version → recipe ARN (§9); ``$LATEST`` and AutoML go via the solution."""
        ctl = self.control_client
        if sv_arn.endswith("/$LATEST"):
            solution = self._call(ctl, "describe_solution", {"solutionArn": sv_arn.rsplit("/", 1)[0]})[
                "solution"
            ]
            best = (solution.get("autoMLResult") or {}).get("bestRecipeArn")
            return best or solution.get("recipeArn", ""), solution.get("datasetGroupArn")
        sv = self._call(ctl, "describe_solution_version", {"solutionVersionArn": sv_arn})["solutionVersion"]
        recipe_arn = sv.get("recipeArn") or ""
        dsg = sv.get("datasetGroupArn")
        if not recipe_arn or sv.get("performAutoML"):
            solution = self._call(ctl, "describe_solution", {"solutionArn": sv["solutionArn"]})["solution"]
            recipe_arn = (solution.get("autoMLResult") or {}).get("bestRecipeArn") or solution.get(
                "recipeArn", ""
            )
            dsg = dsg or solution.get("datasetGroupArn")
        return recipe_arn, dsg

    def describe(self) -> dict[str, Any]:
        """Recipe ARN and type, exploration config, whether metadata is enabled, status (cached)."""
        return dict(self._describe())

    @property
    def recipe(self) -> RecipeInfo:
        """What the campaign/recommender accepts (resolved on first use, then cached).

        A runtime-only IAM role often may not call Describe*: then requests go out checked by the
        recipe-independent rules only, and the service has the last word.
        """
        if self._recipe is None:
            try:
                self._describe()
            except AccessDeniedError as e:
                warnings.warn(
                    f"cannot describe {self._target_arn} ({e.code}); requests are checked without the "
                    "recipe's rules (userId/itemId, promotions, metadata). Grant personalize:Describe* to "
                    "get them",
                    PersonalizeLabWarning,
                    stacklevel=3,
                )
                self._recipe = RecipeInfo("", None, metadata_enabled=True)
        assert self._recipe is not None
        return self._recipe

    def _describe_filter(self, arn: str) -> dict[str, Any]:
        if arn not in self._filters_by_arn:
            self._filters_by_arn[arn] = self._call(
                self.control_client, "describe_filter", {"filterArn": arn}
            )["filter"]
        return self._filters_by_arn[arn]

    def _list_all(self, operation: str, key: str, kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        """Every page of a control-plane List call (nextToken paging), through the one error mapping."""
        found: list[dict[str, Any]] = []
        kwargs = dict(kwargs)
        while True:
            page = self._call(self.control_client, operation, kwargs)
            found.extend(page.get(key, []))
            if not page.get("nextToken"):
                return found
            kwargs["nextToken"] = page["nextToken"]

    def _list_filters(self) -> list[dict[str, Any]]:
        if self._filter_list is None:
            kwargs: dict[str, Any] = {}
            dsg = self._describe().get("datasetGroupArn")
            if dsg:
                kwargs["datasetGroupArn"] = dsg
            self._filter_list = self._list_all("list_filters", "Filters", kwargs)  # capital F (§9)
        return self._filter_list

    def _resolve_filter(self, filter: str | None, field: str = "filter") -> ResolvedFilter | None:
        if filter is None:
            return None
        if not isinstance(filter, str) or not filter:
            raise ValidationError(
                f"{field}={filter!r} must be a filter ARN or name. Fix: pass e.g. filter='exclude-purchased'",
                field=field,
                value=filter,
            )
        if filter.startswith("arn:"):
            arn = filter
        else:
            matches = [f for f in self._list_filters() if f.get("name") == filter]
            if not matches:
                names = sorted(str(f.get("name")) for f in self._list_filters())
                raise ValidationError(
                    f"{field}={filter!r} is not a filter in this dataset group (known: {names}). "
                    "Fix: pass one of those names or a filter ARN (lab.filters() lists them)",
                    field=field,
                    value=filter,
                    rule="unknown filter name",
                )
            arn = matches[0]["filterArn"]
        try:
            described = self._describe_filter(arn)
        except AccessDeniedError as e:  # runtime-only role: send it unchecked, the service decides
            warnings.warn(
                f"cannot describe filter {arn} ({e.code}); its filterValues are encoded but not checked "
                "against the expression",
                PersonalizeLabWarning,
                stacklevel=4,
            )
            return ResolvedFilter(arn, None, None)
        return ResolvedFilter(arn, described.get("filterExpression"), described.get("name"))

    def filters(self) -> pd.DataFrame:
        """Filters of the dataset group: name, arn, status, expression, placeholders, required, optional.

        ListFilters returns no expressions, so each filter is described once (cached).
        """
        rows = []
        for summary in self._list_filters():
            described = self._describe_filter(summary["filterArn"])
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
        frame = pd.DataFrame(
            rows,
            columns=[
                "name",
                "arn",
                "status",
                "expression",
                "placeholders",
                "required",
                "optional",
                "parse_error",
            ],
        )
        for col in ("name", "arn", "status", "expression", "parse_error"):
            frame[col] = frame[col].astype("string")
        frame.attrs["source"] = self.source
        return frame

    # --- the runtime ---------------------------------------------------------------------------------

    def _ask(self, operation: str, kwargs: dict[str, Any]) -> pd.DataFrame:
        response = self._call(self.client, _METHODS[operation], kwargs, remember=True)
        return frames.recommendation_frame(response, request=kwargs, source=self.source)

    def recommend(
        self,
        user_id: str | None = None,
        item_id: str | None = None,
        num_results: int = 25,
        context: Mapping[str, str] | None = None,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
        promotion: Promotion | None = None,
        metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ) -> pd.DataFrame:
        """GetRecommendations as a frame. ``filter`` is an ARN or a name; ``filter_values`` Python values
        or encoded strings; ``metadata`` item columns to return (needs metadata enabled)."""
        kwargs = self._recommendations_request(
            user_id=user_id,
            item_id=item_id,
            num_results=num_results,
            context=context,
            filter=filter,
            filter_values=filter_values,
            promotion=promotion,
            metadata=metadata,
        )
        return self._ask("GetRecommendations", kwargs)

    def _recommendations_request(
        self,
        user_id: str | None = None,
        item_id: str | None = None,
        num_results: int = 25,
        context: Mapping[str, str] | None = None,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
        promotion: Promotion | None = None,
        metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ) -> dict[str, Any]:
        """The exact, validated GetRecommendations kwargs ``recommend`` would send (cohort runs reuse it)."""
        recipe = self.recipe
        return build_recommendations_request(
            campaign_arn=self.campaign_arn,
            recommender_arn=self.recommender_arn,
            recipe=recipe,
            user_id=user_id,
            item_id=item_id,
            num_results=num_results,
            context=context,
            filter=self._resolve_filter(filter),
            filter_values=filter_values,
            promotion=promotion,
            promotion_filter=self._resolve_filter(promotion.filter, "promotion.filter")
            if isinstance(promotion, Promotion)
            else None,
            metadata=metadata,
        )

    def rank(
        self,
        user_id: str,
        items: Sequence[str],
        context: Mapping[str, str] | None = None,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
        metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ) -> pd.DataFrame:
        """GetPersonalizedRanking as a frame (campaign with a Personalized-Ranking recipe)."""
        kwargs = self._ranking_request(user_id, items, context, filter, filter_values, metadata)
        return self._ask("GetPersonalizedRanking", kwargs)

    def _ranking_request(
        self,
        user_id: str,
        items: Sequence[str],
        context: Mapping[str, str] | None = None,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
        metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ) -> dict[str, Any]:
        """The exact, validated GetPersonalizedRanking kwargs ``rank`` would send (cohort runs reuse it)."""
        return build_ranking_request(
            campaign_arn=self.campaign_arn or "",
            recipe=self.recipe if self.campaign_arn else None,
            user_id=user_id,
            items=items,
            context=context,
            filter=self._resolve_filter(filter),
            filter_values=filter_values,
            metadata=metadata,
        )

    def recommend_actions(
        self,
        user_id: str,
        num_results: int = 5,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
    ) -> pd.DataFrame:
        """GetActionRecommendations as a frame (``actionId`` column; Next-Best-Action campaigns)."""
        kwargs = build_action_request(
            campaign_arn=self.campaign_arn or "",
            recipe=self.recipe if self.campaign_arn else None,
            user_id=user_id,
            num_results=num_results,
            filter=self._resolve_filter(filter),
            filter_values=filter_values,
        )
        return self._ask("GetActionRecommendations", kwargs)

    # --- panels (function-level imports: widgets sit above the client) --------------------------------

    def explorer(self, **options: Any) -> Any:
        """The Explorer panel on this Lab (see :class:`personalize_lab.widgets.Explorer`)."""
        from personalize_lab.widgets import Explorer

        return Explorer(self, **options)

    def compare_panel(self, **options: Any) -> Any:
        """The A/B ComparePanel on this Lab (see :class:`personalize_lab.widgets.ComparePanel`)."""
        from personalize_lab.widgets import ComparePanel

        return ComparePanel(self, **options)

    def storefront(self, **options: Any) -> Any:
        """The stakeholder Storefront on this Lab (see :class:`personalize_lab.widgets.Storefront`)."""
        from personalize_lab.widgets import Storefront

        return Storefront(self, **options)
