"""The page as a reader gets it: alt text and language of the HTML, the printed footer's CSS,
statistics tables as key numbers plus collapsed groups (no script)."""

from __future__ import annotations

import base64
import re

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_notebook, new_output
from uniontrends.numbers import MISSING, missing_note
from uniontrends.present import page, tables
from uniontrends.present.export import notebook_language, notebook_to_html

_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fe0d0a2db40000000049454e44ae426082"
    )
).decode()


def _notebook(lang: str | None, alt: str | None) -> nbformat.NotebookNode:
    metadata = {"alt": alt} if alt is not None else {}
    output = new_output("display_data", data={"image/png": _PNG},
                        metadata={"image/png": metadata})  # fmt: skip
    nb = new_notebook(cells=[new_code_cell("show()", outputs=[output])])
    if lang is not None:
        nb.metadata["papermill"] = {"parameters": {"lang": lang, "region": "putuo"}}
    return nb


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_lang_and_image_alt_come_from_the_notebook(tmp_path, lang):
    alt = 'Line chart of <Putuo> "disputes", 2018–2022. 示例数据'
    html = notebook_to_html(_notebook(lang, alt), tmp_path / "n.html").read_text("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == lang
    images = soup.find_all("img")
    assert [img["alt"] for img in images] == [alt]  # the description, escaped, not nbconvert's
    assert "No description has been provided" not in html
    assert "<Putuo>" not in html  # escaped inside the attribute


def test_language_defaults_and_explicit_override(tmp_path):
    assert notebook_language(_notebook(None, None)) == "en"
    assert notebook_language(_notebook("fr", None)) == "en"  # never a language we do not write
    html = notebook_to_html(_notebook("en", "a"), tmp_path / "z.html", lang="zh")
    assert BeautifulSoup(html.read_text("utf-8"), "html.parser").html["lang"] == "zh"


def test_publication_stylesheet_is_in_every_export(tmp_path):
    html = notebook_to_html(_notebook("en", "a"), tmp_path / "s.html").read_text("utf-8")
    assert "size: A4" in html and "counter(page)" in html
    assert "break-after: avoid-page" in html
    assert "<script" not in html


@pytest.mark.parametrize(
    "hostile",
    ['"; } body { display: none } x { content: "', "</style><script>alert(1)</script>", "a\\\nb"],
)
def test_running_footer_text_stays_one_css_string(hostile):
    style = page.running_footer_style(page.footer_text(hostile, 2018, 2022, "en", True))
    inner = style.removeprefix('<style class="ut-running-footer">').removesuffix("</style>")
    assert "<" not in inner and ">" not in inner
    # exactly one string: the only quotes are its own delimiters
    assert inner.count('"') == 2
    assert inner.startswith("@page { @bottom-left { content: ")
    assert "Illustrative synthetic annual data" in inner


def test_css_string_round_trips():
    # CSS unescaping (hex escapes of six digits, one whitespace after) gives the text back
    text = "普陀区 · 2018–2022 <b>\"x\" 'y'"
    literal = page.css_string(text)[1:-1]
    back = re.sub(r"\\([0-9A-F]{6}) ", lambda m: chr(int(m.group(1), 16)), literal)
    assert back == text


def test_footer_mentions_synthetic_data_only_where_it_applies():
    real = page.footer_text("Putuo District", 2018, 2022, "en", synthetic=False)
    assert real == "Putuo District · 2018–2022 · 2022 edition"
    assert "合成" in page.footer_text("普陀区", 2018, 2022, "zh", synthetic=True)


def _statistics() -> pd.DataFrame:
    rows = []
    for indicator, start, end in (
        ("disputes_mediated", 173.0, 346.0),
        ("union_density", 0.6, 0.596),
    ):
        unit = "share" if indicator == "union_density" else "cases"
        for statistic, value, u in (
            ("level_start", start, unit), ("level_end", end, unit),
            ("rel_change", end / start - 1, "share"),
            ("cagr", (end / start) ** 0.25 - 1, "share per year"),
            ("term_over_term", float("nan"), "share"),
        ):  # fmt: skip
            nan = float("nan")
            rows.append({"indicator": indicator, "statistic": statistic, "value": value,
                         "ci_low": nan, "ci_high": nan, "p_value": nan, "unit": u,
                         "method": None, "evidence": None, "provenance": "synthetic"})  # fmt: skip
        rows.append({"indicator": indicator, "statistic": "ols_slope", "value": 35.8, "ci_low": 5.7,
                     "ci_high": 65.9, "p_value": 0.032, "unit": "cases per year", "method": "OLS",
                     "evidence": "suggestive", "provenance": "synthetic"})  # fmt: skip
    return pd.DataFrame(rows)


def test_statistics_show_key_numbers_first_and_every_statistic_collapsed_by_indicator():
    names = {"disputes_mediated": "Labour disputes <mediated>", "union_density": "Union density"}
    html = tables.statistics_html(
        _statistics(), "en", names.__getitem__, lambda df: df, (2018, 2022)
    )
    soup = BeautifulSoup(html, "html.parser")
    key = soup.find("table")
    assert key.find("caption").get_text() == "Key numbers"
    headers = [th.get_text() for th in key.find("thead").find_all("th")]
    assert headers[:5] == ["Indicator", "Level 2018", "Level 2022", "Change", "Per year (CAGR)"]
    first = [td.get_text() for td in key.find("tbody").find("tr").find_all("td")]
    assert first[:5] == ["Labour disputes <mediated>", "173", "346", "100%", "18.9%"]
    assert "suggestive" in first
    outer = soup.find("details", recursive=False) or soup.find_all("details")[0]
    groups = outer.find_all("details")
    assert [g.find("summary").contents[0].strip() for g in groups] == list(names.values())
    text = soup.get_text()
    # a missing value is a dash, explained once, never nan
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert MISSING in text and missing_note("en") in text
    assert "<mediated>" not in html  # names from data are escaped
    assert "<script" not in html


def test_display_table_keeps_short_columns_whole_and_aligns_headers_with_their_columns():
    df = pd.DataFrame({"证据强度": ["明确", "提示性"], "结论": ["很长的句子" * 12, "短"],
                       "p值": [0.001, 0.2]})  # fmt: skip
    html = tables.display_table(df, "zh").to_html()
    soup = BeautifulSoup(html, "html.parser")
    evidence = soup.find("tbody").find("tr").find_all("td")[0]
    assert "ut-nowrap" in evidence["class"]
    sentence = soup.find("tbody").find("tr").find_all("td")[1]
    assert "ut-nowrap" not in sentence["class"]
    assert re.search(r"th\.col_heading\.col0[^{]*\{\s*text-align: left", html)
    assert not re.search(r"th\.col_heading\.col2[^{]*\{\s*text-align: left", html)


def test_long_tables_show_their_first_rows_and_collapse_the_rest():
    df = pd.DataFrame({"rank": range(1, 51), "region": [f"r{i}" for i in range(50)]})
    whole = tables.display_table(df)
    head = tables.display_table(df.head(tables.HEAD_ROWS))
    soup = BeautifulSoup(tables.long_table_html(whole, head, 50, "en"), "html.parser")
    first, collapsed = soup.find_all("table", recursive=False)[0], soup.find("details")
    assert len(first.find("tbody").find_all("tr")) == tables.HEAD_ROWS
    assert collapsed.find("summary").get_text() == "All 50 rows"
    assert len(collapsed.find("tbody").find_all("tr")) == 50


@pytest.mark.notebooks
def test_no_html_of_the_suite_prints_nan(bundled_suite):
    # a missing value reads as a dash (or nothing), never as pandas' "nan"
    pages = sorted(bundled_suite.rglob("*.html"))
    assert len(pages) >= 7 * 3  # every notebook of every bundled region
    for path in pages:
        text = BeautifulSoup(path.read_text("utf-8"), "html.parser").get_text(" ")
        found = re.findall(r".{0,40}\bnan\b.{0,40}", text, flags=re.IGNORECASE)
        assert not found, f"{path.relative_to(bundled_suite)}: {found[:3]}"


def test_citation_file_is_cff_1_2_and_in_step_with_the_package():
    import tomllib

    import yaml
    from uniontrends import config

    citation = yaml.safe_load((config.PROJ_ROOT / "CITATION.cff").read_text("utf-8"))
    project = tomllib.loads((config.PROJ_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "type"):  # required (type defaults to software)
        assert citation[key]
    assert all("name" in a or "family-names" in a for a in citation["authors"])
    assert citation["version"] == project["version"]
    assert citation["license"] == project["license"]
    # the report's sources are cited with the software
    titles = " ".join(ref["title"] for ref in citation["references"])
    assert "ILOSTAT" in titles and "OECD" in titles and "普陀区总工会" in titles
