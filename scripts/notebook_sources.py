"""Cell sources of the tutorial notebooks: (kind, source) pairs, kind "md" or "code"."""

from __future__ import annotations

QUICKSTART = [
    (
        "md",
        """
# personalize_lab quickstart

**personalize_lab** makes Amazon Personalize explorable from Jupyter. This notebook runs end to end on a
fresh machine with **no AWS account**: `pl.Lab.demo()` starts the *embedded local Personalize*, which answers
the same API as the service with real models trained on a synthetic shop (1,000 users, 2,000 products,
50,000 View / AddToCart / Purchase events with a DEVICE context). Against AWS you would write
`pl.Lab(campaign_arn="arn:aws:personalize:…")` instead — everything below stays the same.
""",
    ),
    (
        "code",
        """
import personalize_lab as pl

lab = pl.Lab.demo()  # a few seconds: builds the store; the model trains on the first request
lab.describe()
""",
    ),
    (
        "md",
        """
## Recommendations as a tidy DataFrame

One row per item, columns named as the service names them: `rank`, `itemId`, `score` (`<NA>` where the
recipe returns none — never 0), `promotionName`, `reason`, one column per requested metadata column and the
`recommendationId`. `attrs` keeps the exact request.
""",
    ),
    (
        "code",
        """
user = lab.local_personalize.users[0]
recommendations = lab.recommend(user_id=user, num_results=10, metadata=["TITLE", "CATEGORY_L1", "PRICE"])
recommendations
""",
    ),
    (
        "md",
        """
## Filters and promotions by name, with Python values

`lab.filters()` lists the campaign's filters with their placeholders (INCLUDE placeholders are
**required**; a missing EXCLUDE placeholder silently drops its clause). Pass a filter by name and its
values as plain Python; the client encodes `filterValues` the way the service wants them.
""",
    ),
    (
        "code",
        """
lab.filters()[["name", "expression", "placeholders"]]
""",
    ),
    (
        "code",
        """
books_and_sports = lab.recommend(
    user_id=user,
    num_results=10,
    filter="category",
    filter_values={"CATEGORY": ["Books", "Sports"]},
    promotion=pl.Promotion("cheap-deals", percent=20, filter="max-price", filter_values={"MAX_PRICE": 15}),
    metadata=["TITLE", "CATEGORY_L1", "PRICE"],
)
books_and_sports
""",
    ),
    (
        "md",
        """
The exact boto3 call behind the last answer, ready to paste into code that talks to AWS:
""",
    ),
    (
        "code",
        """
print(lab.last_call())
""",
    ),
    (
        "md",
        """
## Mistakes are caught before anything is sent

Every error names the field, the value, the rule and the fix.
""",
    ),
    (
        "code",
        """
for bad in (
    dict(num_results=100, metadata=["TITLE"]),
    dict(filter="category"),
    dict(filter="category", filter_values={"category": ["Books"]}),
):
    try:
        lab.recommend(user_id=user, **bad)
    except pl.PersonalizeLabError as error:
        print(f"{type(error).__name__}: {error}")
        print()
""",
    ),
    (
        "md",
        """
## The filter language on its own

`pl.parse_filter` implements Personalize's filter-expression language: placeholders, datasets, what a
filter needs (a userId for interaction filters, an itemId for `CurrentItem`), and syntax errors with a caret.
""",
    ),
    (
        "code",
        """
expression = pl.parse_filter(
    "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY) | "
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")'
)
print(expression.placeholders)
print(pl.encode_filter_values({"CATEGORY": ["Books", "Sports"]}))
try:
    pl.parse_filter('INCLUDE ItemID WHERE Items.CATEGORY_L1 == "Books"')
except pl.FilterSyntaxError as error:
    print(error)
""",
    ),
    (
        "md",
        """
## Under the hood: a real boto3 client

The local Personalize sits behind botocore's transport: boto3 validates, serialises, signs and parses as
usual, so code written for AWS runs unchanged against it.
""",
    ),
    (
        "code",
        """
local = lab.local_personalize
runtime = local.client("personalize-runtime")
response = runtime.get_recommendations(campaignArn=local.default_campaign_arn, userId=user, numResults=3)
response["itemList"]
""",
    ),
]

NOTEBOOKS = {"01_quickstart": QUICKSTART}


# --- 03: A/B comparison of filters and of a promotion (cohort runs + analysis) -------------------------

AB_COMPARE = [
    (
        "md",
        """
# A/B: what does a filter — or a promotion — do to our recommendations?

The question people bring to Amazon Personalize is rarely "what does user 42 get?" but "what does
**filter A** do to everybody's lists compared with **filter B**?". Looking at two tables side by side does
not answer it. This notebook answers it over a cohort of users, with numbers and tests:

1. ask the same question for 250 users under each **variant** (`lab.recommend_many`),
2. compare the variants user by user (`lab.compare`): list metrics, overlap, paired statistical tests,
3. draw the figures and write a standalone **HTML report** for people without Python.

Everything runs on the embedded local Personalize (`pl.Lab.demo()`); against AWS only the first line
changes (`pl.Lab(campaign_arn="arn:aws:personalize:…")`).
""",
    ),
    (
        "code",
        """
import tempfile
from pathlib import Path

import pandas as pd

import personalize_lab as pl

pd.set_option("display.max_columns", 30)
pd.set_option("display.float_format", "{:.4g}".format)
lab = pl.Lab.demo()
users = lab.local_personalize.users[:250]  # the cohort: the same users answer every variant
lab.filters()[["name", "expression"]]
""",
    ),
    (
        "md",
        """
## Many requests: `lab.recommend_many`

A **variant** is any set of `lab.recommend` arguments: `filter` and `filter_values`, `promotion`,
`context`, `metadata`, or another `campaign_arn` / `recommender_arn`. Here variant **A** hides what the user
already bought (`exclude-purchased`) and variant **B** shows only items in stock (`in-stock`); both return
two metadata columns so we can look at categories and brands.

What happens under the hood:

- each variant is **validated once** before anything is sent — a misspelt filter fails at once, naming the variant;
- requests go out through a small **worker pool** under a **rate limit** (against AWS the default is
  50 requests/s, a tenth of the 500 TPS a campaign allows, so a notebook never crowds out production traffic);
- throttled and 5xx requests are **retried** with backoff; other failures land in an **errors frame** while
  the run goes on;
- answers are **cached** by exact request: running the same comparison again sends nothing, and the
  random part of the lists (exploration) stays the same across analyses. `cache=False` or `lab.clear_cache()`
  asks again;
- with `checkpoint="run.parquet"` results are saved as they arrive; after Ctrl-C or a kernel restart the
  same call sends only what is missing.

The result unpacks into one **long frame** (`variant`, `userId`, then the usual recommendation columns) and
the **errors** frame.
""",
    ),
    (
        "code",
        """
metadata = ["CATEGORY_L1", "BRAND"]
filters_ab = {
    "A: exclude-purchased": {"filter": "exclude-purchased", "metadata": metadata},
    "B: in-stock": {"filter": "in-stock", "metadata": metadata},
}
run = lab.recommend_many(users, variants=filters_ab, num_results=25)
frame, errors = run
print(run)
frame.head(8)
""",
    ),
    (
        "md",
        """
## Comparing the variants: `lab.compare`

`lab.compare(users, variants)` runs the same requests (here straight from the cache) and compares every
variant with the **reference** (the first one, unless you pass `reference=`). Each metric is computed **per
user**, so A and B are compared on the same people. The summary averages them per variant:

| metric | what it tells you |
|---|---|
| `mean_list_length`, `empty_lists` | does the filter leave enough items? An over-strict filter empties lists |
| `promoted_share`, `requested_promoted_share`, `mean_promoted_position` | share of promoted items achieved vs asked for, and where they land |
| `exploration_share`, `placeholder_share` | items shown to explore new ones, and "Popular item" fillers for lists a filter emptied |
| `mean_score_mass`, `score_*` | the model's scores of the items shown (higher mass = more of the model's confidence kept) |
| `catalog_coverage` | share of the catalog that appears in anyone's list |
| `mean_popularity`, `popularity_gini`, `novelty` | popularity bias: how popular the shown items are, how unequal exposure is (Gini 0 = equal, 1 = one item takes all), and how surprising they are (novelty = −log₂ popularity share) |
| `intra_list_diversity` | share of item pairs in one list from different categories |
| `mean_overlap@k`, `mean_jaccard`, `mean_rbo` | how much the lists agree with the reference: shared items in the top k, shared items over all items, and **rank-biased overlap** (RBO: agreement that weighs the top positions most) |

Catalog size and item popularity come from the local Personalize's own catalog and training data.
""",
    ),
    (
        "code",
        """
comparison = lab.compare(
    users, filters_ab, category_column="CATEGORY_L1", diversity_column="CATEGORY_L1", progress=False
)
print(lab.last_run)  # every request came from the cache: nothing was sent again
comparison.summary().set_index("variant").T
""",
    ),
    (
        "md",
        """
## Is the difference real? Paired tests

For every per-user metric, `tests()` compares each variant with the reference **on the same users**:

- `mean_diff`: the average of (variant − reference) over users, with a **bootstrap confidence interval**
  (`ci_low`, `ci_high`; resampling users 2,000 times with a fixed seed). An interval that excludes 0 is a
  difference you can rely on at that confidence;
- `effect_size_dz`: the mean difference divided by the spread of the differences (≈0.2 small, 0.5 medium, 0.8 large);
- `p_value`: from the **Wilcoxon signed-rank test** (named in the `test` column): how likely a difference this
  consistent would be if the variants were interchangeable. Small means unlikely;
- `p_adjusted`: corrected for testing several variants at once (Holm) when there are more than two.

A metric that cannot differ (both variants return 25 items) gets p = 1.
""",
    ),
    (
        "code",
        """
comparison.tests()[["metric", "variant", "mean_diff", "ci_low", "ci_high", "effect_size_dz", "p_value", "test"]]
""",
    ),
    (
        "md",
        """
## Figures

Every figure is a plain plotly figure built from the comparison's tables: the change of each metric with
its confidence interval, how much each user's lists agree (RBO), and the category mix.
""",
    ),
    (
        "code",
        """
comparison.metric_bars()
""",
    ),
    (
        "code",
        """
comparison.overlap_histogram("rbo")
""",
    ),
    (
        "code",
        """
comparison.category_mix_figure()
""",
    ),
    (
        "md",
        """
## A/B of a promotion

A promotion reserves a share of every list for items that pass its own filter. Does it get the share we
asked for, where do promoted items land, and how much does it disturb the rest of the list?
""",
    ),
    (
        "code",
        """
promotion_ab = {
    "control": {"metadata": metadata},
    "20% Pixelon": {
        "metadata": metadata,
        "promotion": pl.Promotion("pixelon-deals", 20, filter="brand", filter_values={"BRAND": "Pixelon"}),
    },
}
promo = lab.compare(users, promotion_ab, category_column="BRAND", progress=False)
promo.summary().set_index("variant")[
    ["promoted_share", "requested_promoted_share", "mean_promoted_position", "mean_rbo", "catalog_coverage"]
]
""",
    ),
    (
        "code",
        """
promo.promoted_positions_figure()
""",
    ),
    (
        "code",
        """
promo.rank_shift(promo.typical_user())  # one user whose lists agree as much as the median user's
""",
    ),
    (
        "md",
        """
## Accuracy against held-out interactions

With ground truth — interactions the model did not see — `compare` adds **precision**, **recall**, **NDCG**
(rewards hits near the top), **MRR** (1 / rank of the first hit) and **hit rate** (share of users with at
least one hit) at k. Here we hold out each user's last two interactions, train a local Personalize on the
rest, and compare two campaigns — the personalized one against plain popularity — by passing
`campaign_arn` in a variant.
""",
    ),
    (
        "code",
        """
data = pl.demo_store()
events = data.interactions.sort_values("TIMESTAMP")
held_out = events.groupby("USER_ID").tail(2)
local = pl.LocalPersonalize.from_frames(events.drop(held_out.index), data.items, data.users)
holdout_lab = pl.Lab.local(local)
campaigns = {
    "user-personalization": {},
    "popularity-count": {"campaign_arn": local.campaign_arns["popularity-count"]},
}
accuracy = holdout_lab.compare(users, campaigns, truth=held_out, progress=False)
tests = accuracy.tests().set_index("metric")
tests.loc[["precision@25", "recall@25", "ndcg@25", "mrr@25", "hit_rate@25"], ["mean_reference", "mean_variant", "mean_diff", "p_value"]]
""",
    ),
    (
        "md",
        """
## A report for people without Python

`to_html` writes one self-contained file (plotly embedded; values from item metadata escaped; ARNs and
account IDs redacted) with the summary, the tests and every figure.
""",
    ),
    (
        "code",
        """
folder = Path(tempfile.mkdtemp())
report = comparison.to_html(folder / "filters-ab.html")
print(report.name, f"{report.stat().st_size / 1e6:.1f} MB")
""",
    ),
]

NOTEBOOKS["03_ab_compare_filters"] = AB_COMPARE
