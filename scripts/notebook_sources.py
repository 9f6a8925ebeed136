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
