"""Tests of the annual report's glue: gathering findings, summary, provenance, what changed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from factories import make_finding
from uniontrends.errors import DataError
from uniontrends.findings.record import Finding, read_findings, write_findings
from uniontrends.messages import message
from uniontrends.present import report

UPSTREAM = (
    "00_data_audit",
    "01_membership_coverage",
    "02_dispute_resolution",
    "03_welfare_impact",
    "04_skills_competitions",
    "05_international_context",
)
REPORT = "90_annual_report"


def _f(
    indicator: str, evidence: str, effect: float | None, prov=("synthetic",), nb="02"
) -> Finding:
    return make_finding(
        indicator, evidence=evidence, effect=effect, provenance=list(prov),
        synthetic="synthetic" in prov, notebook=nb,
    )  # fmt: skip


def test_collect_findings_prefers_this_run_and_falls_back(tmp_path):
    run, root = tmp_path / "run", tmp_path / "outputs"
    write_findings([_f("a", "clear", 0.1)], run / "01_membership_coverage")
    write_findings([_f("b", "clear", 0.1)], root / "putuo" / "2022" / "02_dispute_resolution")
    found, sources = report.collect_findings(run, root / "putuo" / "2022", UPSTREAM)
    assert [f.indicator for f in found] == ["a", "b"]
    assert sources["00_data_audit"] is None
    table = report.sources_table(sources, run).set_index("notebook")["findings_from"]
    assert table["01_membership_coverage"] == "this run"
    assert table["02_dispute_resolution"] == "previous run"
    assert table["05_international_context"] == "missing"


def test_executive_summary_ranks_real_findings_by_evidence_one_per_indicator():
    real = ("official_annual",)
    fs = [
        _f("a", "inconclusive", 0.9, prov=real),
        _f("b", "suggestive", 0.5, prov=real),
        _f("c", "clear", 0.1, prov=real),
        _f("c", "clear", 0.3, prov=real),
        _f("d", "descriptive", None, prov=("reported",)),
        _f("e", "clear", 0.9),  # synthetic: never a headline
    ]
    top = report.executive_summary(fs, top=3)
    assert [(f.indicator, f.effect) for f in top] == [("c", 0.3), ("b", 0.5), ("d", None)]
    assert report.executive_summary([_f("e", "clear", 0.9)]) == []
    other = replace(_f("f", "clear", 0.2, prov=("reference",)), region="Japan")
    assert report.executive_summary([other], region="putuo") == []
    assert "illustrative" in message("report.only_illustrative", "en")


def test_key_indicators_rank_real_findings_and_never_synthetic_evidence():
    fs = [
        _f("a", "inconclusive", 0.9),
        _f("b", "suggestive", 0.5),
        _f("c", "clear", 0.1),
        _f("d", "descriptive", None, prov=("reported",)),
    ]
    assert report.key_indicators(fs, "disputes", n=3) == ["d", "a", "b"]
    assert report.key_indicators(fs, "disputes", n=10) == ["d", "a", "b", "c"]
    assert report.key_indicators(fs, "welfare") == []


def test_provenance_counts_and_statement():
    fs = [
        _f("a", "clear", 0.1),
        _f("b", "clear", 0.1, prov=("reported",)),
        _f("c", "clear", 0.1, prov=("reported", "synthetic")),
        _f("d", "clear", 0.1, prov=("reference",)),
    ]
    counts = dict(report.provenance_counts(fs).itertuples(index=False))
    assert counts == {"reference": 1, "reported": 2, "synthetic": 2}
    en = report.provenance_statement(fs, "en")
    assert "4 findings" in en and "2 findings rest on illustrative synthetic" in en
    assert "synthetic (illustrative, not official): 2" in en
    zh = report.provenance_statement(fs, "zh")
    assert "共4条结论" in zh and "其中2条" in zh and "公开报道（已发表文章）：2" in zh


def test_method_notes_cover_evidence_small_samples_and_lower_bounds():
    en = report.method_notes("en")
    for needle in ("clear", "Mann-Kendall", "small_sample", "lower bound", "at_least"):
        assert needle in en
    assert "下限" in report.method_notes("zh") and "小样本" in report.method_notes("zh")


def test_method_notes_keep_one_bullet_per_rule_and_drop_notes_to_programmers():
    import markdown_it

    html = markdown_it.MarkdownIt().render(report.method_notes("en"))
    assert html.count("<li>") == 6 + 4 + 6  # evidence levels, reconciliation, derivation rules
    assert "<li>clear: adjusted p &lt; 0.05 and every check holds" in html
    assert "returns this text" not in html and "``" not in html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_method_notes_of_official_data_without_published_figures(lang):
    notes = report.method_notes(lang, reported=False, synthetic=False)
    for word in ("synthetic", "合成", "1200余", "下限", "lower bound"):
        assert word not in notes
    assert ("Derived rates" in notes) if lang == "en" else ("比率" in notes)


def test_statement_and_overview_of_official_data_say_nothing_synthetic():
    fs = [_f("a", "clear", 0.1, prov=("official_annual",)), _f("b", "clear", 0.1,
          prov=("reference",))]  # fmt: skip
    for lang in ("en", "zh"):
        text = report.provenance_statement(fs, lang) + report.overview_note(fs, lang)
        assert "synthetic" not in text and "合成" not in text and "1200余" not in text
    assert "Reference series are real published data." in report.provenance_statement(fs, "en")
    assert "synthetic" not in report.evidence_overview(fs, {"disputes": "Disputes"}).columns


def test_executive_summary_is_about_the_region_only():
    real = ("official_annual",)
    fs = [
        _f("a", "clear", 0.1, prov=real),
        replace(_f("b", "clear", 0.9, prov=real), region="Korea"),
    ]
    assert [f.region for f in report.executive_summary(fs, region="putuo")] == ["putuo"]


def test_not_analysed_is_read_from_where_the_findings_are(tmp_path):
    from uniontrends.findings.skipped import NotAnalysed, write_not_analysed

    run, published = tmp_path / "run", tmp_path / "published"
    record = NotAnalysed("x", "disputes", "X", "某", "2 of 5 years", "02_dispute_resolution")
    write_findings([], published / "02_dispute_resolution")
    write_not_analysed([record], published / "02_dispute_resolution")
    assert report.collect_not_analysed("02_dispute_resolution", run, published) == [record]
    assert report.collect_not_analysed("03_welfare_impact", run, published) == []
    (published / "02_dispute_resolution" / "not_analysed.json").write_bytes(b"\xff{")
    with pytest.raises(DataError, match="not_analysed_file"):
        report.collect_not_analysed("02_dispute_resolution", run, published)


def test_method_notes_say_how_many_clear_findings_chance_alone_would_give():
    fs = [
        replace(_f(str(i), "clear" if i == 0 else "inconclusive", 0.1), p_adjusted=0.5,
                family=f"putuo 2018-2022 {'disputes' if i < 10 else 'welfare'}")
        for i in range(20)
    ]  # fmt: skip
    en = report.method_notes("en", findings=fs)
    assert "20 trend tests in 2 families" in en and "about 1.0 of them" in en
    assert "about 0.10 here" in en and 'has 1 "clear"' in en
    assert "20项趋势检验" in report.method_notes("zh", findings=fs)


def test_what_changed_without_previous_edition(tmp_path):
    text = report.what_changed_section([], tmp_path / "2021", REPORT, UPSTREAM, "en")
    assert text == "_No previous edition to compare with._"
    assert "没有" in report.what_changed_section([], tmp_path / "2021", REPORT, UPSTREAM, "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_what_changed_compares_with_the_previous_editions_report(tmp_path, lang):
    previous = tmp_path / "putuo" / "2021"
    report.write_all_findings([_f("a", "suggestive", 0.1)], previous / REPORT)
    text = report.what_changed_section([_f("a", "clear", 0.2)], previous, REPORT, UPSTREAM, lang)
    heading = {"en": "Strengthened (1)", "zh": "证据增强"}[lang]
    assert heading in text and "putuo.a.trend" in text
    assert ("suggestive → clear" if lang == "en" else "提示性 → 明确") in text


def test_what_changed_reads_per_notebook_previous_findings(tmp_path):
    previous = tmp_path / "putuo" / "2021"
    write_findings([_f("a", "clear", 0.1)], previous / "02_dispute_resolution")
    found = report.previous_findings(previous, REPORT, UPSTREAM)
    assert found is not None and [f.indicator for f in found] == ["a"]
    assert report.previous_findings(tmp_path / "none", REPORT, UPSTREAM) is None


def test_write_all_findings_validates(tmp_path):
    path = report.write_all_findings([_f("a", "clear", 0.1), _f("b", "clear", 0.2)], tmp_path)
    assert path.name == "findings_all.json"
    assert [f.indicator for f in read_findings(path)] == ["a", "b"]


def test_evidence_overview_counts_by_area_and_level():
    fs = [
        _f("a", "clear", 0.1),
        _f("b", "clear", 0.2, prov=("reported",)),
        _f("c", "inconclusive", 0.3),
        replace(_f("d", "suggestive", 0.1), area="welfare"),
        replace(_f("e", "descriptive", None), area="outreach"),  # an area not asked for
    ]
    names = {"membership": "Membership", "disputes": "Disputes", "welfare": "Welfare"}
    table = report.evidence_overview(fs, names)
    assert list(table.columns) == [
        "area", "clear", "suggestive", "descriptive", "inconclusive", "findings", "synthetic",
    ]  # fmt: skip
    rows = {r.area: r for r in table.itertuples(index=False)}
    assert list(rows) == ["Disputes", "Welfare", "total"]  # no findings, no row
    assert (rows["Disputes"].clear, rows["Disputes"].inconclusive) == (2, 1)
    assert (rows["Disputes"].findings, rows["Disputes"].synthetic) == (3, 2)
    assert (rows["Welfare"].suggestive, rows["Welfare"].findings) == (1, 1)
    assert (rows["total"].findings, rows["total"].synthetic, rows["total"].descriptive) == (5, 4, 1)
