"""Tests of the data audit: reconciliation under lower-bound semantics, coverage, gaps."""

from __future__ import annotations

import pandas as pd
import pytest
from uniontrends.findings import audit as audit_findings
from uniontrends.findings.record import read_findings, write_findings
from uniontrends.stats import audit

CATALOG = {
    "indicators": [
        {
            "id": "disputes",
            "area": "d",
            "name_en": "Disputes",
            "name_zh": "争议",
            "unit": "cases",
            "kind": "flow",
            "aggregation": "sum",
        },
        {
            "id": "rooms",
            "area": "w",
            "name_en": "Rooms",
            "name_zh": "小屋",
            "unit": "organisations",
            "kind": "stock",
            "aggregation": "last",
        },
        {
            "id": "rate",
            "area": "w",
            "name_en": "Rate",
            "name_zh": "比率",
            "unit": "share",
            "kind": "rate",
            "aggregation": "last",
            "numerator": "rooms",
            "denominator": "disputes",
        },
    ]
}


def _panel(values: dict[str, list[float]], years=range(2018, 2023)) -> pd.DataFrame:
    rows = [
        {
            "region": "r",
            "year": y,
            "indicator": ind,
            "value": v,
            "qualifier": "exact",
            "unit": "cases",
            "source": "test",
            "provenance": "synthetic",
        }
        for ind, vals in values.items()
        for y, v in zip(years, vals, strict=False)
    ]
    return pd.DataFrame(rows)


def _reported(indicator: str, value: float, qualifier: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "region": "r",
                "indicator": indicator,
                "period_start": 2018,
                "period_end": 2022,
                "value": value,
                "qualifier": qualifier,
                "unit": "cases",
                "source": "article",
                "provenance": "reported",
                "phrase_zh": "调处劳动争议1200余件",
                "note": "",
            }
        ]
    )


@pytest.mark.parametrize(
    ("annual", "reported", "qualifier", "expected"),
    [
        (1241, 1200, "at_least", True),  # sum above a lower bound
        (1200, 1200, "at_least", True),  # equal to the bound is still "at least"
        (1199, 1200, "at_least", False),
        (1199, 1200, "at_most", True),
        (1201, 1200, "at_most", False),
        (1205, 1200, "exact", True),  # 0.42 % < 0.5 % rounding tolerance
        (1210, 1200, "exact", False),  # 0.83 %
        (1300, 1200, "approx", True),  # 8.3 % < 10 %
        (1330, 1200, "approx", False),  # 10.8 %
    ],
)
def test_is_consistent_by_qualifier(annual, reported, qualifier, expected):
    assert audit.is_consistent(annual, reported, qualifier) is expected


def test_reconcile_sums_flows_and_takes_last_stock():
    panel = _panel({"disputes": [200, 220, 250, 271, 300], "rooms": [1, 2, 3, 5, 6]})
    reported = pd.concat([_reported("disputes", 1200, "at_least"), _reported("rooms", 6, "exact")])
    out = audit.reconcile(reported, panel, CATALOG).set_index("indicator")
    # hand sum: 200 + 220 + 250 + 271 + 300 = 1241 >= 1200
    assert out.loc["disputes", "annual_value"] == 1241
    assert out.loc["disputes", "difference"] == 41
    assert out.loc["disputes", "status"] == "consistent"
    assert out.loc["rooms", "annual_value"] == 6  # last year, not the sum 17
    assert out.loc["rooms", "status"] == "consistent"


def test_reconcile_flags_a_sum_below_the_lower_bound():
    panel = _panel({"disputes": [200, 200, 200, 200, 200]})
    out = audit.reconcile(_reported("disputes", 1200, "at_least"), panel, CATALOG)
    assert out.loc[0, "status"] == "inconsistent"
    assert out.loc[0, "difference"] == -200


def test_reconcile_missing_year_and_no_data():
    panel = _panel({"disputes": [200, 220, 250, 271]}, years=[2018, 2019, 2021, 2022])
    reported = pd.concat([_reported("disputes", 900, "at_least"), _reported("rooms", 6, "exact")])
    out = audit.reconcile(reported, panel, CATALOG).set_index("indicator")
    assert out.loc["disputes", "status"] == "incomplete"
    assert pd.isna(out.loc["disputes", "annual_value"])
    assert out.loc["rooms", "status"] == "no_annual_data"


def test_reconciliation_findings_roundtrip(tmp_path):
    panel = _panel({"disputes": [200, 220, 250, 271, 300]})
    table = audit.reconcile(_reported("disputes", 1200, "at_least"), panel, CATALOG)
    (f,) = audit_findings.reconciliation_findings(table, CATALOG, "00_data_audit")
    assert f.value == 1241 and f.synthetic
    assert "more than 1,200 cases" in f.statement_en and "consistent" in f.statement_en
    assert "超过1,200件" in f.statement_zh and "一致" in f.statement_zh
    assert f.provenance == ["reported", "synthetic"]
    json_path, _ = write_findings([f], tmp_path)
    assert read_findings(json_path)[0].id == "r.disputes.reconciliation"


def test_coverage_gaps_and_provenance_mix():
    panel = _panel({"disputes": [1, 2, 3], "rooms": [1, 2, 3, 4, 5]}, years=range(2018, 2023))
    cov = audit.coverage(panel, "r", 2018, 2022)
    assert list(cov.columns) == [2018, 2019, 2020, 2021, 2022]
    assert cov.loc["disputes", 2022] == "" and cov.loc["disputes", 2018] == "synthetic"
    gaps = audit.gaps(panel, CATALOG, "r", 2018, 2022).set_index("indicator")
    assert gaps.loc["disputes", "missing_years"] == "2021, 2022"
    assert "rate" not in gaps.index  # derived rates are not expected in the files
    mix = audit.provenance_mix({"annual": panel, "reported": _reported("disputes", 1, "exact")})
    assert dict(zip(mix["provenance"], mix["rows"], strict=True)) == {"synthetic": 8, "reported": 1}


def test_real_putuo_figures_reconcile(package):
    reported = package.reported
    out = audit.reconcile(reported[reported["region"] == "putuo"], package.annual, package.catalog)
    assert len(out) == len(reported[reported["region"] == "putuo"])
    assert set(out["status"]) <= {"consistent", "incomplete"}
    row = out.set_index("indicator").loc["disputes_mediated"]
    assert row["qualifier"] == "at_least" and row["annual_value"] >= 1200


def test_coverage_finding_counts_complete_indicators_by_hand():
    table = pd.DataFrame(
        {2020: ["synthetic", "synthetic", ""], 2021: ["synthetic", "", ""]},
        index=["a", "b", "c"],
    )
    finding = audit_findings.coverage_finding(table, "dinghai", 2020, 2021, "00_data_audit")
    # only "a" has both years: 1 of 3; 3 non-empty cells
    assert finding.value == pytest.approx(1 / 3)
    assert "1 of 3 stored indicators" in finding.statement_en
    assert "3 values" in finding.statement_en
    assert finding.synthetic and finding.statement_en.startswith("Illustrative (synthetic) data")


def test_coverage_finding_of_empty_table_is_zero_not_nan():
    finding = audit_findings.coverage_finding(pd.DataFrame(), "x", 2018, 2022)
    assert finding.value == 0.0 and not finding.synthetic
