"""encode's de-duplication: slice by slice, the same rows as one np.unique over all of them."""

from __future__ import annotations

import numpy as np

from personalize_lab.analysis.encoding import _first_of_each_item


def test_repeated_items_dropped_slice_by_slice_as_in_one_go() -> None:
    """The first row of each item per list is kept however the rows are sliced (lists never split)."""
    rng = np.random.default_rng(1)
    for _ in range(100):
        lengths = rng.integers(1, 8, size=int(rng.integers(1, 40)))
        list_id = np.repeat(np.arange(len(lengths)), lengths).astype(np.int64)
        item = rng.integers(0, 5, size=len(list_id)).astype(np.int64)
        _, first = np.unique(list_id * 5 + item, return_index=True)
        expected = np.zeros(len(list_id), dtype=bool)
        expected[first] = True
        for step in (1, 2, 3, 7, 1000):
            got = _first_of_each_item(list_id, item, 5, step=step)
            assert ((np.ones(len(list_id), dtype=bool) if got is None else got) == expected).all()
