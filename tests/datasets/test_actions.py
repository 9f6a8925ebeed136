"""The Next-Best-Action datasets in a data folder: actions.csv and action_interactions.csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from personalize_lab.datasets import load_dir
from personalize_lab.emulator.engine import LocalPersonalize
from personalize_lab.errors import DataError

INTERACTIONS = "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1700000000\nu2,i2,1700000001\n"
ACTIONS = (
    "ACTION_ID,GOAL,VALUE,REPEAT_FREQUENCY,ACTION_EXPIRATION_TIMESTAMP\n"
    "join,engagement,50,,\napp,engagement,20,7,\n"
)
ACTED = "USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE\nu1,join,1700000000,Taken\nu2,app,1700000001,Not taken\n"


def folder(tmp_path: Path, **files: str) -> Path:
    (tmp_path / "interactions.csv").write_text(INTERACTIONS)
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text)
    return tmp_path


def test_a_folder_with_actions_loads_them_with_their_schema_types(tmp_path: Path) -> None:
    data = load_dir(folder(tmp_path, actions=ACTIONS, action_interactions=ACTED))
    assert data.actions is not None
    assert data.actions["ACTION_ID"].tolist() == ["join", "app"]
    schema = data.schemas["Actions"]
    assert schema.field("VALUE").type == "int"
    assert schema.field("REPEAT_FREQUENCY").type == "int"
    assert data.action_interactions is not None
    assert data.action_interactions["EVENT_TYPE"].tolist() == ["TAKEN", "NOT_TAKEN"]  # canonical spelling
    local = LocalPersonalize.from_csv(tmp_path)
    assert "next-best-action" in local.campaign_arns  # default campaigns include NBA when actions exist


def test_an_unknown_action_event_type_names_row_value_rule_and_fix(tmp_path: Path) -> None:
    bad = ACTED + "u1,app,1700000002,Clicked\n"
    with pytest.raises(DataError) as raised:
        load_dir(folder(tmp_path, actions=ACTIONS, action_interactions=bad))
    message = str(raised.value)
    assert "action_interactions.csv" in message
    assert "row 3" in message
    assert "'Clicked'" in message
    assert "TAKEN, NOT_TAKEN or VIEWED" in message


def test_action_interactions_need_actions(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="needs an Actions dataset"):
        load_dir(folder(tmp_path, action_interactions=ACTED))


def test_a_repeat_frequency_below_one_day_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="REPEAT_FREQUENCY"):
        load_dir(folder(tmp_path, actions=ACTIONS.replace("app,engagement,20,7", "app,engagement,20,0")))


def test_a_value_that_is_not_an_int_is_refused_by_the_schema(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="VALUE"):
        load_dir(folder(tmp_path, actions=ACTIONS.replace("join,engagement,50", "join,engagement,lots")))
