"""The per-user temporal split: the newest share of each user's interactions is the shoppers' future."""

from __future__ import annotations

import pandas as pd
import pytest

from personalize_lab import PersonalizeData, ValidationError, demo_store
from personalize_lab.simulation import holdout_split, relevant_items


def history(user: str, n: int) -> list[dict[str, object]]:
    return [{"USER_ID": user, "ITEM_ID": f"{user}-i{t}", "TIMESTAMP": 1000 + t} for t in range(n)]


def test_the_newest_share_of_each_user_is_held_out() -> None:
    frame = pd.DataFrame(history("a", 10) + history("b", 20) + history("c", 3)).sample(frac=1, random_state=1)
    train, future = holdout_split(frame, fraction=0.1)
    assert list(future["ITEM_ID"]) == ["a-i9", "b-i18", "b-i19"]  # ceil(10%): 1 of a's, 2 of b's
    assert "c" not in set(future["USER_ID"])  # fewer than min_interactions=5: kept whole for training
    assert len(train) + len(future) == len(frame)
    assert train.groupby("USER_ID")["TIMESTAMP"].max().to_dict() == {"a": 1008, "b": 1017, "c": 1002}


def test_personalize_data_keeps_items_users_and_config() -> None:
    data = demo_store(n_users=50, n_items=80, n_interactions=1500)
    train, future = holdout_split(data, fraction=0.2)
    assert isinstance(train, PersonalizeData)
    assert train.items is data.items
    assert train.users is data.users
    assert train.config is data.config
    assert len(train.interactions) + len(future) == len(data.interactions)
    newest = data.interactions.groupby("USER_ID")["TIMESTAMP"].max()
    assert (future.groupby("USER_ID")["TIMESTAMP"].max() == newest[future["USER_ID"].unique()]).all()


def test_relevant_items_leave_out_what_training_already_has() -> None:
    future = pd.DataFrame({"USER_ID": ["a", "a", "b"], "ITEM_ID": ["x", "y", "z"]})
    known = pd.DataFrame({"USER_ID": ["a", "b"], "ITEM_ID": ["x", "z"]})
    assert relevant_items(future, known) == {"a": frozenset({"y"})}
    assert relevant_items(future) == {"a": frozenset({"x", "y"}), "b": frozenset({"z"})}


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1, True, "0.1"])
def test_a_fraction_outside_0_1_is_refused(fraction: object) -> None:
    with pytest.raises(ValidationError) as error:
        holdout_split(pd.DataFrame(history("a", 10)), fraction=fraction)  # type: ignore[arg-type]
    assert error.value.field == "fraction"
    assert error.value.value == fraction
    assert "between 0 and 1" in str(error.value.rule)
    assert error.value.fix == "e.g. fraction=0.1 (the newest 10%)"


def test_data_without_timestamps_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        holdout_split(pd.DataFrame({"USER_ID": ["a"], "ITEM_ID": ["x"]}))
    assert error.value.field == "data"
    assert error.value.value == ["TIMESTAMP"]
