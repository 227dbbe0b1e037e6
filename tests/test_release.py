"""The report as a statistical release: numbers per language, plain sentences per finding, the
headline, contents and downloads, and the published report's first screen."""

from __future__ import annotations

import math
import re
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from factories import make_finding
from uniontrends.numbers import MISSING, missing_note, number_format
from uniontrends.present import release
from uniontrends.present.sentences import Levels, plain_sentence, technical_note

EN, ZH = number_format("en"), number_format("zh")


# ---- one formatter per language --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "en", "zh"),
    [
        (3_460_000, "yuan", "exact", "3,460,000 yuan", "346万元"),
        (120_000, "person_times", "at_least", "more than 120,000 person-times", "超过12万人次"),
        (1_200, "cases", "at_least", "more than 1,200 cases", "超过1,200件"),
        (104_053, "persons", "exact", "104,053 persons", "10.4万人"),
        (250_000_000, "yuan", "exact", "250,000,000 yuan", "2.5亿元"),
        (1.0, "share", "approx", "about 100%", "约100%"),
        (0.5960, "share", "exact", "59.6%", "59.6%"),
        (3.3252, "per_1000_members", "exact", "3.33 per 1,000 members", "每千名会员3.33"),
        (38, "organisations", "at_most", "at most 38 organisations", "不超过38家"),
    ],
)
def test_quantities_read_as_each_language_writes_them(value, unit, qualifier, en, zh):
    assert EN.quantity(value, unit, qualifier) == en
    assert ZH.quantity(value, unit, qualifier) == zh


def test_a_bound_is_rounded_so_that_it_stays_true():
    # 123,456 is more than 12.3万 but not more than 12.35万: a lower bound rounds down
    assert ZH.quantity(123_456, "persons", "at_least") == "超过12.3万人"
    assert ZH.quantity(123_456, "persons", "at_most") == "不超过12.4万人"
    assert EN.quantity(0.9996, "share", "at_least") == "more than 99.9%"
    shown = EN.quantity(59.96, "per_1000_members", "at_most", decimals=1)
    assert shown == "at most 60 per 1,000 members"


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, "n/a"])
def test_a_missing_value_is_a_dash_with_a_footnote_never_nan(missing):
    for fmt in (EN, ZH):
        assert fmt.quantity(missing, "cases") == MISSING
        assert fmt.change(missing, "cases") == MISSING
        assert fmt.percent(missing) == MISSING
    assert missing_note("en").startswith(MISSING) and "no value" in missing_note("en")
    assert "没有数值" in missing_note("zh")


def test_the_impossible_is_refused_not_printed():
    with pytest.raises(ValueError, match="share"):
        EN.quantity(1.174, "share")
    with pytest.raises(ValueError, match="negative"):
        ZH.quantity(-3, "cases")
    # a change may be negative, and a share's change reads in percentage points
    assert EN.change(-28_035, "persons") == "−28,035 persons"
    assert ZH.change(-28_035, "persons") == "−2.8万人"
    assert EN.change(-0.004, "share") == "−0.4 percentage points"
    assert ZH.change_percent(0.2283) == "+22.8%"


def test_a_value_bounded_in_neither_direction_reads_as_not_determined():
    assert "not determined" in EN.quantity(5, "cases", "undetermined")
    assert "无法确定" in ZH.quantity(5, "cases", "undetermined")


def test_axis_ticks_share_one_unit_and_as_few_decimals_as_they_need():
    assert ZH.ticks([0, 250_000, 500_000, 1_000_000], "yuan") == ["0", "25万", "50万", "100万"]
    assert ZH.ticks([0, 5_000, 10_000, 15_000], "cases") == ["0", "0.5万", "1万", "1.5万"]
    assert ZH.ticks([0, 2.5e7, 5e7], "yuan") == ["0", "2500万", "5000万"]  # no separator in 万
    assert ZH.ticks([0, 1e8, 2e8], "yuan") == ["0", "1亿", "2亿"]
    assert ZH.ticks([0, 2_000, 4_000], "cases") == ["0", "2,000", "4,000"]
    # a tick the axis does not show (beyond its top) does not turn 7,500 into 0.75万
    assert ZH.ticks([0, 5_000, 10_000], "persons", top=8_100) == ["0", "5,000", "1万"]
    assert EN.ticks([0, 500_000, 1_000_000], "persons") == ["0", "500,000", "1,000,000"]
    assert EN.ticks([0, 0.25, 0.5, 1.0], "share") == ["0%", "25%", "50%", "100%"]
    assert EN.ticks([0, 0.5, 1.0, 1.5], "per_1000_members") == ["0", "0.5", "1", "1.5"]


def test_an_interval_is_written_in_one_magnitude_with_true_minus_signs():
    assert ZH.span(-84_181, 3_154) == ("−8.42万", "0.32万")  # never "−8.42万" beside "3,154"
    assert EN.span(-84_181, 3_154) == ("−84,181", "3,154")
    assert ZH.span(0.14, 0.74, 2) == ("0.14", "0.74")
    assert EN.value(-8_859) == "−8,859" and ZH.value(128_859) == "12.9万"
    assert ZH.value(3_460_123, large=False) == "3,460,123"  # every digit where they are checked
    assert EN.signed(0.06, 2) == "+0.06" and EN.signed(-0.004, 2) == "0"  # never "−0"
    assert EN.percentage(-0.212) == "−21.2%" and EN.percentage(1.2) == "120%"


def test_a_derived_bound_reads_at_least_and_p_values_keep_their_digits():
    assert EN.bounded(EN.change(173, "cases"), "at_least") == "at least +173 cases"
    assert ZH.bounded("+173件", "at_least") == "至少+173件"
    assert ZH.bounded("+173件", "undetermined") == "无法确定"
    assert EN.p_value(0.03) == "p = 0.030" and ZH.p_value(0.0004) == "p < 0.001"
    assert ZH.change(2.02, "per_1000_members", 2) == "每千名会员+2.02"
    assert number_format("zh-CN") is ZH  # one formatter per language, built once


def test_a_tables_unit_cell_reads_in_the_language():
    from uniontrends.numbers import unit_text

    assert unit_text("cases per year", "zh") == "件/年" and unit_text("share", "zh") == "比例"
    assert unit_text("person_times per year", "en") == "person-times per year"
    assert unit_text("ratio per year", "zh") == "比率/年" and unit_text("years", "zh") == "年"
    assert unit_text("", "zh") == ""


def test_numbers_beyond_the_default_decimal_precision_and_infinite_ends_are_written():
    # a model's interval end can have 29 digits, one more than decimal's default context holds
    assert EN.number(3.0562418837324937e28) == "30,562,418,837,324,937,000,000,000,000"
    assert ZH.quantity(1.5e28, "cases").endswith("亿件")
    assert EN.number(1e300).startswith("1,000,000,")
    assert EN.number(float("inf")) == EN.number(float("nan")) == MISSING


# ---- plain sentences --------------------------------------------------------------------------

JARGON = re.compile(
    r"GLM|OLS|Mann|Kendall|Theil|Pearson|Wilson|\bETS\b|CAGR|\bCI\b|p\s*[=<]|chi2|regression|"
    r"回归|置信|检验p|率比|\bratio\b",
    re.IGNORECASE,
)
LEVELS = Levels(2018, 132_088, 2022, 104_053)
KINDS = [
    dict(statistic="trend", direction="down", evidence="clear", effect=-0.06,
         unit="persons_per_year"),
    dict(statistic="trend", direction="up", evidence="suggestive", effect=0.14),
    dict(statistic="trend", direction="up", evidence="inconclusive", effect=0.01),
    dict(statistic="count_trend", direction="up", evidence="clear", effect=0.228,
         unit="rate_ratio_per_year", value=1.228),
    dict(statistic="level_change", evidence="descriptive", value=-28_035, unit="persons"),
    dict(statistic="total", evidence="descriptive", value=1_241, unit="cases"),
    dict(statistic="per_1000_members", evidence="descriptive", value=3.33, unit="per_1000_members"),
    dict(statistic="share_end", evidence="descriptive", value=0.596, unit="share"),
    dict(statistic="projection_2027", evidence="descriptive", value=62_267.1, unit="persons"),
    dict(statistic="term_over_term", evidence="descriptive", value=0.075, unit="share"),
    dict(statistic="reported_total", evidence="descriptive", value=1_200, unit="cases",
         qualifier="at_least", provenance=["reported"], synthetic=False),
    dict(statistic="reported_level", evidence="descriptive", value=11, unit="organisations",
         provenance=["reported"], synthetic=False),
    dict(statistic="reconciliation", evidence="descriptive", value=124_001, unit="person_times"),
    dict(statistic="coverage", evidence="descriptive", value=0.975, unit="share"),
]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: f"{k['statistic']}-{k['evidence']}")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_kind_of_finding_reads_as_a_plain_sentence_without_jargon(kind, lang):
    f = make_finding("union_members", **kind)
    f.statement_en = "negative-binomial GLM, rate ratio 1.228, p < 0.001; Mann-Kendall S = 10"
    name = "Union members" if lang == "en" else "工会会员"
    text = plain_sentence(f, lang, name, LEVELS)
    assert (name in text or f.statistic == "coverage") and not JARGON.search(text), text
    if f.statistic.startswith("projection_"):
        assert "2027" in text  # the projected year, whatever the finding's period
    assert "nan" not in text.lower()
    labelled = text.startswith("Illustrative (synthetic) data") or text.startswith("示例（合成）")
    assert labelled == f.synthetic
    assert technical_note(f, "en") == f.statement_en  # the jargon stays in the note


def test_plain_sentences_say_the_direction_and_the_grade():
    down = make_finding("union_members", direction="down", evidence="clear", effect=-0.06)
    assert "fell over 2018–2022, by about 6%" in plain_sentence(down, "en", "Union members")
    assert "明显下降" in plain_sentence(down, "zh", "工会会员")
    maybe = make_finding(direction="up", evidence="suggestive", effect=0.1)
    assert "probably rose" in plain_sentence(maybe, "en", "Disputes")
    assert "可能" in plain_sentence(maybe, "zh", "争议")
    bound = make_finding(statistic="reported_total", value=1_200.0, qualifier="at_least",
                         synthetic=False, provenance=["reported"])  # fmt: skip
    assert plain_sentence(bound, "en", "Disputes") == (
        "Disputes: more than 1,200 cases in total over 2018–2022, as published."
    )
    change = make_finding("union_members", statistic="level_change", value=-28_035.0,
                          unit="persons", evidence="descriptive")  # fmt: skip
    assert "104,053 persons in 2022, −28,035 persons (−21.2%) since 2018" in plain_sentence(
        change, "en", "Union members", LEVELS
    )


def test_a_finding_through_bounds_or_outside_the_possible_range_is_not_given_a_number():
    through = make_finding(statistic="level_change", qualifier="undetermined", value=3.0)
    assert "cannot be told" in plain_sentence(through, "en", "Disputes")
    beyond = make_finding(statistic="projection_2027", unit="share", value=1.174,
                          evidence="descriptive")  # fmt: skip
    text = plain_sentence(beyond, "en", "Coverage")
    assert "117" not in text and "outside the possible range" in text


# ---- the release: headline, contents, downloads -----------------------------------------------


def _published(indicator, area, value, unit, qualifier="exact"):
    return make_finding(indicator, area=area, statistic="reported_total", value=value, unit=unit,
                        qualifier=qualifier, synthetic=False, provenance=["reported"],
                        evidence="descriptive", id=f"putuo.{indicator}.reported_total")  # fmt: skip


def test_headline_figures_are_real_rows_by_relevance_and_size_never_by_p_value():
    findings = [
        make_finding("disputes_mediated", area="disputes", p_value=1e-9, value=999.0),
        _published("legal_aid", "disputes", 300.0, "cases"),
        _published("disputes_mediated", "disputes", 1_200.0, "cases", "at_least"),
        _published("legal_education_events", "disputes", 35.0, "events"),
        _published("new_form_members", "membership", 17_000.0, "persons"),
        _published("assistance_funds", "welfare", 3_460_000.0, "yuan"),
        _published("stations", "welfare", 6.0, "organisations"),
        _published("other_region", "welfare", 9e9, "yuan"),
    ]
    findings[-1].region = "dinghai"
    keys = {"disputes": "disputes_mediated", "welfare": "assistance_funds"}
    picked = release.headline_figures(findings, "putuo", ["membership", "disputes", "welfare"],
                                      keys)  # fmt: skip
    assert all(not f.synthetic and f.region == "putuo" for f in picked)
    assert [f.indicator for f in picked] == [
        "new_form_members", "disputes_mediated", "assistance_funds",  # one per area first
        "legal_aid", "stations", "legal_education_events",  # then people/cases before events
    ][: len(picked)]  # fmt: skip
    assert release.HEADLINE_MIN <= len(picked) <= release.HEADLINE_MAX


def test_only_illustrative_data_give_no_headline_figure_and_say_so():
    total = make_finding("legal_aid", statistic="total", evidence="descriptive")
    findings = [make_finding(), total]
    assert release.headline_figures(findings, "putuo", ["disputes"], {}) == []
    for lang, words in (("en", "Only illustrative"), ("zh", "只有示例")):
        assert words in release.headline_html([], lang, {}, {}, {})
        points = release.key_points([], lang, {}, {}, {}, synthetic=True)
        assert 1 <= len(points) <= release.KEY_POINTS_MAX and words in points[0]


def test_headline_html_escapes_names_and_cites_the_source():
    picked = [_published("disputes_mediated", "disputes", 1_200.0, "cases", "at_least")]
    html = release.headline_html(
        picked, "en", {"disputes_mediated": "<b>Disputes</b>"}, {"disputes": "Disputes"}, {},
        ["<script>x</script> Daily"],
    )  # fmt: skip
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("b") is None and soup.find("script") is None
    assert "more than 1,200 cases" in soup.get_text() and "Source: <script>x</script> Daily" in (
        soup.get_text()
    )


def test_contents_link_to_the_ids_nbconvert_gives_headings():
    import markdown_it
    from nbconvert.filters.strings import add_anchor

    titles = ["Headline figures", "组织覆盖", "Data and methods"]
    links = BeautifulSoup(markdown_it.MarkdownIt().render(release.contents_markdown(titles, "en")),
                          "html.parser").find_all("a")  # fmt: skip
    for title, link in zip(titles, links, strict=True):
        heading = BeautifulSoup(add_anchor(f"<h2>{title}</h2>"), "html.parser").find("h2")
        assert link["href"] == "#" + heading["id"]


def test_the_page_title_is_the_title_blocks_heading_as_plain_text():
    block = release.title_block("A*B <i>", 2018, 2022, "", None, "en", False, False)
    assert release.page_title(block) == "A*B <i>: trade unions, 2018–2022"
    assert release.page_title("# 02 Dispute resolution") is None  # not a title block


def test_download_links_are_the_files_of_the_edition(tmp_path):
    (tmp_path / "02_dispute_resolution" / "tables").mkdir(parents=True)
    for name in ("tables.xlsx", "findings.json", "tables/statistics.csv"):
        (tmp_path / "02_dispute_resolution" / name).write_text("x")
    (tmp_path / "03_welfare_impact").mkdir()  # a folder without files is not listed
    files = release.downloads(tmp_path, [("02_dispute_resolution", "Disputes"),
                                         ("03_welfare_impact", "Welfare")])  # fmt: skip
    assert [d.notebook for d in files] == ["02_dispute_resolution"]
    hrefs = [a["href"] for a in BeautifulSoup(release.downloads_html(files, "zh"),
                                              "html.parser").find_all("a")]  # fmt: skip
    assert hrefs and all((tmp_path / unquote(h)).is_file() for h in hrefs)


# ---- the published report ---------------------------------------------------------------------


def _first_screen(html: str) -> tuple[BeautifulSoup, str]:
    """The page, and its text up to the table of contents (what a reader sees first)."""
    soup = BeautifulSoup(html, "html.parser")
    text = soup.body.get_text(" ")
    return soup, text[: text.index("Contents")]


@pytest.mark.notebooks
def test_the_report_opens_with_what_happened_to_membership_disputes_and_welfare(bundled_suite):
    page = next(iter(sorted(bundled_suite.glob("putuo/2022/en/90_annual_report.html"))))
    soup, first = _first_screen(page.read_text("utf-8"))
    assert first.lstrip().startswith("Putuo District: trade unions, 2018–2022")
    assert soup.title.get_text() == "Putuo District: trade unions, 2018–2022"
    assert "revision 1" in first and "Edition of" in first
    for area in ("Membership coverage", "Dispute resolution", "Welfare impact"):
        assert area.upper() in first.upper(), area
    assert "more than 1,200 cases" in first  # the article's lower bound, never as exact
    assert "notebook" not in first.lower() and "findings from" not in first.lower()
    cards = soup.select(".ut-headline-item")
    assert release.HEADLINE_MIN <= len(cards) <= release.HEADLINE_MAX
    assert not any("synthetic" in c.get_text().lower() for c in cards)
    ids = {tag.get("id") for tag in soup.find_all(id=True)}
    contents = [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("#")]
    toc = [h for h in contents if unquote(h[1:]) in {unquote(i) for i in ids}]
    assert len(toc) >= 8 and len(toc) == len(contents)
    downloads = [a["href"] for a in soup.find_all("a", href=True)
                 if not a["href"].startswith(("#", "http"))]  # fmt: skip
    assert any(h.endswith("tables.xlsx") for h in downloads)
    assert any(h.endswith("findings_all.json") for h in downloads)
    for href in downloads:
        assert (page.parent / unquote(href)).is_file(), href
    assert soup.select("details.ut-findings li p.ut-plain")  # every finding, collapsed


@pytest.mark.notebooks
def test_an_illustrative_region_says_so_in_its_headline(bundled_suite):
    page = next(iter(sorted(bundled_suite.glob("dinghai/2022/en/90_annual_report.html"))))
    soup, first = _first_screen(page.read_text("utf-8"))
    assert "Only illustrative (synthetic) data exist" in first
    assert not soup.select(".ut-headline-item")
