"""Read MovieLens folders (ml-100k, and ml-latest / ml-25m style) as Personalize-shaped data.

MovieLens is the data set most people try recommenders on; mapping it to Personalize's shape lets the
local Personalize train on it unchanged. Each rating becomes an interaction with EVENT_TYPE ``rating`` and
EVENT_VALUE the rating. Items get TITLE (a plain string: returned as metadata, ignored in training and not
filterable, as Personalize treats strings that are neither categorical nor textual), GENRES (categorical,
``|``-separated; the ml-100k genre "unknown" and ml-latest's "(no genres listed)" leave it empty) and YEAR
(from the title's "(1995)", else the release date). ml-100k users get AGE, GENDER and OCCUPATION.
Nothing is downloaded: point :func:`load_movielens` at a folder you already have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from personalize_lab.datasets.bounded import MAX_ROW_BYTES, check_file, decode_utf8, fail_utf8, first_line
from personalize_lab.datasets.columns import convert_column
from personalize_lab.datasets.data import LoadReport, PersonalizeData
from personalize_lab.datasets.schema import Field, Schema
from personalize_lab.errors import DataError

__all__ = ["ML100K_GENRES", "MOVIELENS_SCHEMAS", "load_movielens"]

ML100K_GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
)  # fmt: skip

MOVIELENS_SCHEMAS: dict[str, Schema] = {
    "Interactions": Schema(
        "Interactions",
        (
            Field("USER_ID", "string"),
            Field("ITEM_ID", "string"),
            Field("TIMESTAMP", "long"),
            Field("EVENT_TYPE", "string"),
            Field("EVENT_VALUE", "float"),
        ),
    ),
    "Items": Schema(
        "Items",
        (
            Field("ITEM_ID", "string"),
            Field("TITLE", "string", nullable=True),
            Field("GENRES", "string", nullable=True, categorical=True),
            Field("YEAR", "int", nullable=True),
        ),
    ),
    "Users": Schema(
        "Users",
        (
            Field("USER_ID", "string"),
            Field("AGE", "int"),
            Field("GENDER", "string", categorical=True),
            Field("OCCUPATION", "string", categorical=True),
        ),
    ),
}
_YEAR_IN_TITLE = r"\((?P<y>\d{4})\)\s*$"


def load_movielens(path: str | Path) -> PersonalizeData:
    """Load an ml-100k folder (``u.data``, ``u.item``, ``u.user``) or an ml-latest / ml-25m folder
    (``ratings.csv``, ``movies.csv``); the format is detected from the file names. A folder holding exactly
    one such folder (as unzipping creates) is accepted too.
    """
    folder = Path(path)
    if folder.is_dir() and not _kind(folder):
        subs = [p for p in folder.iterdir() if p.is_dir() and _kind(p)]
        if len(subs) == 1:
            folder = subs[0]
    kind = _kind(folder) if folder.is_dir() else None
    if kind == "100k":
        return _load_100k(folder)
    if kind == "latest":
        return _load_latest(folder)
    raise DataError(
        f"{folder} is not a MovieLens folder: expected u.data (ml-100k) or ratings.csv (ml-latest, ml-25m)",
        file=str(folder),
        fix="point load_movielens at the unzipped MovieLens folder",
    )


def _kind(folder: Path) -> str | None:
    if (folder / "u.data").exists():
        return "100k"
    if (folder / "ratings.csv").exists():
        return "latest"
    return None


def _read(path: Path, names: list[str], *, delimiter: str, header: bool, encoding: str = "utf8") -> pa.Table:
    check_file(path)
    file = str(path)

    def fail(message: str, **where: Any) -> NoReturn:
        raise DataError(message, file=file, **where)

    if header:
        raw = first_line(path)
        text = raw.decode("latin-1") if encoding == "latin-1" else decode_utf8(raw, file, what="the header")
        found = text.strip().split(delimiter)
        if found[: len(names)] != names:
            raise DataError(
                f"header is {','.join(found)}; expected {','.join(names)}",
                file=file,
                rule="MovieLens header",
            )

    def read(kind: pa.DataType) -> pa.Table:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names,
                skip_rows=1 if header else 0,
                encoding=encoding,
                block_size=MAX_ROW_BYTES,  # a row spans at most 2 blocks: memory stays bounded
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"' if header else False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, kind), strings_can_be_null=True, null_values=[""]
            ),
        )

    try:
        return read(pa.string())
    except pa.ArrowInvalid as e:
        if "UTF8" in str(e):
            fail_utf8(read(pa.binary()), fail)
        raise DataError(f"cannot parse: {e}", file=file, rule="MovieLens file format") from None
    except (pa.ArrowException, OSError) as e:
        raise DataError(f"cannot read: {e}", file=file, rule="MovieLens file format") from None


def _typed(table: pa.Table, fields: list[Field], path: Path) -> dict[str, pd.Series]:
    def fail(message: str, **where: Any) -> NoReturn:
        raise DataError(message, file=str(path), **where)

    rows = np.arange(1, table.num_rows + 1)
    return {f.name: convert_column(table.column(f.name), f, rows, fail) for f in fields}


def _interactions(table: pa.Table, path: Path) -> pd.DataFrame:
    if not table.num_rows:  # the local Personalize trains on interactions: refuse none here, by name
        raise DataError(
            f"{path.name} has no ratings; a dataset group needs at least 1 interaction",
            file=str(path),
            rule="at least 1 interaction",
        )
    fields = [Field("USER_ID", "string"), Field("ITEM_ID", "string"), Field("RATING", "float")]
    fields.append(Field("TIMESTAMP", "long"))
    cols = _typed(table, fields, path)
    return pd.DataFrame(
        {
            "USER_ID": cols["USER_ID"],
            "ITEM_ID": cols["ITEM_ID"],
            "TIMESTAMP": cols["TIMESTAMP"],
            "EVENT_TYPE": pd.Series(np.full(table.num_rows, "rating", dtype=object), dtype="str"),
            "EVENT_VALUE": cols["RATING"],
        }
    )


def _year(title: pa.ChunkedArray, fallback: pa.ChunkedArray | None = None) -> pd.Series:
    found = pc.struct_field(pc.extract_regex(title, _YEAR_IN_TITLE), [0])
    if fallback is not None:  # ml-100k release dates look like 01-Jan-1995
        found = pc.coalesce(found, pc.struct_field(pc.extract_regex(fallback, r"(?P<y>\d{4})$"), [0]))
    years = pc.cast(found, pa.int64()).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return pd.Series(years, name="YEAR")


def _load_100k(folder: Path) -> PersonalizeData:
    data_path = folder / "u.data"
    ratings = _read(data_path, ["USER_ID", "ITEM_ID", "RATING", "TIMESTAMP"], delimiter="\t", header=False)
    interactions = _interactions(ratings, data_path)
    rows_read = {str(data_path): ratings.num_rows}
    items = users = None
    item_path = folder / "u.item"
    if item_path.exists():
        genres = _genre_names(folder)
        names = [
            "ITEM_ID",
            "TITLE",
            "RELEASE",
            "VIDEO_RELEASE",
            "URL",
            *[f"G{i}" for i in range(len(genres))],
        ]
        table = _read(item_path, names, delimiter="|", header=False, encoding="latin-1")
        flags = np.column_stack([pc.equal(table.column(f"G{i}"), "1").to_numpy() for i in range(len(genres))])
        flags[:, [i for i, g in enumerate(genres) if g == "unknown"]] = False
        labels = np.array(genres, dtype=object)
        joined = ["|".join(labels[row]) or None for row in flags]
        cols = _typed(table, [Field("ITEM_ID", "string"), Field("TITLE", "string", nullable=True)], item_path)
        items = pd.DataFrame(
            {
                "ITEM_ID": cols["ITEM_ID"],
                "TITLE": cols["TITLE"],
                "GENRES": pd.Series(joined, dtype="str"),
                "YEAR": _year(table.column("TITLE"), table.column("RELEASE")),
            }
        )
        rows_read[str(item_path)] = table.num_rows
    user_path = folder / "u.user"
    if user_path.exists():
        table = _read(
            user_path, ["USER_ID", "AGE", "GENDER", "OCCUPATION", "ZIP"], delimiter="|", header=False
        )
        users = pd.DataFrame(_typed(table, list(MOVIELENS_SCHEMAS["Users"].fields), user_path))
        rows_read[str(user_path)] = table.num_rows
    return _result(interactions, items, users, rows_read)


def _genre_names(folder: Path) -> tuple[str, ...]:
    path = folder / "u.genre"
    if not path.exists():
        return ML100K_GENRES
    if check_file(path) > MAX_ROW_BYTES:
        raise DataError(f"u.genre has more than {MAX_ROW_BYTES:,} bytes; it lists 19 genres", file=str(path))
    lines = [ln.split("|")[0] for ln in path.read_text(encoding="latin-1").splitlines() if ln.strip()]
    return tuple(lines)


def _load_latest(folder: Path) -> PersonalizeData:
    data_path = folder / "ratings.csv"
    ratings = _read(data_path, ["userId", "movieId", "rating", "timestamp"], delimiter=",", header=True)
    ratings = ratings.rename_columns(["USER_ID", "ITEM_ID", "RATING", "TIMESTAMP"])
    interactions = _interactions(ratings, data_path)
    rows_read = {str(data_path): ratings.num_rows}
    items = None
    movie_path = folder / "movies.csv"
    if movie_path.exists():
        table = _read(movie_path, ["movieId", "title", "genres"], delimiter=",", header=True)
        table = table.rename_columns(["ITEM_ID", "TITLE", "GENRES"])
        genres = pc.if_else(
            pc.equal(table.column("GENRES"), "(no genres listed)"), None, table.column("GENRES")
        )
        cols = _typed(
            table, [Field("ITEM_ID", "string"), Field("TITLE", "string", nullable=True)], movie_path
        )
        items = pd.DataFrame(
            {
                "ITEM_ID": cols["ITEM_ID"],
                "TITLE": cols["TITLE"],
                "GENRES": pd.Series(genres, dtype="str"),
                "YEAR": _year(table.column("TITLE")),
            }
        )
        rows_read[str(movie_path)] = table.num_rows
    return _result(interactions, items, None, rows_read)


def _result(
    interactions: pd.DataFrame,
    items: pd.DataFrame | None,
    users: pd.DataFrame | None,
    rows_read: dict[str, int],
) -> PersonalizeData:
    schemas = {"Interactions": MOVIELENS_SCHEMAS["Interactions"]}
    if items is not None:
        schemas["Items"] = MOVIELENS_SCHEMAS["Items"]
    if users is not None:
        schemas["Users"] = MOVIELENS_SCHEMAS["Users"]
    return PersonalizeData(interactions, items, users, schemas, LoadReport(rows_read))
