"""Tests of the PDF print (pdf.py) and the pdf CLI."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
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
    url = "http://127.0.0.1:1/token/a.html"
    cmd = pdf.chromium_command(url, tmp_path / "a.pdf", "chromium", tmp_path)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={tmp_path}",
                 f"--print-to-pdf={tmp_path / 'a.pdf'}"):  # fmt: skip
        assert flag in cmd
    assert cmd[-1] == url  # served from loopback, never a file: URL


def test_missing_chromium_warns_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = _report(tmp_path / "r")
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.warns(pdf.ChromiumMissingWarning, match="Chromium is not installed"):
        assert pdf.html_to_pdf(html) is None
    assert not list(tmp_path.rglob("*.pdf"))
    result = CliRunner().invoke(app, ["pdf", str(tmp_path / "r"), "--outputs-dir", str(tmp_path)])
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
    result = CliRunner().invoke(app, ["pdf", str(tmp_path), "--outputs-dir", str(tmp_path)])
    assert result.exit_code == 1 and "has no 90_annual_report.html" in result.output


@pytest.mark.browser
@needs_chromium
def test_prints_a_pdf(tmp_path: Path) -> None:
    _report(tmp_path / "putuo" / "2022")
    argv = ["pdf", str(tmp_path / "putuo" / "2022"), "--outputs-dir", str(tmp_path)]
    result = CliRunner().invoke(app, argv)
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


def _live(pids: list[int]) -> list[int]:
    """The pids that still run (a zombie waiting for its parent does not)."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            continue
        if state != "Z":
            alive.append(pid)
    return alive


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_timeout_stops_every_process_of_the_printer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wrapper script that starts helpers and hangs, as chromium-headless-shell's does: on a
    # timeout the wrapper alone used to be killed and its helpers kept running.
    pids = tmp_path / "pids"
    fake = tmp_path / "chromium"
    fake.write_text(f"#!/bin/sh\nsleep 300 & echo $! >> {pids}\nsleep 300 & echo $! >> {pids}\n"
                    "wait\n")  # fmt: skip
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "find_chromium", lambda: str(fake))
    html = _report(tmp_path / "r")
    with pytest.raises(pdf.PdfError, match=r"did not finish printing .* in 1 s and was stopped"):
        pdf.html_to_pdf(html, timeout=1)
    helpers = [int(line) for line in pids.read_text().split()]
    assert len(helpers) == 2 and not _live(helpers)
    assert not list(html.parent.glob("*.pdf"))


@pytest.mark.browser
@needs_chromium
def test_a_real_chromium_is_stopped_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[str]] = []
    launch = pdf._launch
    monkeypatch.setattr(pdf, "_launch", lambda cmd: started.append(launch(cmd)) or started[-1])
    html = _report(tmp_path / "r")
    group: list[int] = []

    def members() -> list[int]:
        return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                and _pgid(p) == started[0].pid]  # fmt: skip

    original_stop = pdf._stop_group

    def stop_and_record(process: subprocess.Popen[str]) -> None:
        group.extend(members())  # Chromium's processes just before they are stopped
        original_stop(process)

    monkeypatch.setattr(pdf, "_stop_group", stop_and_record)
    with pytest.raises(pdf.PdfError, match="did not finish"):
        pdf.html_to_pdf(html, timeout=0.3)  # Chromium is still starting its helpers
    assert group, "Chromium had no process left to stop"
    assert not _live(group), "Chromium processes survived the timeout"


def _pgid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rpartition(")")[2].split()[2])
    except (OSError, ValueError, IndexError):
        return None


@pytest.mark.browser
@needs_chromium
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_the_printer_reads_nothing_beyond_the_report(tmp_path: Path) -> None:
    secret = tmp_path / "private" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("LOCAL-SECRET-81d2\n", encoding="utf-8")
    (tmp_path / "site" / "neighbour.txt").parent.mkdir()
    (tmp_path / "site" / "neighbour.txt").write_text("NEIGHBOUR-FILE-5c7e\n", encoding="utf-8")
    local = secret.resolve().as_uri()
    # No Content-Security-Policy in the page: the printer itself must confine it.
    page = (
        "<!doctype html><html><head><meta charset='utf-8'></head><body><h1>VISIBLE-MARKER</h1>"
        f"<iframe src='{local}'></iframe><object data='{local}'></object>"
        f"<embed src='{local}'><img src='{local}'><iframe src='../site/neighbour.txt'></iframe>"
        f"<link rel='stylesheet' href='{local}'>"
        "<script>document.write('SCRIPT-RAN')</script>"
        "<img src=x onerror=\"document.body.append('ONERROR-RAN')\"></body></html>"
    )
    html = tmp_path / "putuo" / "2022" / "90_annual_report.html"
    html.parent.mkdir(parents=True)
    html.write_text(page, encoding="utf-8")

    def text_of(pdf_path: Path) -> str:
        done = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True)
        return done.stdout

    # The attack is real: Chromium printing the file: URL shows both files and runs scripts.
    exposed = tmp_path / "exposed.pdf"
    subprocess.run([pdf.find_chromium(), *pdf.CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'p'}",
                    f"--print-to-pdf={exposed}", html.resolve().as_uri()],
                   capture_output=True, timeout=60, check=True)  # fmt: skip
    assert "LOCAL-SECRET-81d2" in text_of(exposed) and "SCRIPT-RAN" in text_of(exposed)
    printed = pdf.report_pdf(html.parent, ("90_annual_report",))
    assert printed is not None
    text = text_of(printed)
    assert "VISIBLE-MARKER" in text
    for leaked in ("LOCAL-SECRET-81d2", "NEIGHBOUR-FILE-5c7e", "SCRIPT-RAN", "ONERROR-RAN"):
        assert leaked not in text


def _pdf_text(pdf_path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(["pdftotext", "-layout", *pages, str(pdf_path), "-"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout


needs_poppler = pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdftohtml") is None,
    reason="needs pdfinfo, pdftotext and pdftohtml (apt-get install poppler-utils)",
)


@pytest.mark.browser
@needs_chromium
@needs_poppler
def test_the_report_prints_on_a4_with_page_numbers_footer_and_bookmarks(tmp_path: Path) -> None:
    # A report-shaped notebook through the real export: its stylesheet and running footer
    from uniontrends.present import page
    from uniontrends.present.export import notebook_to_html

    footer = page.running_footer_style(page.footer_text("普陀区", 2018, 2022, "zh", True))
    sections = [(f"第{k}节 Section {k}", 30) for k in range(1, 5)]
    html = notebook_to_html(_report_notebook(sections, footer), tmp_path / "90_annual_report.html")
    out = pdf.report_pdf(html.parent, ("90_annual_report",))
    assert out is not None
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "(A4)" in info, info
    n_pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert n_pages >= 3
    for number in range(1, n_pages + 1):  # every page: its number and the running footer
        text = _pdf_text(out, number)
        assert re.search(rf"\b{number}\s*/\s*{n_pages}\b", text), text[-300:]
        assert "普陀区" in text and "2022年版" in text and "合成" in text
    outline = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", str(out)],
                             capture_output=True, text=True).stdout  # fmt: skip
    bookmarks = re.findall(r"<item page=\"\d+\">([^<]+)</item>", outline)
    assert "年度报告 Annual report" in bookmarks and "第4节 Section 4" in bookmarks


def _report_notebook(sections: list[tuple[str, int]], footer: str) -> object:
    """A report-shaped notebook: a title, the running footer, headings each over a table."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    def html(body: str) -> object:
        return new_code_cell("", outputs=[new_output("display_data", data={"text/html": body})])

    cells = [new_markdown_cell("# 年度报告 Annual report"), html(footer)]
    for heading, n_rows in sections:
        cells.append(new_markdown_cell(f"## {heading}"))
        rows = "".join(f"<tr><td>{i}</td><td>{'劳动争议调处' * 3}</td></tr>" for i in range(n_rows))
        cells.append(
            html(f"<table><thead><tr><th>序号</th><th>数据来源类型</th></tr></thead>{rows}</table>")
        )
    nb = new_notebook(cells=cells)
    nb.metadata["papermill"] = {"parameters": {"lang": "zh"}}
    return nbformat.from_dict(nb)


@pytest.mark.browser
@needs_chromium
@needs_poppler
def test_no_page_ends_with_a_heading(tmp_path: Path) -> None:
    # Headings of sections of different lengths fall at every height of a page; each must
    # stay with its table instead of standing alone at the foot of a page.
    from uniontrends.present.export import notebook_to_html

    sections = [(f"Heading {k}", 2 + (k * 7) % 11) for k in range(40)]
    html = notebook_to_html(_report_notebook(sections, ""), tmp_path / "90_annual_report.html")
    out = pdf.report_pdf(html.parent, ("90_annual_report",))
    assert out is not None
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    n_pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert n_pages >= 4
    for number in range(1, n_pages):
        lines = [ln.strip() for ln in _pdf_text(out, number).splitlines() if ln.strip()]
        content = [ln for ln in lines if not re.fullmatch(r"\d+\s*/\s*\d+", ln)]
        assert not content[-1].startswith("Heading"), (number, content[-3:])
