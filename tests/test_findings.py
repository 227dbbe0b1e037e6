"""Findings: formatting in both languages, JSON round trip and validation, ranking, Markdown."""

import json

import pytest
from uniontrends.errors import DataError
from uniontrends.findings import record as fm
from uniontrends.numbers import number_format


def _f(stat="trend", evidence="clear", effect=0.1, synthetic=False, **kw):
    base = dict(
        id=fm.make_id("putuo", "disputes_mediated", stat), area="disputes",
        indicator="disputes_mediated", region="putuo", period_start=2018, period_end=2022,
        statistic=stat, statement_en="Text | with pipe", statement_zh="文字", value=1.5,
        unit="cases", interval_low=1.0, interval_high=None, p_value=0.0167, direction="up",
        evidence=evidence, small_sample=True, qualifier="exact", provenance=["synthetic"],
        synthetic=synthetic, effect=effect,
    )  # fmt: skip
    base.update(kw)
    return fm.Finding(**base)


def test_statements_and_the_report_format_quantities_alike():
    en, zh = number_format("en"), number_format("zh")
    assert en.quantity(1200, "cases", "at_least") == "more than 1,200 cases"
    assert zh.quantity(1200, "cases", "at_least") == "超过1,200件"
    assert zh.quantity(3460000, "yuan") == "346万元"
    assert en.quantity(35000, "person_times", "approx") == "about 35,000 person-times"
    assert en.quantity(0.853, "share") == "85.3%"
    assert zh.quantity(12.5, "per_1000_members") == "每千名会员12.5"


def test_round_trip(tmp_path):
    items = [_f(), _f("total", "descriptive", None, synthetic=True, value=float("inf"))]
    json_path, md_path = fm.write_findings(items, tmp_path)
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == fm.SCHEMA_VERSION
    back = fm.read_findings(json_path)
    assert back[0] == items[0]
    assert back[1].value is None  # inf is not JSON; written as null
    md = md_path.read_text(encoding="utf-8")
    assert "SYNTHETIC" in md and "Text \\| with pipe" in md and "[1.000, ∞]" in md
    assert doc["method_version"] == back[0].method_version == fm.METHOD_VERSION


def test_raw_and_adjusted_p_round_trip_and_schema_1_still_reads(tmp_path):
    f = _f(p_adjusted=0.04, family="putuo 2018-2022 disputes", family_size=11, n=5,
           shock_robust=True, qualifier="undetermined")  # fmt: skip
    path, _ = fm.write_findings([f], tmp_path)
    assert fm.read_findings(path) == [f]
    old = f.to_dict()
    for key in ("p_adjusted", "family", "family_size", "n", "shock_robust", "method_version"):
        old.pop(key)
    old["qualifier"] = "exact"
    path.write_text(json.dumps({"schema_version": 1, "findings": [old]}), encoding="utf-8")
    (back,) = fm.read_findings(path)
    assert back.method_version == 1 and back.p_adjusted is None  # graded by version 1


def test_read_rejects_bad_files(tmp_path):
    bad = tmp_path / "findings.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="valid_json"):
        fm.read_findings(bad)
    rec = _f().to_dict()
    rec["evidence"] = "strong"
    del rec["region"]
    bad.write_text(json.dumps({"schema_version": 1, "findings": [rec]}), encoding="utf-8")
    with pytest.raises(DataError) as info:
        fm.read_findings(bad)
    rules = {(p.rule, p.column, p.row) for p in info.value.problems}
    assert ("allowed_value", "evidence", 1) in rules and ("required_field", "region", 1) in rules
    bad.write_text(json.dumps({"schema_version": 99, "findings": []}), encoding="utf-8")
    with pytest.raises(DataError, match="schema_version"):
        fm.read_findings(bad)
    with pytest.raises(DataError, match="not found"):
        fm.read_findings(tmp_path / "missing.json")


def test_rank_by_evidence_then_effect():
    items = [
        _f("a", "inconclusive", 0.9), _f("b", "descriptive", None), _f("c", "clear", -0.05),
        _f("d", "suggestive", 0.2), _f("e", "clear", 0.3),
    ]  # fmt: skip
    assert [f.statistic for f in fm.rank_findings(items)] == ["e", "c", "d", "b", "a"]
