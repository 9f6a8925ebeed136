"""What a simulated online A/B returns: visits, per-variant rates with intervals, tests, power, a figure.

Conversion is the share of visits with at least one purchase, click-through the share with at least one
click, value per visit the purchases' summed ``eventValue`` per visit. Intervals and tests treat the
shopper as the unit (see :mod:`personalize_lab.analysis.online`): per variant a normal interval
``rate ± z·SE`` with the clustered SE; between variants a bootstrap interval of the difference and a
two-sample z-test, with the plain-language verdict of :mod:`personalize_lab.analysis.verdict`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import pandas as pd

from personalize_lab.analysis import online
from personalize_lab.simulation.clicks import ClickModel

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["METRICS", "SimulationResult"]

_TEST_COLUMNS = (
    "metric", "variant", "visits", "shoppers", "mean_reference", "mean_variant", "mean_diff", "ci_low",
    "ci_high", "statistic", "p_value", "p_adjusted", "finding",
)  # fmt: skip
#: Rate-per-visit metrics: name -> the per-visit column summed per shopper.
METRICS = {"conversion": "converted", "click_through": "clicked", "value_per_visit": "value"}


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """The run (``visits``: one row per visit; ``positions``: per variant and rank, what was shown, clicked
    and bought; ``shoppers``: who saw which variant) and what metric attribution credited each variant
    (``attributed``; None against AWS, where it is in CloudWatch)."""

    visits: pd.DataFrame
    positions: pd.DataFrame
    variants: list[str]
    reference: str
    shoppers: pd.DataFrame
    attributed: pd.DataFrame | None
    metric_attribution_arn: str | None
    click_model: ClickModel
    seed: int
    seconds: float
    source: str
    events: tuple[str, str] = ("Click", "Purchase")
    confidence: float = 0.95
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (
            f"SimulationResult({len(self.visits):,} visits, variants={self.variants}, "
            f"reference={self.reference!r}, {self.visits_per_second:,.0f} visits/s)"
        )

    @property
    def visits_per_second(self) -> float:
        return len(self.visits) / self.seconds if self.seconds > 0 else float("nan")

    @property
    def events_sent(self) -> int:
        """PutEvents events sent: one per click and one per purchase."""
        return int(self.visits["clicks"].sum() + self.visits["purchases"].sum())

    def per_shopper(self) -> pd.DataFrame:
        """One row per (variant, shopper): visits and the summed per-visit columns of :data:`METRICS`."""
        if "per_shopper" not in self._cache:
            frame = self.visits.assign(visits=1, converted=self.visits["converted"].astype(int))
            frame = frame.assign(clicked=frame["clicked"].astype(int))
            columns = ["visits", *dict.fromkeys(METRICS.values())]
            grouped = frame.groupby(["variant", "userId"], sort=False)[columns].sum().reset_index()
            order = grouped["variant"].map({v: i for i, v in enumerate(self.variants)})
            grouped = grouped.iloc[order.argsort(kind="stable")].reset_index(drop=True)
            self._cache["per_shopper"] = grouped.rename(columns={v: k for k, v in METRICS.items()})
        return pd.DataFrame(self._cache["per_shopper"])

    def summary(self) -> pd.DataFrame:
        """One row per variant: visits, shoppers, clicks, purchases, value, events sent, each rate with its
        interval (``*_low`` / ``*_high``), and what metric attribution credited the variant with."""
        z = NormalDist().inv_cdf(0.5 + self.confidence / 2)
        per_shopper = self.per_shopper()
        rows = []
        for variant in self.variants:
            mine = per_shopper[per_shopper["variant"] == variant]
            seen = self.visits[self.visits["variant"] == variant]
            row: dict[str, Any] = {
                "variant": variant,
                "visits": len(seen),
                "shoppers": len(mine),
                "clicks": int(seen["clicks"].sum()),
                "purchases": int(seen["purchases"].sum()),
                "value": float(seen["value"].sum()),
                "events_sent": int(seen["clicks"].sum() + seen["purchases"].sum()),
            }
            for metric in METRICS:
                est = online.clustered_rate(mine[metric].to_numpy(), mine["visits"].to_numpy())
                row[metric] = est.rate
                row[f"{metric}_low"] = max(est.rate - z * est.se, 0.0)  # none of them can be negative
                row[f"{metric}_high"] = est.rate + z * est.se
            rows.append(row)
        out = pd.DataFrame(rows)
        if self.attributed is not None:
            out = out.merge(self.attributed, on="variant", how="left")
        return out

    def tests(self, *, n_resamples: int = 2000) -> pd.DataFrame:
        """Every variant against the reference on conversion, click-through and value per visit
        (:func:`personalize_lab.analysis.online.two_sample_tests`), with a verdict per row."""
        key = f"tests-{n_resamples}"
        if key not in self._cache:
            self._cache[key] = online.two_sample_tests(
                self.per_shopper(),
                reference=self.reference,
                metrics=list(METRICS),
                confidence=self.confidence,
                n_resamples=n_resamples,
                seed=self.seed,
            )
        return pd.DataFrame(self._cache[key])

    def power(
        self, lift: float = 0.1, *, relative: bool = True, alpha: float = 0.05, power: float = 0.8
    ) -> pd.DataFrame:
        """Visits needed to detect ``lift`` over the reference's conversion (closed form, two proportions).

        One row: the baseline (the reference's conversion here), the lifted rate, visits per variant and in
        total if visits were independent, the reference's design effect (repeat shoppers), and the visits
        per variant and in total once it is applied. See :func:`personalize_lab.analysis.online.visits_needed`.
        """
        mine = self.per_shopper()
        mine = mine[mine["variant"] == self.reference]
        baseline = float(mine["conversion"].sum() / mine["visits"].sum())
        per_variant = online.visits_needed(baseline, lift, relative=relative, alpha=alpha, power=power)
        deff = online.design_effect(mine["conversion"].to_numpy(), mine["visits"].to_numpy())
        adjusted = math.ceil(per_variant * max(deff, 1.0)) if math.isfinite(deff) else per_variant
        n = len(self.variants)
        return pd.DataFrame(
            [
                {
                    "metric": "conversion",
                    "baseline": baseline,
                    "target": baseline * (1 + lift) if relative else baseline + lift,
                    "lift": lift,
                    "relative": relative,
                    "alpha": alpha,
                    "power": power,
                    "visits_per_variant": per_variant,
                    "visits_total": per_variant * n,
                    "design_effect": deff,
                    "visits_per_variant_adjusted": adjusted,
                    "visits_total_adjusted": adjusted * n,
                    "visits_run": len(self.visits),
                }
            ]
        )

    def figure(self, metric: str = "conversion") -> go.Figure:
        """Cumulative ``metric`` per variant by visit number (``plots.cumulative_rate``)."""
        from personalize_lab import plots

        return plots.cumulative_rate(self.visits, METRICS.get(metric, metric), name=metric)

    def render(
        self, *, title: str = "Simulated online A/B", redact: bool = True, include_plotlyjs: Any = "inline"
    ) -> str:
        """The result as one self-contained HTML page (summary, verdicts, tests, power, positions, figures)."""
        from personalize_lab import report

        return report.render_page(
            title,
            self._subtitle(),
            self._sections(),
            self._figures(),
            include_plotlyjs=include_plotlyjs,
            redact=redact,
        )

    def to_html(self, path: str | Path, *, title: str = "Simulated online A/B", redact: bool = True) -> Path:
        """Write :meth:`render` to ``path`` (``.html``); returns the path."""
        from personalize_lab import report

        return report.write_page(
            path, title, self._subtitle(), self._sections(), self._figures(), redact=redact
        )

    # --- the page's parts ------------------------------------------------------------------------------

    def _subtitle(self) -> str:
        return (
            f"{len(self.visits):,} simulated visits by {len(self.shoppers):,} held-out shoppers · variants "
            f"{', '.join(self.variants)} · reference {self.reference} · seed {self.seed} · {self.source}"
        )

    def _sections(self) -> list[Any]:
        from personalize_lab import report

        summary = self.summary().set_index("variant").T
        summary.index.name = "metric"
        tests = self.tests()
        power = self.power().T
        power.columns = ["value"]
        positions = self.positions.assign(
            click_rate=lambda f: f["clicks"] / f["shown"].where(f["shown"] > 0)
        ).pivot(index="rank", columns="variant", values="click_rate")
        attribution = (
            f"Online metrics come from the metric attribution {self.metric_attribution_arn} "
            "(attributed_* rows: what it credited each variant during the run)."
            if self.metric_attribution_arn
            else ""
        )
        return [
            report.Section("Summary per variant", f"{self.click_model.describe()} {attribution}", summary),
            report.Section(
                "Tests against the reference",
                f"{online.TEST_NAME}; {tests['ci_method'].iloc[0]}." if len(tests) else "Only one variant.",
                tests.rename(columns={"n_users": "visits"}),
                verdicts=True,
                columns=_TEST_COLUMNS,
            ),
            report.Section(
                "Visits needed to detect a 10% lift in conversion",
                "Two proportions, closed form; adjusted by the design effect of repeat shoppers.",
                power,
            ),
            report.Section(
                "Click rate by rank",
                "Clicks per item shown at each rank: the position bias of the click model.",
                positions,
            ),
        ]

    def _figures(self) -> dict[str, Any]:
        return {"conversion": self.figure("conversion"), "value": self.figure("value_per_visit")}
