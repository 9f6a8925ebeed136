"""Pure DataFrame → plotly Figure builders with one theme; importing this enables ``Comparison`` figures."""

from personalize_lab.plots import _comparison  # noqa: F401  (registers the Comparison figures)
from personalize_lab.plots.bars import category_mix, metric_bars
from personalize_lab.plots.distributions import overlap_histogram, score_distribution
from personalize_lab.plots.one_list import rank_scores, rank_scores_dict, reason_counts, reason_counts_dict
from personalize_lab.plots.positions import promoted_positions, rank_shift, reason_breakdown, reason_shares
from personalize_lab.plots.theme import TEMPLATE, variant_colors

__all__ = [
    "TEMPLATE",
    "category_mix",
    "metric_bars",
    "overlap_histogram",
    "promoted_positions",
    "rank_scores",
    "rank_scores_dict",
    "rank_shift",
    "reason_breakdown",
    "reason_counts",
    "reason_counts_dict",
    "reason_shares",
    "score_distribution",
    "variant_colors",
]
