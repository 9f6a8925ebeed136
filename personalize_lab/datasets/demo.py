"""A synthetic shop whose data has real structure, so local models have something to learn.

``demo_store`` builds Personalize-shaped Users, Items and Interactions, deterministic from a seed. Each
user has a taste (category and brand affinities, price sensitivity, low-rank factors), items have a
Zipf-like popularity, and every viewed item is drawn from a softmax of that taste — so a personalised
model beats popularity on held-out data. The session's DEVICE really shifts choices (mobile favours
apparel, beauty and cheaper items; desktop electronics and home; tablet books and toys), new items only
appear after their CREATION_TIMESTAMP, and views lead to AddToCart and Purchase events in funnel ratios.
The shop's actions (join the loyalty program, download the app …) and its shoppers' responses come from
:mod:`personalize_lab.datasets.demo_actions`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from personalize_lab.datasets.data import LoadReport, PersonalizeData
from personalize_lab.datasets.demo_actions import ACTION_SCHEMAS, demo_actions
from personalize_lab.datasets.demo_catalog import ADJECTIVES, BRANDS, DEVICES, TAXONOMY
from personalize_lab.datasets.demo_config import demo_config
from personalize_lab.datasets.schema import Field, Schema
from personalize_lab.errors import DataError

__all__ = ["DEMO_SCHEMAS", "SIZES", "demo_store"]

SIZES: dict[str, tuple[int, int, int]] = {  # users, items, interactions
    "small": (1_000, 2_000, 50_000),
    "medium": (20_000, 20_000, 1_000_000),
    "large": (50_000, 100_000, 2_000_000),
}
END = 1_719_792_000  # 2024-07-01T00:00:00Z: fixed, so the store does not depend on the clock
DAY = 86_400
SPAN_DAYS = 182  # six months of interactions
NEW_ITEM_DAYS = 21
CART_RATE, PURCHASE_RATE = 0.15, 0.40  # of views, of carts
MAX_POOL = 25_000  # larger catalogs: each user block draws from a uniform random subset of this size
_BLOCK_CELLS = 6_000_000  # users x items scored at once (memory ~ 50 MB)
_ROUNDS = 8  # rejection rounds for device and creation-time acceptance
# age shifts top-level tastes (in TAXONOMY order: Apparel Footwear Beauty Electronics Home Sports Books Toys)
_YOUNG_L1 = np.array([0.3, 0.2, 0.0, 0.4, -0.3, 0.2, -0.3, 0.0])
_OLDER_L1 = np.array([0.0, 0.0, 0.1, -0.1, 0.3, 0.0, 0.3, 0.1])

DEMO_SCHEMAS: dict[str, Schema] = {
    "Interactions": Schema(
        "Interactions",
        (
            Field("USER_ID", "string"),
            Field("ITEM_ID", "string"),
            Field("TIMESTAMP", "long"),
            Field("EVENT_TYPE", "string"),
            Field("EVENT_VALUE", "float", nullable=True),
            Field("DEVICE", "string", categorical=True),
        ),
    ),
    "Items": Schema(
        "Items",
        (
            Field("ITEM_ID", "string"),
            Field("TITLE", "string"),  # plain string: returned as metadata, not filterable
            Field("CATEGORY_L1", "string", categorical=True),
            Field("CATEGORY_L2", "string", categorical=True),
            Field("BRAND", "string", categorical=True),
            Field("PRICE", "float"),
            Field("AVAILABLE", "string", categorical=True),  # "True"/"False": booleans cannot be filtered
            Field("CREATION_TIMESTAMP", "long"),
        ),
    ),
    "Users": Schema(
        "Users",
        (Field("USER_ID", "string"), Field("AGE", "int"), Field("MEMBERSHIP", "string", categorical=True)),
    ),
}


def demo_store(
    size: str = "small",
    *,
    n_users: int | None = None,
    n_items: int | None = None,
    n_interactions: int | None = None,
    seed: int = 0,
) -> PersonalizeData:
    """Generate the demo shop. ``size`` is small (1k users, 2k items, 50k interactions), medium (20k, 20k,
    1M) or large (50k, 100k, 2M); explicit counts override it. The same arguments give the same frames.

    The data carries the demo's campaigns, recommenders, filters and event tracker as its ``config``, so
    ``write_dir`` writes them to ``personalize-lab.json`` and a local Personalize built from it (or from the
    written folder) serves the same resources as ``LocalPersonalize.demo()``.
    """
    if size not in SIZES:
        raise DataError(f"size={size!r} is not a demo size; choose one of {', '.join(SIZES)}", value=size)
    du, di, dn = SIZES[size]
    nu, ni, nn = n_users or du, n_items or di, n_interactions or dn
    if nu < 1 or ni < 1 or nn < nu:
        raise DataError(
            f"demo_store needs n_users>=1, n_items>=1 and n_interactions>=n_users, got {nu}, {ni}, {nn}"
        )
    rng = np.random.default_rng(seed)
    items, item_arrays = _items(ni, rng)
    users, user_arrays = _users(nu, rng)
    interactions = _interactions(
        nn, item_arrays, user_arrays, rng, items["ITEM_ID"].to_numpy(), items["PRICE"]
    )
    users["USER_ID"] = users["USER_ID"].astype("str")
    actions, action_interactions = demo_actions(users, interactions, END, seed)
    return PersonalizeData(
        interactions,
        items,
        users,
        {**DEMO_SCHEMAS, **ACTION_SCHEMAS},
        LoadReport(),
        demo_config(),
        actions=actions,
        action_interactions=action_interactions,
    )


def _items(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    l2_table = [
        (l1, l2, nouns, price) for l1, subs in TAXONOMY.items() for l2, (nouns, price) in subs.items()
    ]
    l1_names = list(TAXONOMY)
    l2_weight = rng.dirichlet(np.full(len(l2_table), 4.0))
    l2 = rng.choice(len(l2_table), size=n, p=l2_weight)
    l1 = np.array([l1_names.index(t[0]) for t in l2_table])[l2]
    # each brand sells in one or two top-level categories
    brand_l1 = [[l1_names.index(c) for c in cats] for _, cats in BRANDS]
    brand = np.empty(n, dtype=np.int64)
    for c in range(len(l1_names)):
        sellers = [b for b, cats in enumerate(brand_l1) if c in cats]
        where = np.flatnonzero(l1 == c)
        brand[where] = rng.choice(sellers, size=len(where))
    premium = rng.lognormal(0.0, 0.25, size=len(BRANDS))
    base = np.array([t[3] for t in l2_table])[l2]
    price = np.floor(base * premium[brand] * rng.lognormal(0.0, 0.45, size=n)) + 0.99
    nouns = [t[2] for t in l2_table]
    noun_pick = rng.integers(0, 1 << 30, size=n)
    adj = rng.integers(0, len(ADJECTIVES), size=n)
    titles = [
        f"{ADJECTIVES[a]} {nouns[c][k % len(nouns[c])]}" for a, c, k in zip(adj, l2, noun_pick, strict=True)
    ]
    start = END - SPAN_DAYS * DAY
    kind = rng.random(n)
    created = np.where(
        kind < 0.80,
        start - rng.integers(0, 365 * DAY, size=n),
        np.where(
            kind < 0.94,
            start + rng.integers(0, int((SPAN_DAYS - NEW_ITEM_DAYS) * DAY), size=n),
            END - rng.integers(DAY, NEW_ITEM_DAYS * DAY, size=n),
        ),
    ).astype(np.int64)
    width = max(5, len(str(n)))
    frame = pd.DataFrame(
        {
            "ITEM_ID": pd.array([f"P{j + 1:0{width}d}" for j in range(n)], dtype="str"),
            "TITLE": pd.array(titles, dtype="str"),
            "CATEGORY_L1": pd.array(np.array(l1_names, dtype=object)[l1], dtype="str"),
            "CATEGORY_L2": pd.array(np.array([t[1] for t in l2_table], dtype=object)[l2], dtype="str"),
            "BRAND": pd.array(np.array([b for b, _ in BRANDS], dtype=object)[brand], dtype="str"),
            "PRICE": price.astype(np.float64),
            "AVAILABLE": pd.array(np.where(rng.random(n) < 0.92, "True", "False"), dtype="str"),
            "CREATION_TIMESTAMP": created,
        }
    )
    log_price = np.log(price)
    zprice = (log_price - log_price.mean()) / (log_price.std() or 1.0)
    rank = rng.permutation(n) + 1
    arrays = {
        "l1": l1,
        "l2": l2,
        "brand": brand,
        "zprice": zprice,
        "logpop": -0.6 * np.log(rank),
        "factors": rng.normal(0.0, 0.7, size=(n, 12)),
        "created": created,
        "n_l1": np.array(len(l1_names)),
        "n_l2": np.array(len(l2_table)),
        "n_brand": np.array(len(BRANDS)),
    }
    return frame, arrays


def _users(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    age = np.clip(rng.gamma(6.0, 6.5, size=n) + 16, 18, 85).astype(np.int64)
    membership = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    frame = pd.DataFrame(
        {
            "USER_ID": [str(u + 1) for u in range(n)],
            "AGE": age,
            "MEMBERSHIP": pd.array(np.array(["free", "plus", "premium"])[membership], dtype="str"),
        }
    )
    arrays = {
        "age": age,
        "price_sens": rng.lognormal(0.0, 0.4, size=n) * np.array([1.0, 0.7, 0.35])[membership],
        "activity": rng.lognormal(0.0, 0.8, size=n),
        "device_pref": rng.dirichlet([2.75, 1.75, 0.5], size=n),
        "factors": rng.normal(0.0, 0.7, size=(n, 12)),
        "signup": END - (rng.beta(1.0, 3.0, size=n) * (SPAN_DAYS - 7) + 7).astype(np.int64) * DAY,
    }
    return frame, arrays


def _device_weights(it: dict[str, np.ndarray]) -> np.ndarray:
    """(3, n_items) acceptance weights in (0, 1]: how much each device favours each item."""
    n_l1 = int(it["n_l1"])
    bias = np.zeros((len(DEVICES), n_l1))
    # TAXONOMY order: Apparel, Footwear, Beauty, Electronics, Home, Sports, Books, Toys
    bias[0, [0, 1, 2]] = 0.9  # mobile: apparel, footwear, beauty
    bias[0, [3, 4]] = -0.6
    bias[1, [3, 4]] = 0.9  # desktop: electronics, home
    bias[1, [0, 2]] = -0.4
    bias[2, [6, 7]] = 1.0  # tablet: books, toys
    price_slope = np.array([-0.6, 0.4, 0.0])[:, None]  # mobile buys cheaper, desktop dearer
    logw = bias[:, it["l1"]] + price_slope * it["zprice"][None, :]
    return np.asarray(np.exp(logw - logw.max(axis=1, keepdims=True)))


def _interactions(
    n: int,
    it: dict[str, np.ndarray],
    us: dict[str, np.ndarray],
    rng: np.random.Generator,
    item_ids: np.ndarray,
    price: pd.Series,
) -> pd.DataFrame:
    n_users = len(us["age"])
    n_views = max(n_users, round(n / (1 + CART_RATE + CART_RATE * PURCHASE_RATE)))
    n_carts = max(0, min(round(n_views * CART_RATE), n - n_views))  # exactly n events in all
    n_buys = max(0, min(n_carts, n - n_views - n_carts))
    extra = rng.multinomial(n_views - n_users, us["activity"] / us["activity"].sum())
    counts = extra + 1
    user = np.repeat(np.arange(n_users), counts)
    # sessions: a new one starts with probability 1/3 at each view; each has a start time and a device
    first = np.r_[0, np.cumsum(counts)[:-1]]
    new = rng.random(n_views) < 1 / 3
    new[first] = True
    session = np.cumsum(new) - 1
    s_user = user[new]
    s_signup = us["signup"][s_user]
    s_start = s_signup + (rng.random(len(s_user)) * (END - 3600 - s_signup)).astype(np.int64)
    cum = np.cumsum(us["device_pref"][s_user], axis=1)
    s_device = np.minimum((rng.random(len(s_user))[:, None] > cum).sum(axis=1), len(DEVICES) - 1)
    pos = np.arange(n_views) - np.flatnonzero(new)[session]
    ts = s_start[session] + pos * 90 + rng.integers(0, 60, size=n_views)
    device = s_device[session]
    item = _sample_items(user, device, ts, counts, it, us, rng)

    # funnel: some views go to the cart, some carts are bought (cheaper items more often)
    cart = np.sort(rng.choice(n_views, size=n_carts, replace=False))
    w = 1 / np.sqrt(price.to_numpy()[item[cart]])
    buy = np.sort(rng.choice(cart, size=n_buys, replace=False, p=w / w.sum())) if n_buys else cart[:0]
    cart_ts = ts[cart] + rng.integers(30, 300, size=len(cart))
    buy_ts = cart_ts[np.searchsorted(cart, buy)] + rng.integers(60, 600, size=len(buy))
    idx = np.r_[np.arange(n_views), cart, buy]
    kinds = np.r_[np.zeros(n_views, np.int8), np.ones(len(cart), np.int8), np.full(len(buy), 2, np.int8)]
    all_ts = np.r_[ts, cart_ts, buy_ts].astype(np.int64)
    order = np.lexsort((kinds, idx, all_ts))
    idx, kinds, all_ts = idx[order], kinds[order], all_ts[order]
    items = item[idx]
    value = np.where(kinds > 0, price.to_numpy()[items], np.nan)
    return pd.DataFrame(
        {
            "USER_ID": pd.array((user[idx] + 1).astype(str), dtype="str"),
            "ITEM_ID": pd.array(item_ids[items], dtype="str"),
            "TIMESTAMP": all_ts,
            "EVENT_TYPE": pd.array(np.array(["View", "AddToCart", "Purchase"])[kinds], dtype="str"),
            "EVENT_VALUE": value.astype(np.float64),
            "DEVICE": pd.array(np.array(DEVICES)[device[idx]], dtype="str"),
        }
    )


def _sample_items(
    user: np.ndarray,
    device: np.ndarray,
    ts: np.ndarray,
    counts: np.ndarray,
    it: dict[str, np.ndarray],
    us: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw one item per view from the user's softmax taste, accepting by device and creation time.

    A view whose draws all predate their item's creation is moved to an hour after it (``ts`` in place).
    """
    n_users, n_items = len(counts), len(it["l1"])
    n_l1, n_l2, n_brand = int(it["n_l1"]), int(it["n_l2"]), int(it["n_brand"])
    # user tastes: a few favourite top-level categories, sub-category and brand likes, age shifts
    l1_aff = np.log(rng.dirichlet(np.full(n_l1, 0.3), size=n_users) + 0.02)
    young = (us["age"] < 30)[:, None]
    l1_aff += np.where(young, _YOUNG_L1, _OLDER_L1)
    l2_aff = rng.normal(0.0, 1.0, size=(n_users, n_l2))
    brand_aff = rng.normal(0.0, 0.4, size=(n_users, n_brand))
    fav = rng.integers(0, n_brand, size=(n_users, 2))
    np.put_along_axis(brand_aff, fav, 1.5, axis=1)
    key = it["l2"] * n_brand + it["brand"]  # one gather covers category and brand terms
    l2_to_l1 = np.zeros(n_l2, dtype=np.int64)
    l2_to_l1[it["l2"]] = it["l1"]
    dev_w = _device_weights(it)
    user_side = np.c_[us["factors"], -us["price_sens"], np.ones(n_users)].astype(np.float32)
    item_side = np.c_[it["factors"], it["zprice"], it["logpop"]].astype(np.float32)

    starts = np.r_[0, np.cumsum(counts)]
    out = np.empty(len(user), dtype=np.int64)
    pool_size = min(n_items, MAX_POOL)
    block = max(1, _BLOCK_CELLS // pool_size)
    for b0 in range(0, n_users, block):
        b1 = min(n_users, b0 + block)
        pool = (
            np.arange(n_items)
            if pool_size == n_items
            else np.sort(rng.choice(n_items, pool_size, replace=False))
        )
        combo = (l1_aff[b0:b1][:, l2_to_l1] + l2_aff[b0:b1])[:, :, None] + brand_aff[b0:b1][:, None, :]
        s = combo.reshape(b1 - b0, -1).astype(np.float32)[:, key[pool]]
        s += user_side[b0:b1] @ item_side[pool].T
        if s.max() > 60:  # scores stay far below float32's exp overflow; shift only if they ever do not
            s -= s.max(axis=1, keepdims=True)
        np.exp(s, out=s)
        np.cumsum(s, axis=1, out=s)
        for u in range(b0, b1):
            lo, hi = starts[u], starts[u + 1]
            cdf = s[u - b0]
            # float32 queries: a float64 query would make searchsorted copy the whole row each call
            queries = rng.random((hi - lo) * _ROUNDS, dtype=np.float32) * cdf[-1]
            draws = np.searchsorted(cdf, queries, side="right")
            cand = pool[np.minimum(draws, pool_size - 1)].reshape(hi - lo, _ROUNDS)
            in_time = it["created"][cand] <= ts[lo:hi, None]
            ok = in_time & (rng.random(cand.shape) < dev_w[device[lo:hi, None], cand])
            # rarely no round is accepted: fall back to an item that existed, then to moving the view
            first = np.where(ok.any(axis=1), ok.argmax(axis=1), in_time.argmax(axis=1))
            out[lo:hi] = cand[np.arange(hi - lo), first]
            late = it["created"][out[lo:hi]] > ts[lo:hi]
            if late.any():
                ts[lo:hi][late] = it["created"][out[lo:hi][late]] + 3600
    return out
