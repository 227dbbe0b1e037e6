"""The explorer: its controls change what is drawn, its text is escaped, and the web page
(Voilà) works in a real browser without errors or network requests."""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from uniontrends import config
from uniontrends.findings.record import read_findings
from uniontrends.findings.trend import summarize
from uniontrends.notebook import explorer


@pytest.fixture(scope="module")
def app() -> explorer.Explorer:
    return explorer.Explorer(explorer.known_packages([config.DATA_DIR]))


def test_controls_list_what_the_package_has(app, package):
    assert [value for _, value in app.region.options] == ["putuo", "dinghai", "daishan"]
    assert app.region.label == "Putuo District"
    assert app.selection.indicator in {i.id for i in package.catalog.in_area(app.area.value)}
    assert app.years.value == (2018, 2022) and (app.years.min, app.years.max) == (2018, 2022)


def test_changing_the_indicator_and_region_redraws_chart_and_numbers(app, package):
    app.area.value = "disputes"
    app.indicator.value = "disputes_mediated"
    before = (app.chart.value, app.statistics.value, app.findings.value)
    app.indicator.value = "legal_aid_cases"
    after = (app.chart.value, app.statistics.value, app.findings.value)
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert bytes(app.chart.value).startswith(b"\x89PNG")
    app.region.value = "dinghai"
    assert app.selection.region == "dinghai" and app.selection.indicator == "legal_aid_cases"
    assert (app.years.min, app.years.max) == (2013, 2022)  # Dinghai has two terms
    # the numbers shown are the library's own statistics of the selection
    s = explorer.session_for(app.selection)
    summary = summarize(
        s.panel, "legal_aid_cases", "dinghai", 2022, 5, catalog=s.catalog,
        region_names=s.region_names(), reported=s.reported,
    )  # fmt: skip
    level_end = summary.table.set_index("statistic").loc["level_end", "value"]
    assert f"{level_end:,.0f}" in app.statistics.value


def test_a_finding_has_the_grade_its_notebook_gives_it(app):
    # the explorer grades an indicator within its area's family, as the area notebook does:
    # every tested finding shows the grade (and words) of the bundled suite's findings.json
    app.lang.value, app.compare.value = "en", ()
    app.region.value, app.area.value = "dinghai", "disputes"
    app.indicator.value = "legal_aid_cases"
    golden = Path(__file__).parent / "golden" / "dinghai-2022" / "02_dispute_resolution.json"
    tested = [
        f
        for f in read_findings(golden)
        if f.indicator == "legal_aid_cases" and f.p_adjusted is not None
    ]
    assert tested
    cells = re.findall(
        r"<tr>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>", app.findings.value, re.S
    )
    shown = {html.unescape(statement): evidence for evidence, statement in cells}
    for f in tested:
        assert shown.get(f.statement_en) == f.evidence, f.id


def test_comparison_regions_and_language(app):
    app.region.value = "dinghai"  # on its own: xdist may run it before the test that sets it
    app.compare.value = ("putuo",)
    assert bytes(app.compare_chart.value).startswith(b"\x89PNG")
    assert app.compare_chart.layout.display is None
    app.lang.value = "zh"
    assert app.region.label == "定海（示例）" and app.compare.value == ("putuo",)
    assert "主要统计量" in app.statistics.value and "示例（合成）数据" in app.provenance.value
    app.compare.value = ()
    assert app.compare_chart.layout.display == "none"
    app.lang.value = "en"


def test_a_window_shorter_than_three_years_is_widened_not_refused(app):
    app.years.value = (2021, 2022)
    assert app.message.value == "" and bytes(app.chart.value).startswith(b"\x89PNG")


def test_names_and_sources_from_data_are_escaped(tmp_path):
    data = Path(shutil.copytree(config.DATA_DIR, tmp_path / "data"))
    regions = data / "regions.yaml"
    regions.write_text(
        regions.read_text(encoding="utf-8").replace(
            "Putuo District", "<img src=x onerror=alert(1)>Putuo"
        ),
        encoding="utf-8",
    )
    annual = data / "annual" / "putuo.csv"
    annual.write_text(
        annual.read_text(encoding="utf-8").replace(
            "synthetic, unanchored:", "<script>x()</script>:"
        ),
        encoding="utf-8",
    )
    app = explorer.Explorer(explorer.known_packages([data]))
    shown = app.statistics.value + app.findings.value + app.provenance.value
    assert "<script>" not in shown and "<img src=x" not in shown
    assert "&lt;script&gt;x()&lt;/script&gt;" in app.provenance.value
    assert "&lt;img src=x onerror=alert(1)&gt;Putuo" in app.findings.value


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.browser
@pytest.mark.kernels
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_the_web_page_explores_without_errors(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    from uniontrends.present.pdf import CHROMIUM_FLAGS

    port = _free_port()
    command, env = explorer.voila_command(config.NOTEBOOKS_DIR / "explore.ipynb", port)
    server = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    seen: dict[str, list[str]] = {"errors": [], "network": []}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"), args=list(CHROMIUM_FLAGS[1:])
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on(
                "console",
                lambda m: seen["errors"].append(m.text) if m.type == "error" else None,
            )
            page.on("requestfailed", lambda r: seen["network"].append(r.url))
            page.goto(f"http://127.0.0.1:{port}/", wait_until="load", timeout=60_000)
            page.wait_for_selector(".widget-image img, img", timeout=90_000)
            page.wait_for_function("document.querySelectorAll('select').length >= 5")
            assert "import uniontrends" not in page.inner_text("body")  # no code shown

            def shown(expected: str = "") -> tuple[str, str]:
                # the chart arrives before the panels' text: wait for what must be there
                page.wait_for_function(
                    "t => document.body.innerText.includes(t)", arg=expected, timeout=30_000
                )
                image = page.eval_on_selector("img", "e => e.src")
                return image, page.inner_text("body")

            first = shown()
            selects = page.query_selector_all("select")
            area, indicator = selects[3], selects[4]
            area.select_option(label="Dispute resolution")
            page.wait_for_function(
                "src => document.querySelector('img').src !== src", arg=first[0], timeout=30_000
            )
            second = shown("Labour disputes mediated")
            indicator.select_option(label="Legal aid cases")
            page.wait_for_function(
                "src => document.querySelector('img').src !== src", arg=second[0], timeout=30_000
            )
            third = shown("Legal aid cases")
            selects[1].select_option(label="Dinghai (illustrative)")
            page.wait_for_function(
                "src => document.querySelector('img').src !== src", arg=third[0], timeout=30_000
            )
            fourth = shown("Legal aid cases, Dinghai")  # a finding of the new region
            page.screenshot(path=str(tmp_path / "explorer.png"), full_page=True)
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    assert len({first[0], second[0], third[0], fourth[0]}) == 4  # the chart changed each time
    assert "Labour disputes mediated" in second[1] and "Legal aid cases" in third[1]
    assert third[1] != fourth[1] and "Dinghai" in fourth[1]  # the numbers changed with it
    assert not seen["errors"], seen["errors"]
    assert not seen["network"], seen["network"]
