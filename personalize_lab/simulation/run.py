"""The simulated A/B run: shoppers visit, see a list, click or buy, and real PutEvents tell Personalize.

Randomisation is by **shopper**, as a production split by user: the held-out shoppers (sorted by id) are
shuffled with the seed and dealt to the variants in turn, so each variant gets the same number of shoppers
(±1) and a shopper sees one variant for the whole run. Each visit picks a shopper uniformly at random
(seeded); a shopper may come back. A visit is one GetRecommendations (or GetPersonalizedRanking) request
for that shopper under their variant, sent through the Lab's own client — no cache, so a list reflects
the events sent before it, as in production — and the click model
(:mod:`personalize_lab.simulation.clicks`) decides what happens to the list it returns.

Every click is a PutEvents event of type ``click_event`` and every purchase one of ``purchase_event``
(after its click) with the item's value as ``eventValue``; both carry the list's ``recommendationId``, its
items as the impression and the variant's name as ``eventAttributionSource`` (``lab.tracker`` per
variant). So a visit costs one recommendation request and ``clicks + purchases`` events; visits without a
click send no event.

Metric attribution: against the local Personalize the run uses the dataset group's metric attribution, or
creates one (``online-ab-simulation``: clicks, purchases and the summed EVENT_VALUE of purchases) when there
is none; what it attributes to each variant during the run (the report after minus the report before) is
the result's ``attributed`` frame. Against AWS pass ``metric_attribution_arn=`` and ``tracking_id=``: the
numbers then appear in CloudWatch, not here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from personalize_lab.cohort import TokenBucket, default_rate_limit
from personalize_lab.cohort.pacing import check_rate
from personalize_lab.cohort.plan import make_plan
from personalize_lab.errors import ValidationError
from personalize_lab.simulation.clicks import ClickModel
from personalize_lab.simulation.holdout import relevant_items
from personalize_lab.simulation.result import SimulationResult
from personalize_lab.tracking import MAX_IMPRESSION

if TYPE_CHECKING:
    from personalize_lab.client import Lab

__all__ = ["ATTRIBUTION_NAME", "simulate"]

ATTRIBUTION_NAME = "online-ab-simulation"
_VISIT_COLUMNS = ("shown", "relevant_shown", "clicks", "purchases", "value")


def _check_visits(visits: Any) -> int:
    if isinstance(visits, bool) or not isinstance(visits, int | np.integer) or visits <= 0:
        raise ValidationError(
            field="visits",
            value=visits,
            rule="the number of simulated visits is a positive integer",
            fix="e.g. visits=10_000",
        )
    return int(visits)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValidationError(field="seed", value=seed, rule="a non-negative integer", fix="e.g. seed=0")
    return int(seed)


def _check_variants(variants: Any) -> Mapping[str, Mapping[str, Any]]:
    if not isinstance(variants, Mapping) or not variants:
        raise ValidationError(
            field="variants",
            value=variants,
            rule="a non-empty dict of variant name -> recommend arguments (as for recommend_many)",
            fix='e.g. variants={"A": {}, "B": {"filter": "exclude-purchased"}}',
        )
    return variants


def _metrics_for(
    attribution: pd.DataFrame, click_event: str, purchase_event: str
) -> dict[str, tuple[str, str]]:
    """Which of the attribution's metrics count clicks, purchases and purchase value: name -> (type, expr)."""
    found: dict[str, tuple[str, str]] = {}
    for _, row in attribution[["metricName", "eventType", "expression"]].drop_duplicates().iterrows():
        event, expression = str(row["eventType"]).lower(), str(row["expression"]).replace(" ", "").upper()
        if event == click_event.lower() and expression == "SAMPLECOUNT()":
            found.setdefault("clicks", (row["metricName"], expression))
        elif event == purchase_event.lower() and expression == "SAMPLECOUNT()":
            found.setdefault("purchases", (row["metricName"], expression))
        elif event == purchase_event.lower() and expression == "SUM(INTERACTIONS.EVENT_VALUE)":
            found.setdefault("value", (row["metricName"], expression))
    return found


def _local_attribution(lab: Lab, click_event: str, purchase_event: str) -> str:
    """The dataset group's metric attribution, created for the run when there is none (local only)."""
    found = lab.connection.list_all("list_metric_attributions", "metricAttributions", {})
    if found:
        return str(found[0]["metricAttributionArn"])
    dataset_group = str(lab.local_personalize.dataset_group_arn)
    account = dataset_group.split(":")[4]
    answer = lab.control_client.create_metric_attribution(
        name=ATTRIBUTION_NAME,
        datasetGroupArn=dataset_group,
        metrics=[
            {"eventType": click_event, "metricName": "clicks", "expression": "SAMPLECOUNT()"},
            {"eventType": purchase_event, "metricName": "purchases", "expression": "SAMPLECOUNT()"},
            {
                "eventType": purchase_event,
                "metricName": "value",
                "expression": "SUM(Interactions.EVENT_VALUE)",
            },
        ],
        metricsOutputConfig={"roleArn": f"arn:aws:iam::{account}:role/{ATTRIBUTION_NAME}"},
    )
    return str(answer["metricAttributionArn"])


def _attributed(
    before: pd.DataFrame, after: pd.DataFrame, variants: list[str], click_event: str, purchase_event: str
) -> pd.DataFrame:
    """Per variant: what the metric attribution credited it with during the run (after − before)."""
    keys = ["metricName", "EVENT_ATTRIBUTION_SOURCE"]
    metrics = _metrics_for(after, click_event, purchase_event) if len(after) else {}
    total = after.set_index(keys)["value"] if len(after) else pd.Series(dtype=float)
    earlier = before.set_index(keys)["value"] if len(before) else pd.Series(dtype=float)
    rows = []
    for variant in variants:
        row: dict[str, Any] = {"variant": variant}
        for column in ("clicks", "purchases", "value"):
            name = metrics.get(column, (None, None))[0]
            if name is None:
                row[f"attributed_{column}"] = np.nan
                continue
            key = (name, variant)
            row[f"attributed_{column}"] = float(total.get(key, 0.0)) - float(earlier.get(key, 0.0))
        rows.append(row)
    return pd.DataFrame(rows)


def _prices(lab: Lab, value_column: str) -> dict[str, float]:
    table = lab.item_table()
    if table is None or value_column not in table.columns:
        return {}
    values = pd.to_numeric(table[value_column], errors="coerce")
    return {str(i): float(v) for i, v in zip(table["ITEM_ID"], values, strict=True) if np.isfinite(v)}


def simulate(
    lab: Lab,
    future: pd.DataFrame,
    variants: Mapping[str, Mapping[str, Any]],
    *,
    visits: int = 10_000,
    seed: int = 0,
    click_model: ClickModel | None = None,
    num_results: int = 10,
    reference: str | None = None,
    metric_attribution_arn: str | None = None,
    tracking_id: str | None = None,
    click_event: str = "Click",
    purchase_event: str = "Purchase",
    value_column: str = "PRICE",
    rate_limit: float | Literal["auto"] | None = "auto",
    progress: bool = False,
) -> SimulationResult:
    """Run a simulated online A/B of ``variants`` with shoppers from ``future``; see the module docstring.

    ``future``: held-out interactions (USER_ID, ITEM_ID) — the second half of
    :func:`~personalize_lab.simulation.holdout_split`; its users are the shoppers and their items the
    relevant ones (minus items the local Personalize already has in their training history).
    ``variants``: name -> ``recommend`` arguments, as for ``lab.recommend_many`` (filter, filter_values,
    promotion, context, campaign_arn, recommender_arn, items, num_results). ``reference``: the variant the
    others are tested against (default: the first). ``num_results``: list length (10 by default).
    ``value_column``: the Items column whose value a purchase is worth (1.0 where the item has none, and
    for every item against AWS). ``rate_limit``: visits per second; ``"auto"`` is the cohort runs' 50/s
    against AWS (a tenth of a campaign's 500 TPS) and no limit locally. Deterministic under ``seed`` from
    the same starting state.
    """
    visits = _check_visits(visits)
    seed = _check_seed(seed)
    variants = _check_variants(variants)
    rate = default_rate_limit(lab) if rate_limit == "auto" else check_rate(rate_limit)
    model = click_model if click_model is not None else ClickModel()
    if not isinstance(model, ClickModel):
        raise ValidationError(
            field="click_model",
            value=type(model).__name__,
            rule="a personalize_lab.simulation.ClickModel",
            fix="pass ClickModel(click_relevant=0.5, click_noise=0.02, ...) or leave it out",
        )
    local = lab.local_personalize
    known = getattr(getattr(local, "data", None), "interactions", None) if local is not None else None
    wanted = relevant_items(future, known)
    shoppers = sorted(wanted)
    if not shoppers:
        raise ValidationError(
            field="future",
            value=f"{len(future)} rows",
            rule="the held-out interactions give no shopper an item they did not already have",
            fix="hold out more (holdout_split(data, fraction=0.2)) or pass the future of that split",
        )
    names = [str(v) for v in variants]
    reference = names[0] if reference is None else reference
    if reference not in names:
        raise ValidationError(
            field="reference", value=reference, rule=f"one of the variants {names}", fix=f"e.g. {names[0]!r}"
        )
    plan = make_plan(lab, users=shoppers[:1], items=None, variants=variants, num_results=num_results)

    if local is None:
        if not metric_attribution_arn:
            raise ValidationError(
                field="metric_attribution_arn",
                value=metric_attribution_arn,
                rule="against AWS the simulation sends real events (use a test campaign only); its online "
                "metrics come from a metric attribution you create for that campaign's dataset group",
                fix="create one (CreateMetricAttribution) and pass metric_attribution_arn=..., with "
                "tracking_id=...",
            )
        lab.connection.control(
            "describe_metric_attribution", {"metricAttributionArn": metric_attribution_arn}
        )
    elif metric_attribution_arn is None:
        metric_attribution_arn = _local_attribution(lab, click_event, purchase_event)
    before = lab.attribution_metrics(metric_attribution_arn) if local is not None else None
    trackers = [lab.tracker(tracking_id, attribution_source=name) for name in names]
    prices = _prices(lab, value_column)
    bucket = TokenBucket(rate) if rate is not None else None

    rng = np.random.default_rng(seed)
    assignment = np.empty(len(shoppers), dtype=np.int64)
    assignment[rng.permutation(len(shoppers))] = np.arange(len(shoppers)) % len(names)
    who = rng.integers(0, len(shoppers), size=visits)
    longest = max(
        len(v.template.kwargs.get("inputList", ())) or int(v.template.kwargs.get("numResults", 25))
        for v in plan.variants
    )
    uniforms = rng.random((visits, longest, 3))
    by_rank = {k: np.zeros((len(names), longest), dtype=np.int64) for k in ("shown", "relevant", "clicks", "relevant_clicks", "purchases")}  # fmt: skip
    rows = np.zeros((visits, len(_VISIT_COLUMNS)))
    rids: list[str | None] = []
    started = time.perf_counter()
    bar = _bar(visits) if progress else None
    for visit in range(visits):
        shopper = shoppers[who[visit]]
        arm = int(assignment[who[visit]])
        planned = plan.variants[arm]
        if bucket is not None:
            bucket.acquire()
        answer = planned.lab.send(planned.template.with_member("userId", shopper))
        entries = answer.get("itemList") or answer.get("personalizedRanking") or []
        items = [str(e["itemId"]) for e in entries]
        rid = answer.get("recommendationId")
        rids.append(rid)
        relevant = np.fromiter((i in wanted[shopper] for i in items), dtype=bool, count=len(items))
        clicked, bought = model.outcomes(relevant, uniforms[visit])
        value = 0.0
        for r in np.flatnonzero(clicked):
            impression = items[:MAX_IMPRESSION]
            trackers[arm].track(shopper, items[r], click_event, recommendation=rid, impression=impression)
            if bought[r]:
                worth = prices.get(items[r], 1.0)
                value += worth
                trackers[arm].track(
                    shopper, items[r], purchase_event, value=worth, recommendation=rid, impression=impression
                )
        n = len(items)
        for key, flags in (("shown", np.ones(n, bool)), ("relevant", relevant), ("clicks", clicked),
                           ("relevant_clicks", clicked & relevant), ("purchases", bought)):  # fmt: skip
            by_rank[key][arm, :n] += flags
        n_clicks, n_buys = int(clicked.sum()), int(bought.sum())
        rows[visit] = (n, int(relevant.sum()), n_clicks, n_buys, value)
        if bar is not None and (visit + 1) % 100 == 0:
            bar.update(100)
    seconds = time.perf_counter() - started
    if bar is not None:
        bar.update(visits % 100)
        bar.close()

    frame = pd.DataFrame(rows, columns=list(_VISIT_COLUMNS))
    for column in _VISIT_COLUMNS:
        if column != "value":
            frame[column] = frame[column].astype("int64")
    frame.insert(0, "visit", np.arange(1, visits + 1))
    frame.insert(1, "variant", pd.Series([names[int(assignment[w])] for w in who], dtype="str"))
    frame.insert(2, "userId", pd.Series([shoppers[w] for w in who], dtype="str"))
    frame.insert(3, "recommendationId", pd.Series(rids, dtype="string"))
    frame["clicked"] = frame["clicks"] > 0
    frame["converted"] = frame["purchases"] > 0

    positions = pd.concat(
        [
            pd.DataFrame(
                {"variant": name, "rank": np.arange(1, longest + 1)} | {k: v[a] for k, v in by_rank.items()}
            )
            for a, name in enumerate(names)
        ],
        ignore_index=True,
    )
    attributed = (
        _attributed(
            before, lab.attribution_metrics(metric_attribution_arn), names, click_event, purchase_event
        )
        if before is not None
        else None
    )
    return SimulationResult(
        visits=frame,
        positions=positions,
        variants=names,
        reference=reference,
        shoppers=pd.DataFrame({"userId": shoppers, "variant": [names[int(a)] for a in assignment]}),
        attributed=attributed,
        metric_attribution_arn=metric_attribution_arn,
        click_model=model,
        seed=seed,
        seconds=seconds,
        source=lab.source,
        events=(click_event, purchase_event),
    )


def _bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="simulated visits", unit="visit")
