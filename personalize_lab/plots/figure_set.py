"""Every figure that applies to one comparison, by name: what the HTML report and a quick look show.

Each figure is also a function of its own (``plots.metric_bars(comparison)``); this picks the ones the
comparison has data for, so a report of a run without promotions has no empty promotion chart.
"""

from __future__ import annotations

import plotly.graph_objects as go

from personalize_lab.analysis.comparison import Comparison
from personalize_lab.plots.bars import category_mix, metric_bars
from personalize_lab.plots.distributions import overlap_histogram, score_distribution
from personalize_lab.plots.positions import promoted_positions, rank_shift, reason_breakdown


def figures(comparison: Comparison) -> dict[str, go.Figure]:
    """The figures that apply to ``comparison``, by name, in the order a report shows them."""
    figs: dict[str, go.Figure] = {}
    if len(comparison.tests()):
        figs["metric_bars"] = metric_bars(comparison)
    figs["score_distribution"] = score_distribution(comparison)
    figs["reason_breakdown"] = reason_breakdown(comparison)
    if comparison.encoded.promoted.any():
        figs["promoted_positions"] = promoted_positions(comparison)
    if len(comparison.overlap()):
        figs["rbo_histogram"] = overlap_histogram(comparison, metric="rbo")
        figs["rank_shift"] = rank_shift(comparison, comparison.typical_user())
    if comparison.settings.get("category_column"):
        figs["category_mix"] = category_mix(comparison)
    return figs


__all__ = ["figures"]
