"""Promises the bundled suite's findings keep (read from tests/golden/, which test_golden.py keeps
byte-identical to what the suite writes): nothing impossible, no headline from synthetic data,
one grade per finding, every test's raw and adjusted p recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from uniontrends.data.model import UNITS
from uniontrends.findings.record import read_findings
from uniontrends.stats.evidence import METHOD_VERSION

GOLDEN = Path(__file__).parent / "golden"
EDITIONS = sorted(p for p in GOLDEN.iterdir() if p.is_dir())
NON_NEGATIVE = {u for u in UNITS if u != "share"}


def _findings(edition: Path):
    return [f for path in sorted(edition.glob("*.json")) for f in read_findings(path)]


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda p: p.name)
def test_no_projection_leaves_the_possible_range(edition):
    projections = [f for f in _findings(edition) if f.statistic.startswith("projection_")]
    assert projections
    for f in projections:
        numbers = [x for x in (f.value, f.interval_low, f.interval_high) if x is not None]
        if f.unit == "share":
            assert all(0 <= x <= 1 for x in numbers), f.id
        elif f.unit in NON_NEGATIVE:
            assert all(x >= 0 for x in numbers), f.id
        assert f.interval_low is None or f.interval_low < f.interval_high, f.id  # never zero-width


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda p: p.name)
def test_tested_findings_carry_raw_and_adjusted_p_and_one_grade(edition):
    seen: dict[str, str] = {}
    for f in _findings(edition):
        assert f.method_version == METHOD_VERSION
        if f.evidence in ("clear", "suggestive", "inconclusive"):
            assert f.p_value is not None and f.p_adjusted is not None, f.id
            assert f.p_adjusted >= f.p_value and f.family and f.family_size, f.id
            assert f.evidence != "clear" or (f.p_adjusted < 0.05 and f.n >= 5), f.id
        assert seen.setdefault(f.id, f.evidence) == f.evidence, f"{f.id} graded twice"


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda p: p.name)
def test_the_executive_summary_has_no_synthetic_finding(edition):
    summary = read_findings(edition / "90_annual_report.json")
    assert not any(f.synthetic for f in summary)
    region = edition.name.split("-")[0]
    assert all(f.region == region for f in summary)
