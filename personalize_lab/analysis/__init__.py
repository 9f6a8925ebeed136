"""Pure analysis of long recommendation frames: A/B comparison, overlap, list metrics, accuracy, statistics.

Nothing here talks to the service: every function takes DataFrames with the recommendation column
contract and returns DataFrames (or a :class:`Comparison` holding them).
"""

from personalize_lab.analysis.accuracy import MetricSpec, parse_metric, parse_metrics
from personalize_lab.analysis.comparison import Comparison, compare
from personalize_lab.analysis.metrics import category_mix, gini
from personalize_lab.analysis.overlap import rbo
from personalize_lab.analysis.stats import paired_tests

__all__ = [
    "Comparison",
    "MetricSpec",
    "category_mix",
    "compare",
    "gini",
    "paired_tests",
    "parse_metric",
    "parse_metrics",
    "rbo",
]
