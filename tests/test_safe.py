"""The boundary for untrusted text (safe.py): every attack string of issue 14 shows as written
in Markdown (as nbconvert and a CommonMark parser render it), HTML, spreadsheets, figures and
the terminal."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from factories import make_finding
from hostile import attacks, live_markup
from markdown_it import MarkdownIt
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from rich.console import Console
from rich.table import Table
from uniontrends import config, safe
from uniontrends.data.catalog import load_catalog
from uniontrends.data.regions import Region, load_regions
from uniontrends.findings.editions import compare_editions, what_changed_markdown
from uniontrends.findings.record import findings_markdown
from uniontrends.present import plots
from uniontrends.present.tables import display_table, write_csv, write_workbook

ATTACKS = attacks(Path("/nonexistent/secret.txt"))
CASES = sorted(ATTACKS)
# How a reader sees a string: one line, control characters written out.
SHOWN = {case: safe.figure_text(text) for case, text in ATTACKS.items()}
# The Markdown renderers a reader meets: nbconvert's (HTML export) and CommonMark with GFM
# tables and strikethrough (GitHub, editors).
RENDERERS = {
    "nbconvert": markdown2html_mistune,
    "commonmark": MarkdownIt("commonmark").enable(["table", "strikethrough"]).render,
}
# Markup the library itself writes around data: paragraph, bold list item, table.
CONTEXTS = ("text {} text", "- **{}** (id): {}", "| a | b |\n|---|---|\n| {} | {} |")


def _text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text().split())


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
@pytest.mark.parametrize("case", CASES)
def test_escaped_markdown_renders_as_the_text_itself(case: str, renderer: str) -> None:
    escaped = safe.escape_markdown(ATTACKS[case])
    for context in CONTEXTS:
        html = RENDERERS[renderer](context.replace("{}", escaped))
        tags = {t.name for t in BeautifulSoup(html, "html.parser").find_all(True)}
        assert tags <= {"p", "ul", "li", "strong", "table", "thead", "tbody", "tr", "th", "td"}
        assert not live_markup(html), html
        assert " ".join(SHOWN[case].split()) in _text_of(html), html


def test_escaped_markdown_keeps_ordinary_text_readable() -> None:
    assert safe.escape_markdown("普陀区（示例）, 2018–2022 (5 years): 85%") == (
        "普陀区（示例）, 2018–2022 (5 years): 85%"
    )
    assert safe.escape_markdown("- item") == "\\- item"  # a line start opens no list
    assert safe.escape_markdown("1. first") == "1\\. first"


def test_unescaped_markdown_would_be_live() -> None:
    # The premise of the escapes: nbconvert renders raw HTML, javascript: links and autolinks.
    html = markdown2html_mistune(" ".join(ATTACKS[c] for c in ("img_onerror", "autolinks")))
    assert live_markup(html + markdown2html_mistune(ATTACKS["markdown_javascript_link"]))


@pytest.mark.parametrize("case", CASES)
def test_escaped_html_is_text(case: str) -> None:
    html = f'<p title="{safe.escape_html(ATTACKS[case])}">{safe.escape_html(ATTACKS[case])}</p>'
    soup = BeautifulSoup(html, "html.parser")
    assert [t.name for t in soup.find_all(True)] == ["p"]
    assert soup.p["title"] == safe.visible_controls(ATTACKS[case], keep="\t\n\r")


def test_control_characters_are_written_out() -> None:
    assert safe.visible_controls("a\x1b[2Jb\x07\u202ec\x00") == "a\\x1b[2Jb\\x07\\u202ec\\x00"
    assert safe.visible_controls("line\nnext\ttab", keep="\n\t") == "line\nnext\ttab"
    assert safe.terminal_text("error:\n  - \x1b]8;;x\x07") == "error:\n  - \\x1b]8;;x\\x07"
    assert safe.figure_text("two\nlines\x1b") == "two lines\\x1b"


def test_spreadsheet_cells_never_start_a_formula(tmp_path: Path) -> None:
    labels = [ATTACKS[c] for c in ("formula", "formula_plus", "formula_at", "control_characters")]
    df = pd.DataFrame({"label": [*labels, "-3 cases", "\tx"], "value": [1, -2.5, 3, 4, 5, 6]})
    df.columns = ["=label", "value"]
    rows = list(csv.reader(io.StringIO(write_csv(df, tmp_path / "t.csv").read_text("utf-8-sig"))))
    assert rows[0][0] == "'=label"
    for cell in (c for row in rows for c in row):
        assert "\x1b" not in cell and "\x07" not in cell
        if cell[:1] in safe.FORMULA_START:
            float(cell)  # only a number may start with - or +
    write_workbook({"t": df}, tmp_path / "t.xlsx")  # control characters: no IllegalCharacterError
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type in ("s", "n") for cell in cells)  # never "f", a formula
    assert sheet["A2"].value == ATTACKS["formula"] and sheet["A5"].value.startswith("\\x1b[31m")


def test_displayed_tables_show_the_text(tmp_path: Path) -> None:
    df = pd.DataFrame({ATTACKS["script"]: [ATTACKS[c] for c in CASES]})
    html = display_table(df).to_html()
    assert not live_markup(html)
    text = BeautifulSoup(html, "html.parser").get_text()
    assert ATTACKS["script"] in text and ATTACKS["img_onerror"] in text
    assert "\x1b" not in html and "\\x1b[31m" in text


def test_findings_markdown_and_what_changed_escape_names() -> None:
    statement = " ".join(ATTACKS[c] for c in ("img_onerror", "markdown_javascript_link"))
    current = [make_finding(statement_en=statement, indicator="x<b>y", id="putuo.x<b>y.t")]
    for markdown in (findings_markdown(current),
                     what_changed_markdown(compare_editions([], current), "en")):  # fmt: skip
        html = markdown2html_mistune(markdown)
        assert not live_markup(html), html
        assert ATTACKS["img_onerror"] in _text_of(html) and "x<b>y" in _text_of(html)


def test_figures_draw_hostile_names_as_written(tmp_path: Path) -> None:
    catalog = load_catalog(config.DATA_DIR)
    regions = load_regions(config.DATA_DIR)
    name = " ".join(ATTACKS[c] for c in ("mathtext", "control_characters", "script"))
    catalog = replace(catalog, indicators={
        **catalog.indicators,
        "disputes_mediated": replace(catalog["disputes_mediated"], name_en=name),
    })  # fmt: skip
    regions = replace(regions, by_id={**regions.by_id, "putuo": Region("putuo", name, name)})
    rows = pd.DataFrame({"region": "putuo", "year": [2018, 2019, 2020], "indicator":
                         "disputes_mediated", "value": [1.0, 2.0, 4.0], "provenance": "reported",
                         "source": ATTACKS["rich_markup"]})  # fmt: skip
    fig = plots.trend_figure(rows, "disputes_mediated", catalog=catalog, region_names=regions)
    fig.savefig(tmp_path / "f.svg")  # mathtext would fail here on "$\undefined{x}$"
    titles = [t.get_text() for ax in fig.axes for t in (ax.title,)]
    assert titles == [f"{safe.figure_text(name)}: {safe.figure_text(name)}"]
    assert fig.uniontrends_metadata["Title"] == titles[0]
    svg = (tmp_path / "f.svg").read_text(encoding="utf-8")
    assert "<script" not in svg and "\x1b" not in svg


def test_rich_text_is_never_markup() -> None:
    console = Console(record=True, width=200, force_terminal=True, color_system="truecolor")
    line = safe.rich_text("putuo 2022 ", ("FAILED", "bold red"), f": {ATTACKS['rich_markup']}")
    console.print(line)  # "[/red]" as markup would raise MarkupError
    table = Table("statement")
    table.add_row(safe.rich_text(ATTACKS["control_characters"]))
    console.print(table)
    shown = console.export_text()
    assert ATTACKS["rich_markup"] in shown and "FAILED" in shown
    assert "\\x1b[31mred" in shown
    raw = console.export_text(styles=True)
    assert "\x1b[31mred" not in raw  # the data's escape sequence never reaches the terminal
