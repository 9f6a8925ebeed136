"""An online A/B you can run before production: simulated shoppers, real events, metric attribution.

``lab.simulate(future, variants, visits=10_000, seed=0)`` (:func:`simulate`) lets shoppers drawn from a
held-out part of the interaction data (:func:`holdout_split`) visit the store under each variant, see a
list, click or buy according to a stated click model (:class:`ClickModel`: position bias, relevance from
their held-out future, a noise level), and sends every click and purchase as a real PutEvents event
through the Lab's client, with the variant as attribution source, so the online metrics come from metric
attribution as they would in production. The :class:`SimulationResult` reports conversion and value per
variant with intervals, tests against the reference, the visits needed for a stated lift, a figure over
time and an HTML page. Against AWS the same code sends real events: use a test campaign only
(docs/simulation.md says what it costs).

Modules: ``holdout`` (the per-user temporal split), ``clicks`` (the click model), ``run`` (the visits),
``result`` (what they add up to); the statistics are :mod:`personalize_lab.analysis.online`.
"""

from personalize_lab.simulation.clicks import ClickModel, examination
from personalize_lab.simulation.holdout import HoldoutSplit, holdout_split, relevant_items
from personalize_lab.simulation.result import METRICS, SimulationResult
from personalize_lab.simulation.run import ATTRIBUTION_NAME, simulate

__all__ = [
    "ATTRIBUTION_NAME",
    "METRICS",
    "ClickModel",
    "HoldoutSplit",
    "SimulationResult",
    "examination",
    "holdout_split",
    "relevant_items",
    "simulate",
]
