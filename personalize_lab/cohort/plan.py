"""Turn ``users × variants`` into the exact requests of a cohort run, validating each variant once.

A variant is a set of ``Lab.recommend`` arguments, or of ``Lab.rank`` arguments when it names the
``items`` to rank (GetPersonalizedRanking on a Personalized-Ranking campaign). Each is validated by
building its request for the first user with the same builder ``recommend`` (or ``rank``) uses: a
broken variant fails before anything is sent,
with an error that names it. The other users' requests are that validated request with the user
swapped in (validation depends on the user only through the id itself, which is checked here), so
planning 10,000 requests costs milliseconds. Every request gets a digest of its canonical form (the
operation and the exact boto3 kwargs, target ARN included): the key of the response cache and of the
checkpoint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from numbers import Integral
from typing import TYPE_CHECKING, Any

from personalize_lab.errors import ServiceError, ValidationError
from personalize_lab.requests import Promotion

if TYPE_CHECKING:
    from personalize_lab.client import Lab

__all__ = ["VARIANT_KEYS", "Plan", "PlannedVariant", "Request", "canonical", "digest", "make_plan"]

OPERATION = "GetRecommendations"
RANKING = "GetPersonalizedRanking"
#: operation -> (boto3 method, the response's item list)
OPERATIONS = {
    OPERATION: ("get_recommendations", "itemList"),
    RANKING: ("get_personalized_ranking", "personalizedRanking"),
}
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
MAX_ID = 256


def canonical(kwargs: Mapping[str, Any], operation: str = OPERATION) -> str:
    """One string per distinct request: key order and spacing cannot make two equal requests differ."""
    return json.dumps([operation, kwargs], sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(kwargs: Mapping[str, Any], operation: str = OPERATION) -> str:
    return hashlib.sha256(canonical(kwargs, operation).encode()).hexdigest()[:32]


def _digester(
    template: Mapping[str, Any], key_field: str, operation: str = OPERATION
) -> Callable[[str], str]:
    """``key -> digest(template with key_field=key)``, without encoding the whole request per key.

    The canonical form of a variant's requests is the same text around the encoded key, so it is
    encoded once with a placeholder and each key is spliced in (the digests are identical to
    :func:`digest`'s; when the placeholder cannot be found exactly once, each request is encoded whole).
    """
    placeholder = "\x00personalize-lab-key\x00"
    text = canonical({**template, key_field: placeholder}, operation)
    marker = json.dumps(placeholder, ensure_ascii=False)
    if text.count(marker) != 1:
        return lambda key: digest({**template, key_field: key}, operation)
    prefix, suffix = text.split(marker)

    def of(key: str) -> str:
        spliced = prefix + json.dumps(key, ensure_ascii=False) + suffix
        return hashlib.sha256(spliced.encode()).hexdigest()[:32]

    return of


@dataclass(frozen=True)
class PlannedVariant:
    """One variant: the Lab that sends it (a sibling for another target) and its validated request."""

    name: str
    lab: Lab
    template: dict[str, Any]  # the exact kwargs of the first request; others differ only in the key
    promotion_percent: float | None
    operation: str = OPERATION  # or RANKING

    @property
    def method(self) -> str:
        """The boto3 method that sends this variant's requests."""
        return OPERATIONS[self.operation][0]

    @property
    def list_key(self) -> str:
        """Where the answer's items are: ``itemList`` or ``personalizedRanking``."""
        return OPERATIONS[self.operation][1]


@dataclass(frozen=True)
class Request:
    variant: int  # index into Plan.variants
    key: str  # the user id (or seed item id)
    kwargs: dict[str, Any]
    digest_of: Callable[[str], str] = field(repr=False, compare=False)

    @cached_property
    def digest(self) -> str:
        """Key of the response cache and the checkpoint; computed on first use only, so a run
        without cache or checkpoint never encodes its requests."""
        return self.digest_of(self.key)


@dataclass(frozen=True)
class Plan:
    key_column: str  # "userId" or "seedItemId" (the frame column)
    key_field: str  # "userId" or "itemId" (the request member)
    keys: list[str]
    variants: list[PlannedVariant]

    def requests(self) -> list[Request]:
        """Every request, variant by variant, keys in the order given."""
        out = []
        key_field = self.key_field
        for v, variant in enumerate(self.variants):
            template = variant.template
            digest_of = _digester(template, key_field, variant.operation)
            for key in self.keys:
                kwargs = dict(template)
                kwargs[key_field] = key  # same position as in the template: same kwargs order
                out.append(Request(v, key, kwargs, digest_of))
        return out


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
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID:
            raise ValidationError(
                f"{field}[{position}]={value!r} must be an id string of 1-{MAX_ID} characters. "
                f"Fix: drop it or pass ids as strings",
                field=f"{field}[{position}]",
                value=value,
                rule=f"a string of 1-{MAX_ID} characters",
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


def _sibling(lab: Lab, spec: Mapping[str, Any]) -> Lab:
    """A Lab for another campaign/recommender that shares the parent's clients (and their recorder)."""
    campaign, recommender = spec.get("campaign_arn"), spec.get("recommender_arn")
    if campaign is None and recommender is None:
        return lab
    if (campaign, recommender) == (lab.campaign_arn, lab.recommender_arn):
        return lab
    sibling = type(lab)(campaign, recommender, client=lab.client, control_client=lab.control_client)
    sibling.source = lab.source
    sibling.local_personalize = lab.local_personalize
    return sibling


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
            target = _sibling(lab, spec)
            template = target._recommendations_request(
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
        target = _sibling(lab, spec)
        template = target._ranking_request(
            user_id=keys[0],
            items=spec["items"],
            **_given(spec, ("context", "filter", "filter_values", "metadata")),
        )
    except (ValidationError, ServiceError) as e:
        raise _named(name, e) from e
    return PlannedVariant(name, target, template, None, RANKING)
