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
