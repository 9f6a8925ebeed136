"""plotly figures of recommendation frames and comparisons, with one theme.

Every comparison figure is a function of the comparison (``plots.metric_bars(comparison)``) or of the
table it draws; :func:`figures` gives every one that applies, by name (what the HTML report shows).
"""

from personalize_lab.plots.bars import category_mix, metric_bars
from personalize_lab.plots.distributions import overlap_histogram, score_distribution
from personalize_lab.plots.figure_set import figures
from personalize_lab.plots.one_list import rank_scores, rank_scores_dict, reason_counts, reason_counts_dict
from personalize_lab.plots.online import cumulative_rate
from personalize_lab.plots.positions import promoted_positions, rank_shift, reason_breakdown, reason_shares
from personalize_lab.plots.theme import TEMPLATE, variant_colors

__all__ = [
    "TEMPLATE",
    "category_mix",
    "cumulative_rate",
    "figures",
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
