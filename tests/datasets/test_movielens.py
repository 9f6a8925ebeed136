"""MovieLens folders (generated here in the real formats, nothing downloaded) map to Personalize frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from personalize_lab.datasets import MOVIELENS_SCHEMAS, load_dir, load_movielens, write_dir
from personalize_lab.errors import DataError


def flags(*on: int) -> str:
    return "|".join("1" if i in on else "0" for i in range(19))


@pytest.fixture
def ml100k(tmp_path: Path) -> Path:
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    (folder / "u.data").write_text(
        "196\t242\t3\t881250949\n186\t302\t3.5\t891717742\n22\t377\t1\t878887116\n"
    )
    items = [
        f"242|Kolya (1996)|24-Jan-1997||http://us.imdb.com/M/title-exact?Kolya%20(1996)|{flags(5)}",
        f"302|L.A. Confidential (1997)|01-Jan-1997||http://x|{flags(6, 10, 13, 16)}",
        f"377|Café Society|01-Jan-1995||http://y|{flags(0)}",
    ]
    (folder / "u.item").write_bytes(("\n".join(items) + "\n").encode("latin-1"))
    (folder / "u.user").write_text("196|49|M|writer|55105\n186|39|F|executive|00000\n22|25|M|writer|40206\n")
    return folder


@pytest.fixture
def ml_latest(tmp_path: Path) -> Path:
    folder = tmp_path / "ml-latest-small"
    folder.mkdir()
    (folder / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n2,1,0.5,964982224\n"
    )
    (folder / "movies.csv").write_text(
        "movieId,title,genres\n"
        "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n"
        '3,"Grumpier Old Men, The (1995)",(no genres listed)\n'
        "5,Untitled,Drama\n"
    )
    return folder


def test_ml100k_maps_ratings_items_and_users(ml100k: Path) -> None:
    data = load_movielens(ml100k)
    i = data.interactions
    assert i.to_dict("list") == {
        "USER_ID": ["196", "186", "22"],
        "ITEM_ID": ["242", "302", "377"],
        "TIMESTAMP": [881250949, 891717742, 878887116],
        "EVENT_TYPE": ["rating", "rating", "rating"],
        "EVENT_VALUE": [3.0, 3.5, 1.0],
    }
    assert data.items is not None
    assert data.items["TITLE"].tolist() == ["Kolya (1996)", "L.A. Confidential (1997)", "Café Society"]
    # the "unknown" genre flag leaves GENRES empty; YEAR falls back to the release date
    assert data.items["GENRES"].fillna("<none>").tolist() == [
        "Comedy",
        "Crime|Film-Noir|Mystery|Thriller",
        "<none>",
    ]
    assert data.items["YEAR"].tolist() == [1996, 1997, 1995]
    assert data.users is not None
    assert data.users.to_dict("list") == {
        "USER_ID": ["196", "186", "22"],
        "AGE": [49, 39, 25],
        "GENDER": ["M", "F", "M"],
        "OCCUPATION": ["writer", "executive", "writer"],
    }
    assert data.categorical_values("Items", "GENRES") == [
        "Comedy",
        "Crime",
        "Film-Noir",
        "Mystery",
        "Thriller",
    ]
    assert data.schemas == MOVIELENS_SCHEMAS
    assert not data.schemas["Items"].field("TITLE").filterable  # a plain string: metadata, not a filter field


def test_ml_latest_maps_ratings_and_movies(ml_latest: Path) -> None:
    data = load_movielens(ml_latest)
    assert data.interactions["EVENT_VALUE"].tolist() == [4.0, 4.5, 0.5]
    assert data.interactions["ITEM_ID"].tolist() == ["1", "3", "1"]
    assert data.items is not None
    assert data.items["TITLE"].tolist() == ["Toy Story (1995)", "Grumpier Old Men, The (1995)", "Untitled"]
    assert data.items["GENRES"].fillna("<none>").tolist() == [
        "Adventure|Animation|Children|Comedy|Fantasy",
        "<none>",
        "Drama",
    ]
    assert data.items["YEAR"].isna().tolist() == [False, False, True]
    assert data.items["YEAR"].dtype == "Int64"
    assert data.users is None
    assert data.report.rows_read == {str(ml_latest / "ratings.csv"): 3, str(ml_latest / "movies.csv"): 3}


def test_the_folder_above_an_unzipped_folder_is_accepted(ml_latest: Path) -> None:
    assert len(load_movielens(ml_latest.parent).interactions) == 3


def test_round_trip_through_the_directory_contract(ml100k: Path, tmp_path: Path) -> None:
    data = load_movielens(ml100k)
    again = load_dir(write_dir(data, tmp_path / "out"))
    for name in ("Interactions", "Items", "Users"):
        pd.testing.assert_frame_equal(again.frame(name), data.frame(name))
    assert dict(again.schemas) == MOVIELENS_SCHEMAS


def test_not_a_movielens_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        load_movielens(tmp_path)
    assert str(err.value) == (
        f"file {tmp_path}: {tmp_path} is not a MovieLens folder: expected u.data (ml-100k) or ratings.csv "
        "(ml-latest, ml-25m). Fix: point load_movielens at the unzipped MovieLens folder"
    )


def test_bad_rating_names_file_and_row(ml_latest: Path) -> None:
    (ml_latest / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,five,1\n")
    with pytest.raises(DataError) as err:
        load_movielens(ml_latest)
    assert err.value.row == 2
    assert err.value.column == "RATING"
    assert str(err.value).startswith(f"file {ml_latest / 'ratings.csv'}, row 2, column RATING: RATING='five'")


def test_wrong_header_is_reported(ml_latest: Path) -> None:
    (ml_latest / "ratings.csv").write_text("user,movie,rating,timestamp\n1,1,4.0,964982703\n")
    with pytest.raises(DataError, match=r"header is user,movie,rating,timestamp; expected userId,movieId"):
        load_movielens(ml_latest)
