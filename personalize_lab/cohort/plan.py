"""Turn ``users × variants`` into the exact requests of a cohort run, validating each variant once.

A variant is a set of ``Lab.recommend`` arguments, or of ``Lab.rank`` arguments when it names the
``items`` to rank (GetPersonalizedRanking on a Personalized-Ranking campaign). Each is validated by
building its request for the first user with the same builder ``recommend`` (or ``rank``) uses: a
broken variant fails before anything is sent,
with an error that names it. The other users' requests are that validated request with the user
swapped in (validation depends on the user only through the id itself, which is checked here), so
planning 10,000 requests costs milliseconds. Every request is a
:class:`~personalize_lab.requests.Request`; its digest (of the canonical form: the operation and the
exact boto3 kwargs, target ARN included) is the key of the response cache and of the checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from numbers import Integral
from typing import TYPE_CHECKING, Any

from personalize_lab.errors import ServiceError, ValidationError
from personalize_lab.limits import MAX_ID_LENGTH
from personalize_lab.requests import Promotion, Request

if TYPE_CHECKING:
    from personalize_lab.client import Lab

__all__ = ["VARIANT_KEYS", "Plan", "PlannedRequest", "PlannedVariant", "make_plan"]

#: The ``Lab.recommend`` arguments a variant may set (campaign_arn / recommender_arn switch the target),
#: and ``items``: the item ids to rank, which makes the variant a ``Lab.rank`` request.
VARIANT_KEYS = (
    "filter",
    "filter_values",
    "promotion",
    "context",
    "metadata",
    "num_results",
    "campaign_arn",
    "recommender_arn",
    "items",
)
#: What GetPersonalizedRanking cannot take: it ranks the list it is given, whole, without promotions.
NOT_FOR_RANKING = ("num_results", "promotion", "recommender_arn")


@dataclass(frozen=True)
class PlannedVariant:
    """One variant: the Lab that sends it (``with_target`` for another target) and its first request."""

    name: str
    lab: Lab
    template: Request  # the exact request for the first key; the others differ only in the key
    promotion_percent: float | None

    @property
    def operation(self) -> str:
        """``GetRecommendations`` or ``GetPersonalizedRanking``."""
        return self.template.operation


@dataclass(frozen=True)
class PlannedRequest:
    """One request of the run: its variant (index into ``Plan.variants``), its key and the request."""

    variant: int
    key: str  # the user id (or seed item id)
    request: Request

    @cached_property
    def digest(self) -> str:
        """Key of the response cache and the checkpoint; computed on first use only, so a run
        without cache or checkpoint never encodes its requests."""
        return self.request.digest()


@dataclass(frozen=True)
class Plan:
    key_column: str  # "userId" or "seedItemId" (the frame column)
    key_field: str  # "userId" or "itemId" (the request member)
    keys: list[str]
    variants: list[PlannedVariant]

    def requests(self) -> list[PlannedRequest]:
        """Every request, variant by variant, keys in the order given."""
        return [
            PlannedRequest(v, key, variant.template.with_member(self.key_field, key))
            for v, variant in enumerate(self.variants)
            for key in self.keys
        ]


def _keys(values: Iterable[Any], field: str) -> list[str]:
    """Ids as strings, duplicates dropped (the same request twice would only be answered twice)."""
    if isinstance(values, str):
        raise ValidationError(
            f"{field}={values!r} must be a list of ids, not one string. Fix: pass [{values!r}]",
            field=field,
            value=values,
            rule="a list of ids",
        )
    keys: dict[str, None] = {}
    for position, value in enumerate(values):
        if isinstance(value, Integral) and not isinstance(value, bool):
            value = str(value)  # ids read from a CSV often arrive as integers
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_LENGTH:
            raise ValidationError(
                f"{field}[{position}]={value!r} must be an id string of 1-{MAX_ID_LENGTH} characters. "
                f"Fix: drop it or pass ids as strings",
                field=f"{field}[{position}]",
                value=value,
                rule=f"a string of 1-{MAX_ID_LENGTH} characters",
            )
        keys[value] = None
    if not keys:
        raise ValidationError(
            f"{field} is empty: a cohort run needs at least one id. Fix: pass e.g. "
            f"{field}=lab.local_personalize.users[:200]",
            field=field,
            value=[],
            rule="at least one id",
        )
    return list(keys)


def _target(lab: Lab, spec: Mapping[str, Any]) -> Lab:
    """The Lab a variant asks: ``lab`` itself, or ``lab.with_target`` when the variant names another."""
    campaign, recommender = spec.get("campaign_arn"), spec.get("recommender_arn")
    if campaign is None and recommender is None:
        return lab
    if (campaign, recommender) == (lab.campaign_arn, lab.recommender_arn):
        return lab
    return lab.with_target(campaign, recommender)


def _given(spec: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The variant's value of each builder argument (None where it sets none: the builder's default)."""
    return {name: spec.get(name) for name in names}


def _named(name: str, error: Exception) -> Exception:
    """The same error class, its message prefixed with the variant's name."""
    if isinstance(error, ValidationError):
        return ValidationError(
            f"variant {name!r}: {error}", field=error.field, value=error.value, rule=error.rule, fix=error.fix
        )
    if isinstance(error, ServiceError):
        return type(error)(
            f"variant {name!r}: {error.service_message}",
            code=error.code,
            status=error.status,
            operation=error.operation,
            request=error.request,
        )
    return error


def make_plan(
    lab: Lab,
    *,
    users: Iterable[Any] | None,
    items: Iterable[Any] | None,
    variants: Mapping[str, Mapping[str, Any]] | None,
    num_results: int,
) -> Plan:
    """Validate the arguments of a run and every variant once; raise before anything is sent."""
    if (users is None) == (items is None):
        raise ValidationError(
            "pass exactly one of users= (personalized lists, one request per user) or items= (related "
            "items, one request per seed item). Fix: e.g. lab.recommend_many(users=[...], variants=...)",
            field="users",
            rule="exactly one of users/items",
        )
    key_column, key_field = ("userId", "userId") if users is not None else ("seedItemId", "itemId")
    keys = _keys(users if users is not None else items or [], "users" if users is not None else "items")
    if variants is None:
        variants = {"default": {}}
    if not isinstance(variants, Mapping) or not variants:
        raise ValidationError(
            f"variants={variants!r} must be a non-empty dict of name -> recommend arguments. "
            'Fix: e.g. variants={"A": {"filter": "in-stock"}, "B": {}}',
            field="variants",
            value=variants,
            rule="a non-empty dict",
        )
    planned = []
    for name, spec in variants.items():
        name = str(name)
        if not isinstance(spec, Mapping):
            raise ValidationError(
                f"variant {name!r}={spec!r} must be a dict of recommend arguments "
                f"({', '.join(VARIANT_KEYS)}). Fix: pass {{}} for the defaults",
                field=f"variants[{name!r}]",
                value=spec,
                rule="a dict",
            )
        unknown = sorted(set(spec) - set(VARIANT_KEYS))
        if unknown:
            raise ValidationError(
                f"variant {name!r} has unknown argument(s) {unknown}; a variant takes "
                f"{list(VARIANT_KEYS)}. Fix: rename or drop them",
                field=f"variants[{name!r}]",
                value=unknown,
                rule="known recommend arguments only",
            )
        if "items" in spec:
            planned.append(_ranking_variant(lab, name, spec, keys, key_field))
            continue
        try:
            target = _target(lab, spec)
            template = target.build_request(
                "recommend",
                user_id=keys[0] if key_field == "userId" else None,
                item_id=keys[0] if key_field == "itemId" else None,
                num_results=spec.get("num_results", num_results),
                **_given(spec, ("context", "filter", "filter_values", "promotion", "metadata")),
            )
        except (ValidationError, ServiceError) as e:
            raise _named(name, e) from e
        promotion = spec.get("promotion")
        percent = float(promotion.percent) if isinstance(promotion, Promotion) else None
        planned.append(PlannedVariant(name, target, template, percent))
    return Plan(key_column, key_field, keys, planned)


def _ranking_variant(
    lab: Lab, name: str, spec: Mapping[str, Any], keys: list[str], key_field: str
) -> PlannedVariant:
    """A variant with ``items``: GetPersonalizedRanking of those items for each user, validated by the
    builder ``Lab.rank`` uses."""
    if key_field != "userId":
        raise ValidationError(
            f"variant {name!r} ranks items (GetPersonalizedRanking), which needs a user per request, but "
            "the run is over seed items (items=). Fix: pass users=[...] to rank for each user",
            field=f"variants[{name!r}].items",
            value=spec["items"],
            rule="ranking variants need users=",
        )
    refused = [k for k in NOT_FOR_RANKING if k in spec]
    if refused:
        raise ValidationError(
            f"variant {name!r} ranks items (GetPersonalizedRanking), which takes no {refused}: the answer "
            "is the whole list given, re-ordered, from a Personalized-Ranking campaign. "
            f"Fix: drop {refused} from the variant",
            field=f"variants[{name!r}]",
            value=refused,
            rule="ranking variants take filter, filter_values, context, metadata, campaign_arn, items",
        )
    try:
        target = _target(lab, spec)
        template = target.build_request(
            "rank",
            user_id=keys[0],
            items=spec["items"],
            **_given(spec, ("context", "filter", "filter_values", "metadata")),
        )
    except (ValidationError, ServiceError) as e:
        raise _named(name, e) from e
    return PlannedVariant(name, target, template, None)
