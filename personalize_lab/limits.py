"""The service's request limits and patterns (botocore model + developer guide, semantics §1.2, §3.3, §10).

The client checks them before a request is sent and the local Personalize enforces them as the server
does; both read this one table so the two sides cannot disagree.
"""

from __future__ import annotations

import re

ARN_PATTERN = re.compile(r"arn:([a-z\d-]+):personalize:.*:.*:.+")
NAME_PATTERN = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*")  # resource and promotion names, 1–63 chars
CONTEXT_KEY_PATTERN = re.compile(r"[A-Za-z\d_]+")
FILTER_KEY_PATTERN = re.compile(r"[A-Za-z0-9_]+")

MAX_RESULTS = 500
MAX_RESULTS_WITH_METADATA = 50
MAX_ACTION_RESULTS = 100
MAX_METADATA_COLUMNS = 10
MAX_CONTEXT_ENTRIES = 150
MAX_FILTER_VALUES = 25
MAX_FILTER_KEY_LENGTH = 50  # a filterValues key (= a placeholder name) is at most 50 characters
MAX_FILTER_VALUE_LENGTH = 1000  # one filterValues value string

# filters (model:FilterExpression and the developer guide's limits page)
MAX_EXPRESSION_LENGTH = 2500  # 1–2500 characters
MAX_DISTINCT_FILTER_FIELDS = 5  # distinct dataset fields per filter (one page of the guide says 10)

# lengths and ranges of request members (botocore model: personalize-runtime)
MAX_ID_LENGTH = 256  # userId, itemId, an inputList item
MAX_ARN_LENGTH = 256  # campaignArn, recommenderArn, filterArn
MAX_NAME_LENGTH = 63  # a promotion's name (NAME_PATTERN)
MAX_PERCENT_PROMOTED = 100  # percentPromotedItems is 1..100
MAX_COLUMN_NAME_LENGTH = 150  # a metadataColumns entry
MAX_CONTEXT_KEY_LENGTH = 150
MAX_CONTEXT_VALUE_LENGTH = 1000

# ---- counts and defaults the server enforces (the local Personalize's checks read these) ----------------
MAX_PROMOTIONS = 1
MAX_EVENTS_PER_CALL = 10  # PutEvents eventList
MAX_RECORDS_PER_CALL = 10  # PutItems items, PutUsers users
DEFAULT_NUM_RESULTS = 25
DEFAULT_ACTION_RESULTS = 5
