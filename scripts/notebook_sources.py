"""Cell sources of the tutorial notebooks: (kind, source) pairs, kind "md" or "code"."""

from __future__ import annotations

QUICKSTART = [
    (
        "md",
        """
# personalize_lab quickstart

**personalize_lab** makes Amazon Personalize explorable from Jupyter. This notebook runs end to end on a
fresh machine with **no AWS account**: it uses the *embedded local Personalize*, which answers the same
API as the service with real models trained on a synthetic shop (1,000 users, 2,000 products, 50,000
View / AddToCart / Purchase events).
""",
    ),
    (
        "code",
        """
import pandas as pd
import personalize_lab as pl

local = pl.LocalPersonalize.demo()  # ~3 s: generates the store; models train on first use
local
""",
    ),
    (
        "md",
        """
## A real boto3 client, answered locally

`local.client("personalize-runtime")` is a genuine boto3 client: boto3 validates, serialises, signs and
parses as usual; only the HTTP round trip is answered by the local Personalize. Code written for AWS runs
unchanged.
""",
    ),
    (
        "code",
        """
runtime = local.client("personalize-runtime")
user = local.users[0]
response = runtime.get_recommendations(
    campaignArn=local.campaign_arns["user-personalization"],
    userId=user,
    numResults=5,
    metadataColumns={"ITEMS": ["TITLE", "CATEGORY_L1", "PRICE"]},
)
pd.DataFrame(response["itemList"])
""",
    ),
    (
        "md",
        """
## Filters, checked before anything is sent

`pl.parse_filter` implements Personalize's filter-expression language. It lists the placeholders a
request must fill (INCLUDE placeholders are **required**; a missing EXCLUDE placeholder silently drops its
clause) and points at mistakes with a caret.
""",
    ),
    (
        "code",
        """
expression = pl.parse_filter(
    "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY) | "
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")'
)
pd.DataFrame([p.__dict__ for p in expression.placeholders])
""",
    ),
    (
        "code",
        """
try:
    pl.parse_filter('INCLUDE ItemID WHERE Items.CATEGORY_L1 == "Books"')
except pl.FilterSyntaxError as error:
    print(error)
""",
    ),
    (
        "md",
        """
`filterValues` must be double-quoted, comma-separated strings. `encode_filter_values` builds them from
Python values, and `check_filter_values` catches the classic mistakes before the service does.
""",
    ),
    (
        "code",
        """
values = pl.encode_filter_values({"CATEGORY": ["Books", "Sports"]})
print(values)
try:
    pl.check_filter_values(expression, {"CATEGORY": "Books,Sports"})
except pl.FilterValuesError as error:
    print(error)
""",
    ),
    (
        "code",
        """
filtered = runtime.get_recommendations(
    campaignArn=local.campaign_arns["user-personalization"],
    userId=user,
    numResults=5,
    filterArn=local.filter_arns["category"],
    filterValues=values,
    metadataColumns={"ITEMS": ["TITLE", "CATEGORY_L1"]},
)
pd.DataFrame(filtered["itemList"])
""",
    ),
]

NOTEBOOKS = {"01_quickstart": QUICKSTART}

QUICKSTART += [
    (
        "md",
        """
## The Lab: one campaign, answered as a DataFrame

`Lab` wraps the same boto3 clients. It checks every request before sending it (filter placeholders,
`numResults` limits, what the recipe accepts) and returns one tidy frame: `rank`, `itemId`, `score`,
`promotionName`, `reason`, the metadata columns you asked for, and `recommendationId`.
""",
    ),
    (
        "code",
        """
from personalize_lab import Lab

lab = Lab.local(local)  # the default User-Personalization campaign
lab.recommend(user, num_results=5, metadata=["TITLE", "CATEGORY_L1", "PRICE"])
""",
    ),
    (
        "md",
        """
## The Explorer

`lab.explorer()` is the AWS console's test panel and more: pick a campaign, a user (or roll a random one),
a filter — one input per placeholder, required ones marked — a promotion, context and metadata columns.
The table, the score distribution and the reason breakdown update on every change; the exact boto3 call
is shown for copying; ◀ / ▶ walk the request history and "pin as A / B" hands requests to
`lab.compare_panel()`.
""",
    ),
    (
        "code",
        """
explorer = lab.explorer()
explorer
""",
    ),
]

FILTERS_AND_PROMOTIONS = [
    (
        "md",
        """
# Filters and promotions

Two request features change *which* items come back:

* a **filter** (`filterArn` + `filterValues`) keeps or drops items by their metadata or by what the user
  did; placeholders such as `$CATEGORY` are filled per request;
* a **promotion** reserves a share of the list (`percentPromotedItems`) for items that pass *its own*
  filter, and marks them with `promotionName`.

Everything here runs on the embedded local Personalize; the same calls work against AWS.
""",
    ),
    (
        "code",
        """
import personalize_lab as pl
from personalize_lab import Lab
from personalize_lab.requests import Promotion

lab = Lab.demo()
lab.filters()[["name", "expression", "required", "optional"]]
""",
    ),
    (
        "md",
        """
## Placeholders: required or optional

In an `INCLUDE` expression every placeholder is **required**: the service refuses the request without it.
In an `EXCLUDE` expression a missing placeholder silently **drops the whole clause** — a classic way to
ship a filter that does nothing. The Lab checks both before sending and says which one you hit.
""",
    ),
    (
        "code",
        """
try:
    lab.recommend("1", filter="category")
except pl.FilterValuesError as error:
    print(error)
""",
    ),
    (
        "code",
        """
books = lab.recommend("1", num_results=8, filter="category", filter_values={"CATEGORY": ["Books"]},
                      metadata=["TITLE", "CATEGORY_L1", "PRICE"])
books
""",
    ),
    (
        "md",
        """
Comparison placeholders take one number. `lab.last_call()` shows the exact boto3 call that was sent,
with `filterValues` encoded the way the service wants them (double-quoted strings).
""",
    ),
    (
        "code",
        """
cheap = lab.recommend("1", num_results=8, filter="max-price", filter_values={"MAX_PRICE": 15},
                      metadata=["TITLE", "PRICE"])
print(lab.last_call())
cheap
""",
    ),
    (
        "md",
        """
## Promotions

A promotion has a name, a percentage and a filter. The request filter does **not** apply to promoted
items; put every condition the promoted items need into the promotion's filter. Promoted items are placed
at random positions, in their own order, and carry `promotionName`.
""",
    ),
    (
        "code",
        """
promotion = Promotion("toys-week", 20, filter="category", filter_values={"CATEGORY": ["Toys"]})
promoted = lab.recommend("1", num_results=10, promotion=promotion, metadata=["TITLE", "CATEGORY_L1"])
promoted[["rank", "itemId", "TITLE", "CATEGORY_L1", "promotionName"]]
""",
    ),
    (
        "md",
        """
## Try it in the Explorer

Pick `category` in the filter dropdown: an input appears for `$CATEGORY`, marked *required*, offering the
categories of the catalog. Leave it empty and the panel explains the error instead of a traceback. Tick
*Promote* to add a promotion with its own filter. The reason breakdown shows promoted items on the
User-Personalization-v2 campaign (only v2 returns reasons).
""",
    ),
    (
        "code",
        """
lab.with_target(campaign_arn=lab.local_personalize.campaign_arns["user-personalization-v2"]).explorer()
""",
    ),
    (
        "md",
        """
## Next-Best-Action: actions instead of items

A `next-best-action` campaign recommends *actions* — join the loyalty program, download the app, apply for
the store card — with a **propensity** score: the probability this shopper takes it. Expired actions never
come back, a taken action waits its `REPEAT_FREQUENCY` days, actions without enough data score 0.0 (and are
explored), and ActionID filters read `Actions.` and `Action_Interactions.` fields.
""",
    ),
    (
        "code",
        """
nba = lab.with_target(campaign_arn=lab.local_personalize.campaign_arns["next-best-action"])
actions = nba.recommend_actions("42", num_results=8)
not_taken = nba.recommend_actions("42", num_results=8, filter="exclude-taken-actions")
actions.merge(lab.local_personalize.actions[["ACTION_ID", "VALUE"]], left_on="actionId", right_on="ACTION_ID")
""",
    ),
]

STAKEHOLDER_DEMO = [
    (
        "md",
        """
# Demo store — recommendations, live
""",
    ),
    (
        "code",
        """
from personalize_lab.cli import demo_lab
from personalize_lab.widgets import Storefront

# demo_lab(): the demo store, or what `personalize-lab demo --data DIR --campaign NAME` asked for
Storefront(demo_lab(), title="Recommended for you")
""",
    ),
]

YOUR_OWN_DATA = [
    (
        "md",
        """
# Your own data

The local Personalize trains on files in Amazon Personalize's own format: `interactions.csv` (USER_ID,
ITEM_ID, TIMESTAMP, EVENT_TYPE, optional context columns), and optionally `items.csv` and `users.csv`,
each with a `*.schema.json` beside it (inferred when missing). Point `LocalPersonalize.from_csv` at the
folder and you get campaigns for every recipe, on your data, with no AWS account.

Here we generate a tiny catalog, write it as such a folder, and run the same analysis as on the demo.
""",
    ),
    (
        "code",
        """
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import personalize_lab as pl
from personalize_lab import Lab
from personalize_lab.datasets import PersonalizeData, write_dir

rng = np.random.default_rng(7)
genres = ["Jazz", "Rock", "Classical", "Pop"]
items = pd.DataFrame({
    "ITEM_ID": [f"song-{i}" for i in range(200)],
    "TITLE": [f"Track {i}" for i in range(200)],
    "GENRE": [genres[i % 4] for i in range(200)],
})
n = 6000
users = rng.integers(0, 150, n)
taste = users % 4  # every listener prefers one genre
picked = np.where(rng.random(n) < 0.7, taste + 4 * rng.integers(0, 50, n), rng.integers(0, 200, n))
interactions = pd.DataFrame({
    "USER_ID": users.astype(str),
    "ITEM_ID": [f"song-{i}" for i in picked],
    "TIMESTAMP": 1_700_000_000 + np.arange(n) * 60,
    "EVENT_TYPE": "Play",
})
folder = write_dir(PersonalizeData(interactions=interactions, items=items), Path(tempfile.mkdtemp()) / "music")
sorted(p.name for p in folder.iterdir())
""",
    ),
    (
        "md",
        """
`from_csv` reads the folder (and reports rows it had to skip), creates a dataset group with the usual
campaigns, and trains on first use. We add a filter and a campaign that returns item metadata — the same
two resources you would create with `create_filter` / `create_campaign` on AWS.
""",
    ),
    (
        "code",
        """
local = pl.LocalPersonalize.from_csv(folder)
local.create_filter("genre", "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)")
# metadataColumns need a campaign created with metadata enabled, as on AWS
songs = local.create_campaign("songs", "aws-user-personalization", {"enableMetadataWithRecommendations": True})
lab = Lab.local(local, campaign_arn=songs)
lab.recommend("3", num_results=5, metadata=["TITLE", "GENRE"])
""",
    ),
    (
        "md",
        """
The user prefers one genre; the filter narrows to another. The same panels work here:
`lab.explorer()` offers the `genre` filter with a multi-select of the four genres.
""",
    ),
    (
        "code",
        """
lab.recommend("3", num_results=5, filter="genre", filter_values={"GENRE": ["Classical"]}, metadata=["TITLE", "GENRE"])
""",
    ),
    (
        "code",
        """
lab.explorer()
""",
    ),
]

CONNECT_TO_AWS = [
    (
        "md",
        """
# Connecting to a real campaign

Everything in these notebooks runs against AWS with the **same code**: a `Lab` only needs boto3 clients.
What changes:

* **Session and region.** `Lab(campaign_arn=..., session=boto3.Session(profile_name="prod"), region="eu-west-1")`.
  The role needs `personalize:GetRecommendations` (runtime) and, for validation and the panels,
  `personalize:Describe*` / `List*`; without Describe the Lab warns and lets the service decide.
* **ARNs.** Campaigns and recommenders are addressed by ARN; `lab.targets()` lists what the control plane
  sees, `lab.filters()` the filters with their placeholders.
* **Costs and rate limits.** A campaign bills per hour of provisioned TPS, plus requests above it;
  GetRecommendations is throttled per campaign. Compare cohorts of hundreds, not millions, and keep the
  Lab's own retries (throttling is retried with backoff).
* **Users and history.** The service cannot list users or their history: the Explorer's user box is then
  free text, and the Storefront needs your event tracker's `tracking_id`.
* **Record and replay.** `Lab(..., record="calls.jsonl")` appends every request and response;
  `Lab.replay("calls.jsonl")` answers them later with no credentials — for CI and for sharing an analysis.

Below, the AWS code path runs against the local Personalize: `local.client(...)` returns real boto3 clients
whose HTTP round trip is answered locally. Replace them with `session.client(...)` for production.
""",
    ),
    (
        "code",
        """
import tempfile
from pathlib import Path

import personalize_lab as pl
from personalize_lab import Lab

local = pl.LocalPersonalize.demo()
campaign_arn = local.campaign_arns["user-personalization"]  # in production: your campaign's ARN

# production: runtime = boto3.Session(profile_name=...).client("personalize-runtime", region_name=...)
runtime = local.client("personalize-runtime")
control = local.client("personalize")
recording = Path(tempfile.mkdtemp()) / "calls.jsonl"
lab = Lab(campaign_arn=campaign_arn, client=runtime, control_client=control, record=recording)
lab.describe()
""",
    ),
    (
        "code",
        """
lab.recommend("1", num_results=5, metadata=["TITLE", "PRICE"])
""",
    ),
    (
        "md",
        """
## Replay without credentials

The recording holds the describe calls and every runtime answer. `Lab.replay` serves them back: the
same frame, no network, no AWS account — the same code path your CI can run.
""",
    ),
    (
        "code",
        """
replayed = Lab.replay(recording)
replayed.recommend("1", num_results=5, metadata=["TITLE", "PRICE"])
""",
    ),
]

NOTEBOOKS.update(
    {
        "01_quickstart": QUICKSTART,
        "02_filters_and_promotions": FILTERS_AND_PROMOTIONS,
        "04_stakeholder_demo": STAKEHOLDER_DEMO,
        "05_your_own_data": YOUR_OWN_DATA,
        "06_connect_to_aws": CONNECT_TO_AWS,
    }
)

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

Every figure is a plain plotly figure, a function of the comparison in `pl.plots`: the change of each
metric with its confidence interval, how much each user's lists agree (RBO), and the category mix.
`pl.plots.figures(comparison)` gives every figure that applies, by name.
""",
    ),
    (
        "code",
        """
pl.plots.metric_bars(comparison)
""",
    ),
    (
        "code",
        """
pl.plots.overlap_histogram(comparison, metric="rbo")
""",
    ),
    (
        "code",
        """
pl.plots.category_mix(comparison)
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
pl.plots.promoted_positions(promo)
""",
    ),
    (
        "code",
        """
pl.plots.rank_shift(promo, promo.typical_user())  # one user whose lists agree as much as the median user's
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

`pl.report.to_html(comparison, path)` writes one self-contained file (plotly embedded; values from item metadata escaped; ARNs and
account IDs redacted) with the summary, the tests and every figure.
""",
    ),
    (
        "code",
        """
folder = Path(tempfile.mkdtemp())
report = pl.report.to_html(comparison, folder / "filters-ab.html")
print(report.name, f"{report.stat().st_size / 1e6:.1f} MB")
""",
    ),
]

NOTEBOOKS["03_ab_compare_filters"] = AB_COMPARE

# --- 08: a simulated online A/B with real events and metric attribution ---------------------------------

ONLINE_AB = [
    (
        "md",
        """
# An online A/B you can run before production

Offline metrics say which list looks better; an online test says which list **sells** better. This
notebook runs one before anything reaches a customer: simulated shoppers, drawn from a held-out part of
the interaction data, visit the store under each variant, see a list, click or buy, and every click and
purchase is sent as a **real PutEvents** event with the list's `recommendationId` and the variant as
attribution source — so the online numbers come from **metric attribution**, as they would in production.
Everything runs on the embedded local Personalize (no AWS account).
""",
    ),
    (
        "md",
        """
## Shoppers from the future

`pl.simulation.holdout_split` holds out the newest 10% of each user's interactions; the local Personalize
is trained on the rest. The held-out items are what each shopper will want: the *relevant* items.
""",
    ),
    (
        "code",
        """
import personalize_lab as pl

train, future = pl.simulation.holdout_split(pl.demo_store(), fraction=0.1)
local = pl.LocalPersonalize(train)
lab = pl.Lab.local(local)
print(f"{len(train.interactions):,} interactions to train on; {len(future):,} held out for "
      f"{future['USER_ID'].nunique():,} shoppers")
""",
    ),
    (
        "md",
        """
## The click model

A position-based model, stated in full: the item at rank r is looked at with probability 1/log2(r+1); a
looked-at item is clicked with probability 0.5 if it is in the shopper's held-out future and 0.02 otherwise
(the noise level: random clicks); a click becomes a purchase with probability 0.3 (relevant) or 0.05.
Change any of them with `pl.simulation.ClickModel(...)`.
""",
    ),
    (
        "code",
        """
model = pl.simulation.ClickModel()
model.describe()
""",
    ),
    (
        "md",
        """
## Run it

Variants are what `recommend_many` takes — a filter, a promotion, another campaign. Each shopper is
assigned to one variant for the whole run; 2,000 visits take a few seconds here (10,000 well under a
minute). The same seed gives the same run.
""",
    ),
    (
        "code",
        """
variants = {
    "personalized": {},
    "no repeats": {"filter": "exclude-purchased"},
    "best sellers": {"campaign_arn": local.campaign_arns["popularity-count"]},
}
result = lab.simulate(future, variants, visits=2_000, seed=0)
result
""",
    ),
    (
        "code",
        """
result.summary().set_index("variant").T
""",
    ),
    (
        "md",
        """
The `attributed_*` rows are what the metric attribution credited each variant with — read back from the
local Personalize, and equal to the simulation's own counts. The events themselves are in the local
Personalize, each with its `recommendationId`, impression and attribution source:
""",
    ),
    (
        "code",
        """
local.streamed_events()[["USER_ID", "ITEM_ID", "EVENT_TYPE", "EVENT_VALUE", "RECOMMENDATION_ID",
                         "EVENT_ATTRIBUTION_SOURCE"]].tail()
""",
    ),
    (
        "md",
        """
## Is the difference real?

Each variant against the first: a bootstrap interval of the difference (shoppers resampled, because a
shopper who comes back makes correlated visits) and a two-sample z-test, Holm-corrected across variants,
with one sentence per metric.
""",
    ),
    (
        "code",
        """
for sentence in result.tests()["verdict"]:
    print("-", sentence)
""",
    ),
    (
        "md",
        """
## How many visits would it take?

The closed form for two proportions gives the visits per variant to detect a stated lift in conversion
at α = 0.05 and 80% power; the design effect scales it for shoppers who return.
""",
    ),
    (
        "code",
        """
result.power(lift=0.2).T
""",
    ),
    (
        "code",
        """
result.figure()  # cumulative conversion per variant by visit number
""",
    ),
    (
        "code",
        """
import tempfile
from pathlib import Path

page = result.to_html(Path(tempfile.mkdtemp()) / "online-ab.html")
print(page.name, f"{page.stat().st_size / 1e6:.1f} MB")
""",
    ),
    (
        "md",
        """
## Against AWS

The same call against a real campaign sends real events: they train the next solution version and are
billed. Use a **test campaign** in its own dataset group, create a metric attribution for it and pass
`metric_attribution_arn=` and `tracking_id=`; see `docs/simulation.md` for what a run costs.
""",
    ),
]

NOTEBOOKS["08_online_ab_simulation"] = ONLINE_AB

# --- 07: the AWS-style lifecycle against the local Personalize, ending with a batch A/B ----------------

LIFECYCLE = [
    (
        "md",
        """
# From an empty account to a batch A/B — the AWS way, locally

This notebook is written the way AWS's own Personalize samples are: plain `boto3.client("personalize")`
calls — create a dataset group, a schema, a dataset, import CSV from `s3://`, train a solution version,
read its offline metrics, deploy a campaign, ask for recommendations — and then a **batch A/B**: one batch
inference job per variant, read back into the frame `pl.compare` takes.

Nothing here needs an AWS account. `pl.LocalPersonalize(s3_root=...)` is an empty account whose `s3://`
is a local folder; a boto3 client for Personalize made inside `with local:` is answered by it. Against
AWS, drop the `with local:` line and point the paths at a real bucket.
""",
    ),
    (
        "code",
        """
import json
import time
import tempfile
from pathlib import Path

import boto3
import personalize_lab as pl

s3_root = Path(tempfile.mkdtemp())             # stands in for S3: s3://demo-bucket/... is s3_root/demo-bucket/...
pl.write_dir(pl.demo_store(), s3_root / "demo-bucket" / "shop")  # the demo store's CSVs and schemas
ROLE = "arn:aws:iam::123456789012:role/PersonalizeRole"

local = pl.LocalPersonalize(s3_root=s3_root)  # an empty account
with local:  # boto3 clients made here talk to the local Personalize, and stay so (on AWS: drop this line)
    personalize = boto3.client("personalize", region_name="us-east-1")
    runtime = boto3.client("personalize-runtime", region_name="us-east-1")
sorted(p.name for p in (s3_root / "demo-bucket" / "shop").iterdir())
""",
    ),
    (
        "md",
        """
## Dataset group, schemas, datasets, import jobs

The schemas are the Avro files `pl.write_dir` wrote next to the CSVs. Jobs report the service's statuses
(CREATE PENDING → CREATE IN_PROGRESS → ACTIVE); the polling loop is the one AWS samples write.
""",
    ),
    (
        "code",
        """
def wait(describe, key, **arn):
    while True:
        status = describe(**arn)[key]
        if status["status"] in ("ACTIVE", "CREATE FAILED"):
            return status["status"], status.get("failureReason")
        time.sleep(1)

dsg = personalize.create_dataset_group(name="demo-shop")["datasetGroupArn"]
datasets = {}
for dataset_type in ("Interactions", "Items"):
    stem = dataset_type.lower()
    schema = (s3_root / "demo-bucket" / "shop" / f"{stem}.schema.json").read_text()
    schema_arn = personalize.create_schema(name=f"demo-shop-{stem}", schema=schema)["schemaArn"]
    datasets[dataset_type] = personalize.create_dataset(
        name=f"demo-shop-{stem}", schemaArn=schema_arn, datasetGroupArn=dsg, datasetType=dataset_type
    )["datasetArn"]
    job = personalize.create_dataset_import_job(
        jobName=f"demo-shop-{stem}-import",
        datasetArn=datasets[dataset_type],
        dataSource={"dataLocation": f"s3://demo-bucket/shop/{stem}.csv"},
        roleArn=ROLE,
    )["datasetImportJobArn"]
    print(dataset_type, wait(personalize.describe_dataset_import_job, "datasetImportJob", datasetImportJobArn=job))
""",
    ),
    (
        "md",
        """
## Solution, solution version, offline metrics

`GetSolutionMetrics` answers the service's metric names, computed on a held-out split as the developer
guide describes (docs/lifecycle.md states the split).
""",
    ),
    (
        "code",
        """
solution = personalize.create_solution(
    name="demo-shop-up", datasetGroupArn=dsg, recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
)["solutionArn"]
version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
print(wait(personalize.describe_solution_version, "solutionVersion", solutionVersionArn=version))
personalize.get_solution_metrics(solutionVersionArn=version)["metrics"]
""",
    ),
    (
        "md",
        """
## A campaign, a filter, recommendations
""",
    ),
    (
        "code",
        """
campaign = personalize.create_campaign(name="demo-shop", solutionVersionArn=version, minProvisionedTPS=1)[
    "campaignArn"
]
print(wait(personalize.describe_campaign, "campaign", campaignArn=campaign))
category_filter = personalize.create_filter(
    name="demo-shop-category",
    datasetGroupArn=dsg,
    filterExpression='INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)',
)["filterArn"]
user = pl.demo_store().interactions["USER_ID"].iloc[0]
answer = runtime.get_recommendations(campaignArn=campaign, userId=user, numResults=5)
[item["itemId"] for item in answer["itemList"]]
""",
    ),
    (
        "md",
        """
## A batch A/B: one batch inference job per variant

`lab.batch_recommend` writes the users as JSON Lines under `s3_prefix`, starts one batch inference job per
variant (B with the category filter and its values), waits for them and reads their `.out` files into the
same long frame `recommend_many` returns — the scale path for millions of users, where request-by-request
cohorts stop at the service's TPS. A re-run finds the jobs and outputs and starts nothing new.
""",
    ),
    (
        "code",
        """
lab = pl.Lab.local(local, campaign_arn=campaign)
users = pl.demo_store().interactions["USER_ID"].drop_duplicates().head(200).tolist()
top_category = pl.demo_store().items["CATEGORY_L1"].value_counts().index[0]
frame = lab.batch_recommend(
    users,
    variants={"A": {}, "B": {"filter": "demo-shop-category", "filter_values": {"CATEGORY": [top_category]}}},
    s3_prefix="s3://demo-bucket/batch/",
    role_arn=ROLE,
    num_results=10,
    poll_seconds=0.2,
    progress=False,
)
frame.groupby("variant")["userId"].nunique()
""",
    ),
    (
        "code",
        """
comparison = pl.compare(frame, reference="A")
comparison.summary()
""",
    ),
]
NOTEBOOKS["07_lifecycle_and_batch"] = LIFECYCLE
