"""The whole suite on a hostile data package (tests/hostile.py), run once: every string stays
inert in HTML, Markdown, PDF, spreadsheets, figures and the terminal, and the run succeeds.

Names and sources carry HTML, Markdown links and images, javascript: URLs, file: frames,
remote images, rich markup, formula prefixes and control characters (issue 14).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import openpyxl
import pytest
from bs4 import BeautifulSoup
from hostile import content_security_policy, live_markup
from markdown_it import MarkdownIt
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbformat.v4 import new_code_cell, new_notebook
from typer.testing import CliRunner
from uniontrends import config, safe
from uniontrends.cli import app
from uniontrends.present.pdf import CHROMIUM_FLAGS, find_chromium

pytestmark = pytest.mark.notebooks

_COMMONMARK = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _files(run, pattern: str) -> list[Path]:
    found = sorted(run.edition.rglob(pattern))
    assert found, f"the hostile run wrote no {pattern} under {run.edition}"
    return found


def test_the_run_succeeds(hostile_suite) -> None:
    run = hostile_suite
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert "0 failed" in run.stdout
    assert "\x1b" not in run.stdout + run.stderr  # no escape sequence from data


def test_no_html_has_live_markup(hostile_suite) -> None:
    pages = _files(hostile_suite, "*.html")
    assert len(pages) == 7
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert content_security_policy(html) == safe.CONTENT_SECURITY_POLICY, page.name
        assert not live_markup(html), f"{page.name}: {live_markup(html)}"
        assert "\x1b" not in html and "\u202e" not in html, page.name
    report = BeautifulSoup(pages[-1].read_text(encoding="utf-8"), "html.parser").get_text()
    attacks = hostile_suite.package.attacks
    for case in ("iframe_file", "img_onerror", "markdown_javascript_link", "rich_markup"):
        assert attacks[case] in report, f"{case} is not shown as written in the report"


def test_what_changed_lists_hostile_statements_as_text(hostile_suite) -> None:
    page = hostile_suite.edition / "90_annual_report.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    text = soup.get_text()
    section = text[text.index("What changed since the last edition") :]
    assert "No longer found (1)" in section, "the previous edition was not compared"
    gone = hostile_suite.package.strings(("img_onerror", "rich_markup", "markdown_javascript_link"))
    assert gone in " ".join(section.split())


def test_findings_markdown_stays_text(hostile_suite) -> None:
    for path in _files(hostile_suite, "findings.md"):
        markdown = path.read_text(encoding="utf-8")
        for render in (markdown2html_mistune, _COMMONMARK.render):
            html = render(markdown)
            assert not live_markup(html), f"{path}: {live_markup(html)}"
        assert "\x1b" not in markdown


def test_no_spreadsheet_cell_starts_a_formula(hostile_suite) -> None:
    cells = 0
    for path in _files(hostile_suite, "*.csv"):
        for row in csv.reader(path.read_text(encoding="utf-8-sig").splitlines()):
            for cell in row:
                cells += 1
                assert "\x1b" not in cell, path
                if cell[:1] in safe.FORMULA_START:
                    float(cell)  # only a number may start with - or +
    formula_like = []
    for path in _files(hostile_suite, "tables.xlsx"):
        for sheet in openpyxl.load_workbook(path):
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path} {sheet.title}!{cell.coordinate}"
                    if str(cell.value).startswith("=HYPERLINK"):
                        formula_like.append(cell)  # the name as text, typed text
    hostile_names = [p for p in _files(hostile_suite, "*.csv") if "'=HYPERLINK" in p.read_text()]
    assert cells and hostile_names, "no CSV shows the formula-like region name"
    assert formula_like and all(cell.data_type == "s" for cell in formula_like)


def test_figures_are_inert(hostile_suite) -> None:
    for path in _files(hostile_suite, "*.svg"):
        root = ET.parse(path).getroot()
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in ("script", "foreignObject", "iframe"), path
            for name, value in element.attrib.items():
                assert not name.rsplit("}", 1)[-1].startswith("on"), path
                if name.endswith("href"):
                    assert value.startswith(("#", "data:")), f"{path}: {value}"


def test_no_pdf_shows_a_local_file(hostile_suite) -> None:
    pdf = hostile_suite.edition / "90_annual_report.pdf"
    if find_chromium() is None or shutil.which("pdftotext") is None:
        pytest.skip("needs Chromium and pdftotext (apt-get install chromium poppler-utils)")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert hostile_suite.package.secret_text not in text
    flat = " ".join(text.split())
    assert "<iframe src='file://" in flat and "onerror=alert(3)" in flat  # shown, as text


@pytest.mark.browser
def test_opening_the_report_runs_and_fetches_nothing(hostile_suite) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if shutil.which("chromium") is None:
        pytest.skip("chromium not installed")
    seen: dict[str, list[str]] = {"requests": [], "dialogs": [], "errors": [], "console": []}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), args=list(CHROMIUM_FLAGS[1:])
        )
        try:
            page = browser.new_page()
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on("console", lambda m: seen["console"].append(m.text))
            for html in sorted(hostile_suite.edition.glob("*.html")):
                page.goto(html.resolve().as_uri(), wait_until="load")
        finally:
            browser.close()
    opened = [u for u in seen["requests"] if not u.startswith("data:") and not u.endswith(".html")]
    assert not opened and not seen["dialogs"] and not seen["errors"], seen
    assert not seen["console"], seen["console"]  # a CSP refusal would be logged here


def test_diff_prints_the_markup_literally(hostile_suite) -> None:
    result = CliRunner().invoke(app, [
        "diff", "--region", "putuo", "--from", "2021", "--to", "2022",
        "--outputs-dir", str(hostile_suite.outputs),
    ], terminal_width=200)  # fmt: skip
    assert result.exit_code == 0, result.output
    for token in ("[/red]", "[/bold]", "[bold red]", "onerror=alert(3)", "\\x1b[31mred"):
        assert token in result.output, token
    assert "\x1b" not in result.output


def test_validate_prints_the_markup_literally(hostile_suite, tmp_path: Path) -> None:
    ok = CliRunner().invoke(app, ["validate", str(hostile_suite.package.data_dir)])
    assert ok.exit_code == 0 and ok.output.startswith("ok:"), ok.output
    broken = Path(shutil.copytree(hostile_suite.package.data_dir, tmp_path / "data"))
    unknown = "[/red][link=https://example.invalid]x[/link]\x1b[2J"  # an indicator id
    with open(broken / "annual" / "putuo.csv", "a", encoding="utf-8") as handle:
        handle.write(f"putuo,2022,{unknown},1,exact,persons,a source,synthetic\n")
    result = CliRunner().invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "[/red][link=https://example.invalid]x[/link]" in result.output, result.output
    assert "\x1b" not in result.output


@pytest.mark.kernels
def test_a_failure_quoting_markup_is_summarised(tmp_path: Path) -> None:
    # rich markup in an error used to abort the run's printing: no summary, a traceback
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "registry.yaml").write_text(
        "notebooks:\n  - {name: 00_fails, kind: analysis, title_en: Fails, title_zh: 失败}\n",
        encoding="utf-8",
    )
    parameters = new_code_cell(
        'region = "putuo"\nyear = 2022\nwindow = 5\nlang = "en"\ndata_dir = ""\noutput_dir = ""',
        metadata={"tags": ["parameters"]},
    )
    message = "[/red] [link=file:///etc/passwd]x[/link] \x1b[2J [bold]"
    fails = new_code_cell(f"raise RuntimeError({message!r})")
    nb = new_notebook(cells=[parameters, fails])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, notebooks / "00_fails.ipynb")
    data = Path(shutil.copytree(config.DATA_DIR, tmp_path / "data"))
    result = CliRunner().invoke(app, [
        "run", "--data-dir", str(data), "--notebooks-dir", str(notebooks),
        "--outputs-dir", str(tmp_path / "out"), "--no-html",
    ], catch_exceptions=False, terminal_width=200)  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "Failures:" in result.output and "0 ran, 0 cached, 1 failed" in result.output
    assert "[/red] [link=file:///etc/passwd]x[/link] \\x1b[2J [bold]" in result.output
    assert "\x1b" not in result.output
