"""Open the combined HTML report in headless Chromium (playwright) as a reader would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from uniontrends import config
from uniontrends.present.pdf import CHROMIUM_FLAGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.notebooks,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="chromium not installed (apt-get install chromium); the browser check needs it",
    ),
]


@pytest.fixture(scope="module")
def report_zh(tmp_path_factory: pytest.TempPathFactory, run_report) -> Path:
    root = tmp_path_factory.mktemp("browser")
    data_dir = Path(shutil.copytree(config.PROJ_ROOT / "data", root / "data"))
    folder = run_report(data_dir, root / "outputs", "putuo", 2022, lang="zh")
    html = folder / "90_annual_report.html"
    assert html.is_file(), sorted(p.name for p in folder.iterdir())
    return html


@pytest.fixture(scope="module")
def page_seen(report_zh: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Open the report once; what the page showed and every error it logged."""
    sync_api = pytest.importorskip("playwright.sync_api")
    seen: dict = {"console": [], "page": [], "network": []}
    shot = tmp_path_factory.mktemp("shots") / "report.png"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=list(CHROMIUM_FLAGS[1:]),  # playwright adds --headless and its own profile
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else 0)
            page.on("pageerror", lambda e: seen["page"].append(str(e)))
            page.on("requestfailed", lambda r: seen["network"].append(r.url))
            page.goto(report_zh.resolve().as_uri(), wait_until="load")
            seen["images"] = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.currentSrc.slice(0, 40), e.naturalWidth])"
            )
            seen["text"] = page.inner_text("body")
            page.screenshot(path=str(shot), full_page=True)
            seen["screenshot"] = shot
        finally:
            browser.close()
    return seen


def test_report_renders_in_chinese_with_images(page_seen: dict) -> None:
    assert page_seen["images"], "the report shows no figure"
    broken = [src for src, width in page_seen["images"] if width == 0]
    assert not broken, f"broken images: {broken}"
    assert not page_seen["page"], f"JavaScript errors: {page_seen['page']}"
    assert "劳动争议调处" in page_seen["text"]
    assert page_seen["screenshot"].stat().st_size > 10_000


def test_report_is_self_contained(page_seen: dict) -> None:
    # Readers open the report offline (e-mail, USB stick): nothing may come from the network.
    assert not page_seen["network"], (
        f"the report loads resources from the network (export.notebook_to_html should inline or "
        f"drop them): {page_seen['network']}"
    )
    assert not page_seen["console"], f"console errors: {page_seen['console']}"
