"""benchmarks/wire.py still runs (tiny counts); its numbers are read by people, never asserted."""

from __future__ import annotations

import pytest

from benchmarks import wire as bench


def test_wire_benchmark_prints_both_tables(capsys: pytest.CaptureFixture[str]) -> None:
    bench.main(["--calls", "5", "--requests", "10", "--seconds", "2"])
    out = capsys.readouterr().out
    assert "get_recommendations (" in out
    assert "list_filters (" in out
    assert "describe_campaign (" in out
    assert [line.split()[0] for line in out.splitlines()[-3:]] == ["1", "4", "16"]
