"""Tests of the PDF print (pdf.py) and the pdf CLI."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from typer.testing import CliRunner
from uniontrends.cli import app
from uniontrends.present import pdf

# A 1x1 PNG inlined as the report inlines its figures.
_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005fe02fe0d0a2db40000000049454e44ae426082"
    )
).decode()
_HTML = (
    "<!doctype html><html><head><meta charset='utf-8'><title>t</title></head><body>"
    "<h1>年度报告 劳动争议调处</h1>"
    f"<img src='data:image/png;base64,{_PNG}' width=50></body></html>"
)
needs_chromium = pytest.mark.skipif(
    pdf.find_chromium() is None, reason="chromium not installed (apt-get install chromium)"
)


def _report(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / "90_annual_report.html"
    html.write_text(_HTML, encoding="utf-8")
    return html


def test_command_has_the_required_flags(tmp_path: Path) -> None:
    cmd = pdf.chromium_command(tmp_path / "a.html", tmp_path / "a.pdf", "chromium", tmp_path)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={tmp_path}",
                 f"--print-to-pdf={tmp_path / 'a.pdf'}"):  # fmt: skip
        assert flag in cmd
    assert cmd[-1].startswith("file://") and cmd[-1].endswith("a.html")


def test_missing_chromium_warns_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = _report(tmp_path / "r")
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.warns(pdf.ChromiumMissingWarning, match="Chromium is not installed"):
        assert pdf.html_to_pdf(html) is None
    assert not list(tmp_path.rglob("*.pdf"))
    result = CliRunner().invoke(app, ["pdf", str(tmp_path / "r")])
    assert result.exit_code == 0 and "warning" in result.output


def test_a_headless_shell_is_preferred_to_the_full_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = {"chromium": "/usr/bin/chromium", "chromium-headless-shell": "/usr/bin/chs"}
    monkeypatch.setattr(pdf.shutil, "which", installed.get)
    assert pdf.find_chromium() == "/usr/bin/chs"
    del installed["chromium-headless-shell"]
    assert pdf.find_chromium() == "/usr/bin/chromium"


def test_missing_html_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="uniontrends run"):
        pdf.report_pdf(tmp_path, ("90_annual_report",))
    result = CliRunner().invoke(app, ["pdf", str(tmp_path)])
    assert result.exit_code == 1 and "has no 90_annual_report.html" in result.output


@pytest.mark.browser
@needs_chromium
def test_prints_a_pdf(tmp_path: Path) -> None:
    _report(tmp_path / "putuo" / "2022")
    result = CliRunner().invoke(app, ["pdf", str(tmp_path / "putuo" / "2022")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "putuo" / "2022" / "90_annual_report.pdf"
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 1
    assert not list(out.parent.glob(".*tmp.pdf"))


def test_failed_print_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html = _report(tmp_path)
    monkeypatch.setattr(pdf, "find_chromium", lambda: "/bin/false")
    with pytest.raises(pdf.PdfError, match="exit 1"):
        pdf.html_to_pdf(html)


def test_run_hook_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert pdf.pdf_after_run(tmp_path) is None  # no report in this run: nothing to do
    _report(tmp_path)
    monkeypatch.setattr(pdf, "find_chromium", lambda: "/bin/false")
    with pytest.warns(RuntimeWarning, match="no PDF"):
        assert pdf.pdf_after_run(tmp_path) is None
