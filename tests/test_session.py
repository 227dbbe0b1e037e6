"""Tests of the notebook session: parameters, data, localisation, statistics, findings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from uniontrends import config
from uniontrends.errors import ParameterError
from uniontrends.findings.record import read_findings
from uniontrends.notebook import session
from uniontrends.notebook.params import check_parameters
from uniontrends.notebook.registry import load_registry


class _Outputs:
    """Records what a notebook would write (stands in for export.NotebookOutputs)."""

    def __init__(self) -> None:
        self.tables: dict[str, pd.DataFrame] = {}
        self.workbook_written = False

    def table(self, df: pd.DataFrame, name: str) -> Path:
        self.tables[name] = df
        return Path(f"{name}.csv")

    def workbook(self) -> Path | None:
        self.workbook_written = True
        return None


def _session(
    package, tmp_path: Path, lang: str = "en", region: str = "putuo", year: int = 2022
) -> session.Session:
    return session.Session(
        notebook="02_dispute_resolution",
        params=check_parameters(package, region, year, 5, lang),
        package=package,
        run_dir=tmp_path,
        editions_dir=tmp_path.parent,
        registry=load_registry(config.NOTEBOOKS_DIR),
        outputs=_Outputs(),
        lang=lang,
    )


def test_default_output_dir_is_the_lab_folder_of_the_package_and_language():
    path = session.default_output_dir("putuo", "dinghai", 2022, "zh")
    assert path.parts[-5:] == ("_lab", "putuo", "dinghai", "2022", "zh")
    with pytest.raises(ParameterError, match="package"):
        session.default_output_dir("../elsewhere", "dinghai", 2022, "zh")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lang": "fr"}, "lang"),
        ({"region": "../x"}, "region"),
        ({"window": 2}, "window"),
    ],
)
def test_start_rejects_bad_parameters(kwargs, message, tmp_path):
    args = {"region": "putuo", "year": 2022, "window": 5, "lang": "en"} | kwargs
    with pytest.raises(ParameterError, match=message):
        session.start("00_data_audit", output_dir=tmp_path, theme=False, **args)


def test_region_panel_is_the_window(package, tmp_path):
    s = _session(package, tmp_path, region="dinghai")
    assert set(s.region_panel["year"]) == {2018, 2019, 2020, 2021, 2022}
    assert set(s.region_panel["region"]) == {"dinghai"}
    assert s.is_synthetic
    assert s.notebook_dir == tmp_path / "02_dispute_resolution"


def test_reported_in_area_keeps_lower_bounds(package, tmp_path):
    s = _session(package, tmp_path)
    r = s.reported_in("disputes").set_index("indicator")
    assert r.loc["disputes_mediated", "value"] == 1200
    assert r.loc["disputes_mediated", "qualifier"] == "at_least"
    assert r.loc["disputes_mediated", "period"] == "2018–2022"
    assert "1200余件" in r.loc["disputes_mediated", "phrase_zh"]
    assert set(r.index) <= {i.id for i in s.catalog.in_area("disputes")}


def test_reported_in_all_areas_follows_the_catalog_and_names_stock_years(package, tmp_path):
    s = _session(package, tmp_path)
    r = s.reported_in()
    assert len(r) == 35
    areas = [s.catalog[i].area for i in r["indicator"]]
    order = list(s.catalog.areas)
    assert areas == sorted(areas, key=order.index)  # membership first, outreach last
    stock = r.set_index("indicator").loc["new_form_unions"]
    assert (stock["period"], stock["value"]) == ("2022", 38)


def test_localize_translates_headers_names_and_words(package, tmp_path):
    df = pd.DataFrame(
        {"indicator": ["disputes_mediated"], "provenance": ["synthetic"], "qualifier": ["at_least"]}
    )
    zh = _session(package, tmp_path, "zh").localize(df)
    assert list(zh.columns) == ["指标", "数据来源类型", "限定"]
    assert zh.iloc[0].tolist() == ["劳动争议调处", "合成（示例）", "不少于（下限）"]
    en = _session(package, tmp_path, "en").localize(df)
    assert en.iloc[0, 0] == "Labour disputes mediated" and "provenance" in en.columns


def test_statistics_carry_provenance_and_findings_the_bound(package, tmp_path):
    s = _session(package, tmp_path)
    area = s.area_summary("disputes")
    stats = s.statistics(area)
    assert (stats["provenance"] == "synthetic").all()
    reported = [f for f in area.findings if f.id == "putuo.disputes_mediated.reported_total"]
    assert reported and reported[0].value == 1200 and reported[0].qualifier == "at_least"
    assert all(f.notebook == "02_dispute_resolution" for f in area.findings)


def test_reconciliation_and_audit_findings(package, tmp_path):
    s = _session(package, tmp_path)
    table = s.audit.reconciliation()
    assert (table["status"] == "consistent").sum() >= 30
    findings = s.audit.findings(table)
    stats = {f.statistic for f in findings}
    assert {"reported_total", "reconciliation"} <= stats
    cov = s.audit.coverage()
    assert "union_density" not in cov.index and "disputes_mediated" in cov.index


def test_compare_ranks_regions_with_provenance(package, tmp_path):
    table = _session(package, tmp_path).compare("disputes_mediated")
    assert set(table["region"]) == {"putuo", "dinghai", "daishan"}
    assert sorted(table["rank"].dropna().astype(int)) == [1, 2, 3]
    assert (table["provenance"] == "synthetic").all()


def test_findings_table_is_ranked_and_localised(package, tmp_path):
    s = _session(package, tmp_path, "zh")
    area = s.area_summary("disputes")
    table = s.findings_table(area.findings, top=5)
    assert len(table) == 5
    order = {"clear": 0, "suggestive": 1, "descriptive": 2, "inconclusive": 3}
    ranks = [order[e] for e in table["evidence"]]
    assert ranks == sorted(ranks)
    assert table["statement"].str.contains("示例（合成）数据").any()


def test_reference_summary_names_the_country(package, tmp_path):
    s = _session(package, tmp_path)
    china = s.reference.summary("ilostat", "union_density", "chn")
    assert china.period_end == 2017 and china.period_start == 2013
    assert all(not f.synthetic and f.provenance == ["reference"] for f in china.findings)
    assert any("China" in f.statement_en for f in china.findings)
    ranking = s.reference.ranking()
    # the package's country and chosen peers only (China is not in the OECD series)
    assert (ranking["provenance"] == "reference").all()
    assert set(ranking["region"]) == {"Japan", "Korea", "United States"}
    assert s.reference.countries() == ["chn", "jpn", "kor", "usa"]
    own = s.reference.own_summary()
    assert own is not None and own.region == "China"
    assert [x.region for x in s.reference.peer_summaries()] == ["Japan"] * 3 + ["Korea"] * 3 + [
        "United States"
    ] * 3


def test_finish_writes_valid_findings(package, tmp_path):
    s = _session(package, tmp_path)
    area = s.area_summary("disputes")
    assert s.finish(area.findings) is None  # a notebook's last cell must show no path
    json_path, md_path = s.written[-2:]
    assert json_path == tmp_path / "02_dispute_resolution" / "findings.json"
    back = read_findings(json_path)
    assert len(back) == len(area.findings)
    assert "SYNTHETIC" in md_path.read_text(encoding="utf-8")


def _own_package(tmp_path: Path):
    """A package of its own: two regions, membership only, one indicator with a gap."""
    from uniontrends.data.package import open_package
    from uniontrends.data.starter import write_starter_package

    root = tmp_path / "own"
    write_starter_package(root, region="north", name_en="North", country="nld", peers=["deu"],
                          reference_from=config.DATA_DIR / "reference")  # fmt: skip
    rows = ["region,year,indicator,value,qualifier,unit,source,provenance"]
    for region, base in (("north", 1000), ("south", 3000)):
        for year in range(2014, 2019):
            rows.append(f"{region},{year},union_members,{base + 10 * year % 7},exact,persons,r,"
                        "official_annual")  # fmt: skip
            # employees: three years missing, too few left for a trend (a single gap is fine)
            if not (region == "north" and year in (2015, 2016, 2017)):
                rows.append(f"{region},{year},employees,{base * 3 + year},exact,persons,r,"
                            "official_annual")  # fmt: skip
    (root / "annual" / "north.csv").write_text("\n".join(r for r in rows if not r.startswith(
        "south")) + "\n", "utf-8")  # fmt: skip
    (root / "annual" / "south.csv").write_text("\n".join([rows[0], *(r for r in rows if
        r.startswith("south"))]) + "\n", "utf-8")  # fmt: skip
    return open_package(root)


def test_an_area_without_indicators_says_so_and_the_rest_follows_the_data(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell

    package = _own_package(tmp_path)
    shown: list[str] = []
    s = _session(package, tmp_path / "out", region="north", year=2018)
    s.md = shown.append  # what a notebook would display
    s.intro("disputes")
    assert "This package selects no indicator of Dispute resolution" in shown[-1]
    assert "synthetic" not in " ".join(shown)
    empty = s.area_summary("disputes")
    assert not empty.summaries and not empty.skipped and not s.has_reported("disputes")
    assert s.key_indicator(empty, default="disputes_mediated") is None
    membership = s.area_summary("membership")
    assert set(membership.summaries) == {"union_members"}
    assert set(membership.skipped) == {"employees", "union_density"}  # 2 of 5 years left
    assert s.key_indicator(membership, default="union_density") == "union_members"
    with pytest.raises(ParameterError, match="did you mean .union_members."):
        s.key_indicator(membership, chosen="union_member")
    with pytest.raises(ParameterError, match="is not analysed for this region"):
        s.key_indicator(membership, chosen="employees")
    assert s.compared_regions("union_members") == ["north", "south"]
    assert s.regions_note("union_members") == (
        "Ranked by trend growth (with the range of ranks its interval allows): North, south."
    )
    assert s.compare("union_members")["provenance"].tolist() == ["official_annual"] * 2
    assert s.area_figure("disputes") is None
    InteractiveShell.instance()  # display() needs a shell
    s.finish(membership.findings, show=False)
    records = {r.indicator for r in s.not_analysed_records}
    assert records == {"employees", "union_density"}
    assert (tmp_path / "out" / "02_dispute_resolution" / "not_analysed.json").is_file()


def test_reference_series_of_the_packages_country_and_peers(tmp_path):
    package = _own_package(tmp_path)
    s = _session(package, tmp_path / "out", region="north", year=2018)
    assert s.reference.countries() == ["nld", "deu"]
    assert s.reference.own_summary().region == "Netherlands"
    assert {x.region for x in s.reference.peer_summaries()} == {"Germany"}
    assert set(s.reference.ranking()["region"]) == {"Netherlands", "Germany"}
    assert "Netherlands: the package's country" in s.reference.describe()


def test_area_statistics_are_computed_once_for_both_languages(package, tmp_path, monkeypatch):
    calls = []
    real = session.summarize_area
    monkeypatch.setattr(session, "summarize_area", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setattr(session, "_AREA_SUMMARIES", {})
    en = _session(package, tmp_path, "en").area_summary("disputes")
    zh = _session(package, tmp_path, "zh").area_summary("disputes")
    assert len(calls) == 1
    assert [f.to_dict() for f in en.findings] == [f.to_dict() for f in zh.findings]
    en.findings[0].statement_en = "changed by the English notebook"
    assert zh.findings[0].statement_en != en.findings[0].statement_en  # each gets its own copy
    _session(package, tmp_path, "en", region="dinghai").area_summary("disputes")
    assert len(calls) == 2  # another region: computed


def test_a_notebook_says_where_its_outputs_went(package, tmp_path):
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.instance()  # display() needs a shell
    shown: list[str] = []
    s = _session(package, tmp_path / "lab")
    s.md = shown.append
    s.finish([], show=False)
    assert shown[-1].startswith("Outputs of this notebook") and "02" in shown[-1]
    attempt = tmp_path / "out" / "putuo" / "2022" / ".en.attempt-1"
    s = _session(package, attempt)
    s.editions_dir = tmp_path / "out" / "putuo"
    assert s.outputs_home == str(tmp_path / "out" / "putuo" / "2022" / "en" / s.notebook)


@pytest.mark.parametrize(
    ("lang", "bound", "share", "money"),
    [("en", "more than 1,200 cases", "about 100%", "3,460,000 yuan"),
     ("zh", "超过1,200件", "约100%", "346万元")],
)  # fmt: skip
def test_published_figures_read_as_published(package, tmp_path, lang, bound, share, money):
    """Shown, a published figure is one phrase with its bound and unit (never "1 share
    approx" or "1,200 at_least"); the saved table keeps value, unit and qualifier apart."""
    s = _session(package, tmp_path, lang=lang)
    shown = s._figures_for_reading(s.reported_in()).set_index("indicator")
    assert shown.loc["disputes_mediated", "figure"] == bound
    assert shown.loc["coverage_enterprises_100plus", "figure"] == share
    assert shown.loc["assistance_funds", "figure"] == money
    assert {"unit", "qualifier"}.isdisjoint(shown.columns)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_unit_names_are_unique_per_language(lang):
    """The published figures' display reads a unit back from its shown name."""
    from uniontrends.data.model import UNITS
    from uniontrends.numbers import unit_name

    names = [unit_name(key, lang) for key in UNITS]
    assert len(names) == len(set(names))
