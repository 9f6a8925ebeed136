"""The curated public API: ``personalize_lab.__all__`` is the contract, changed on purpose only."""

from __future__ import annotations

import personalize_lab

EXPECTED = {
    "AccessDeniedError",
    "DataError",
    "FilterError",
    "FilterRuleError",
    "FilterSyntaxError",
    "FilterValuesError",
    "InvalidInputError",
    "PersonalizeLabError",
    "PersonalizeLabWarning",
    # comparison and reports
    "compare",
    "Comparison",
    "write_report",
    # the thin client
    "Lab",
    "Promotion",
    "read_batch_output",
    "write_batch_input",
    "ReplayMissError",
    "ResourceNotFoundError",
    "ServiceError",
    "ServiceUnavailableError",
    "ThrottlingError",
    "ValidationError",
    "__version__",
    # the embedded local Personalize
    "LocalPersonalize",
    "EmulatorOptions",
    # Personalize-shaped data
    "PersonalizeData",
    "Schema",
    "ProjectConfig",
    "demo_store",
    "load_dir",
    "load_csv",
    "write_dir",
    "load_movielens",
    "infer_schema",
    # the filter-expression language
    "parse_filter",
    "FilterExpression",
    "Placeholder",
    "encode_filter_values",
    "decode_filter_values",
    "check_filter_values",
}


def test_all_is_the_curated_list() -> None:
    assert set(personalize_lab.__all__) == EXPECTED
    assert len(personalize_lab.__all__) == len(set(personalize_lab.__all__)), "duplicate names in __all__"


def test_every_public_name_resolves() -> None:
    for name in personalize_lab.__all__:
        assert getattr(personalize_lab, name) is not None, name


def test_every_error_derives_from_the_base() -> None:
    for name in personalize_lab.__all__:
        obj = getattr(personalize_lab, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, personalize_lab.PersonalizeLabError), name
