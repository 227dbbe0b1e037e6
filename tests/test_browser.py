"""Open the combined HTML report in headless Chromium (playwright) as a reader would: in English
and Chinese, on a desktop (1280 px) and a phone (390 px)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from uniontrends.present.pdf import CHROMIUM_FLAGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.notebooks,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="chromium not installed (apt-get install chromium); the browser check needs it",
    ),
]
WIDTHS = (1280, 390)
NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"

# What a page tells about itself: images, in-page links that lead nowhere, its width.
# (nbconvert writes heading ids percent-encoded, and links to them the same way.)
_LOOK = """() => {
  // the HTML standard's "indicated part": the fragment as written, then percent-decoded
  const byId = id => document.getElementById(id);
  const indicated = f => byId(f) || byId(decodeURIComponent(f));
  const images = [...document.images].map(e => ({
    src: e.currentSrc.slice(0, 40), width: e.naturalWidth, alt: e.getAttribute('alt') || ''}));
  const broken = [...document.querySelectorAll('a[href^="#"]')]
    .map(a => a.getAttribute('href'))
    .filter(h => h.length > 1 && !indicated(h.slice(1)));
  const links = document.querySelectorAll('a[href^="#"]').length;
  const root = document.documentElement;
  return {images, broken, links, lang: root.lang,
          scrollWidth: root.scrollWidth, innerWidth: window.innerWidth};
}"""


@pytest.fixture(scope="module")
def report_zh(zh_reports: dict[str, Path]) -> Path:
    html = zh_reports["putuo"] / "90_annual_report.html"
    folder = html.parent
    assert html.is_file(), sorted(p.name for p in folder.iterdir())
    return html


@pytest.fixture(scope="module")
def report_en(bundled_suite: Path) -> Path:
    found = sorted(bundled_suite.glob("putuo/**/90_annual_report.html"))
    assert found, f"no putuo report under {bundled_suite}"
    return found[0]


@pytest.fixture(scope="module")
def pages_seen(report_en: Path, report_zh: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Open each edition at each width once: what the page showed and every error it logged."""
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = tmp_path_factory.mktemp("shots")
    seen: dict = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=list(CHROMIUM_FLAGS[1:]),  # playwright adds --headless and its own profile
        )
        try:
            for lang, report in (("en", report_en), ("zh", report_zh)):
                for width in WIDTHS:
                    seen[lang, width] = _look(browser, report, width, shots / f"{lang}_{width}.png")
        finally:
            browser.close()
    return seen


def _look(browser, report: Path, width: int, shot: Path) -> dict:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: dict = {"console": [], "page": [], "network": []}
    page.on("console", lambda m: errors["console"].append(m.text) if m.type == "error" else 0)
    page.on("pageerror", lambda e: errors["page"].append(str(e)))
    page.on("requestfailed", lambda r: errors["network"].append(r.url))
    page.goto(report.resolve().as_uri(), wait_until="load")
    found = page.evaluate(_LOOK)
    found["text"] = page.inner_text("body")
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    return found | errors | {"screenshot": shot}


def test_report_renders_in_chinese_with_images(pages_seen: dict) -> None:
    seen = pages_seen["zh", 1280]
    assert seen["images"], "the report shows no figure"
    broken = [image["src"] for image in seen["images"] if image["width"] == 0]
    assert not broken, f"broken images: {broken}"
    assert not seen["page"], f"JavaScript errors: {seen['page']}"
    assert "劳动争议调处" in seen["text"]
    assert seen["screenshot"].stat().st_size > 10_000


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", WIDTHS)
def test_report_reads_at_desktop_and_phone_width(pages_seen: dict, lang: str, width: int) -> None:
    seen = pages_seen[lang, width]
    assert seen["lang"] == lang  # <html lang> of the edition: screen readers, fonts, hyphens
    # nothing wider than the screen: a wide table scrolls in its own box, a figure shrinks
    assert seen["scrollWidth"] <= seen["innerWidth"], (
        f"the page scrolls sideways at {width} px: {seen['scrollWidth']} px wide"
    )
    missing = [
        i["src"] for i in seen["images"] if not i["alt"] or i["alt"] == NBCONVERT_DEFAULT_ALT
    ]
    assert not missing, f"images without a description: {missing}"
    assert all(len(i["alt"]) > 40 for i in seen["images"])  # it says what the chart shows
    # every in-page link (the table of contents, the headings' anchors) leads somewhere
    assert seen["links"] > 0
    assert not seen["broken"], f"links to nothing: {seen['broken']}"
    assert seen["screenshot"].stat().st_size > 10_000


def test_report_is_self_contained(pages_seen: dict) -> None:
    # Readers open the report offline (e-mail, USB stick): nothing may come from the network.
    for key, seen in pages_seen.items():
        assert not seen["network"], (
            f"{key}: the report loads resources from the network (export.notebook_to_html "
            f"should inline or drop them): {seen['network']}"
        )
        assert not seen["console"], f"{key}: console errors: {seen['console']}"
