"""A hostile data package: the bundled data with names and sources that carry attacks.

Every string below is data a federation's files could hold. The suite must accept the
package (names and sources are free text) and show each string as written: never as HTML,
Markdown, rich markup, a formula or a terminal escape. ``write_hostile_package`` builds the
package from the bundled data; ``live_markup`` lists what in an HTML page would act.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

# Remote addresses use the reserved .invalid domain: nothing there could ever answer.
REMOTE = "https://example.invalid"


def attacks(secret: Path) -> dict[str, str]:
    """The attack strings of issue 14 by case; `secret` is a local file outside the outputs."""
    local = secret.resolve().as_uri()
    return {
        "iframe_file": f"<iframe src='{local}'></iframe>",
        "img_onerror": "<img src=x onerror=alert(3)>",
        "script": "<script>alert(1)</script>",
        "markdown_javascript_link": "[click](javascript:alert(1))",
        "html_javascript_link": '<a href="javascript:alert(2)">go</a>',
        "markdown_remote_image": f"![pixel]({REMOTE}/md.png)",
        "html_remote_image": f'<img src="{REMOTE}/html.png">',
        "autolinks": f"<{REMOTE}/auto> {REMOTE}/bare www.example.invalid",
        "svg_onload": "<svg onload=alert(4)>",
        "meta_refresh": f'<meta http-equiv="refresh" content="0;url={local}">',
        "object_file": f"<object data='{local}'></object>",
        "remote_style": f"<style>body{{background:url({REMOTE}/bg.png)}}</style>",
        "rich_markup": "[/red] [link=https://example.invalid]rich[/link] [/bold] [bold red]",
        "formula": f'=HYPERLINK("{REMOTE}","x")',
        "formula_plus": "+1+2",
        "formula_at": "@SUM(A1)",
        "control_characters": "\x1b[31mred\x1b[0m\x07\u202eevil\r",
        "nul_character": "nul\x00here",  # text files refuse NUL (binary); YAML names may hold it
        "mathtext": "$\\undefined{x}$",  # an even number of $: matplotlib would typeset it
        "markdown_syntax": "**bold** _em_ `code` | pipe | # hash ~~s~~",
    }


# Where each case goes: (file, what) -> cases. A name starting with a formula character
# keeps it first: spreadsheets run a cell only when it starts a formula.
_REGION_NAMES = {
    "putuo": (
        (
            "formula",
            "iframe_file",
            "markdown_javascript_link",
            "markdown_remote_image",
            "rich_markup",
            "control_characters",
        ),
        ("formula_plus", "img_onerror", "markdown_javascript_link"),
    ),
    "dinghai": (("img_onerror", "rich_markup", "mathtext"), ("script",)),
    "daishan": (("markdown_remote_image", "html_javascript_link", "nul_character"), ()),
}
_INDICATOR_NAMES = {
    "disputes_mediated": ("formula_at", "script", "markdown_javascript_link", "rich_markup"),
    "union_density": ("iframe_file", "html_remote_image", "mathtext"),
    "assistance_funds": ("formula", "svg_onload", "meta_refresh", "markdown_syntax"),
    "competition_participants": ("object_file", "autolinks", "control_characters"),
    "union_members": ("markdown_remote_image", "remote_style", "rich_markup"),
    "legal_education_events": ("html_javascript_link", "img_onerror"),
}
_AREA_NAMES = {"disputes": ("html_javascript_link", "markdown_syntax", "rich_markup")}
# Table text from a data file must not start a formula (validation refuses it).
_REPORTED_SOURCE = ("html_remote_image", "markdown_javascript_link", "remote_style", "rich_markup")
_REPORTED_PHRASE = ("svg_onload", "iframe_file", "control_characters")
_PACKAGE_TITLE = {
    "title_en": ("markdown_javascript_link", "html_remote_image", "rich_markup"),
    "title_zh": ("script", "markdown_remote_image"),
}
_OECD_COUNTRY = {"Japan": ("script", "markdown_remote_image", "rich_markup", "mathtext")}


@dataclass(frozen=True)
class HostilePackage:
    """The package's folder, the local file it tries to leak, and its attack strings."""

    data_dir: Path
    secret: Path
    secret_text: str
    attacks: dict[str, str]

    def strings(self, cases: tuple[str, ...], tail: str = "") -> str:
        """The strings of `cases` joined by spaces, then `tail`."""
        return " ".join([*(self.attacks[c] for c in cases), tail]).strip()


def _rewrite_csv(path: Path, change: dict[str, object]) -> None:
    """Rewrite columns of every row of a CSV (UTF-8, BOM kept when there was one)."""
    raw = path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))
    for row in rows:
        for column, value in change.items():
            row[column] = value(row) if callable(value) else value  # type: ignore[assignment]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def write_hostile_package(bundled: Path, root: Path) -> HostilePackage:
    """Copy the bundled data package into `root/data` and plant the attacks.

    Args:
        bundled: the bundled package (config.DATA_DIR).
        root: an empty folder; the secret file goes to `root/private/`.

    Returns:
        The package.
    """
    secret = root / "private" / "secret.txt"
    secret.parent.mkdir(parents=True)
    secret_text = "LOCAL-FILE-CONTENTS-NEVER-PRINTED-4f1c"
    secret.write_text(secret_text + "\n", encoding="utf-8")
    package = HostilePackage(Path(shutil.copytree(bundled, root / "data")), secret,
                             secret_text, attacks(secret))  # fmt: skip
    data = package.data_dir

    regions = yaml.safe_load((data / "regions.yaml").read_text(encoding="utf-8"))
    for region, (en, zh) in _REGION_NAMES.items():
        entry = regions["regions"][region]
        entry["name_en"] = package.strings(en, entry["name_en"])
        entry["name_zh"] = package.strings(zh, entry["name_zh"])
    (data / "regions.yaml").write_text(yaml.safe_dump(regions, allow_unicode=True), "utf-8")

    catalog = yaml.safe_load((data / "indicators.yaml").read_text(encoding="utf-8"))
    for entry in catalog["indicators"]:
        if entry["id"] in _INDICATOR_NAMES:
            cases = _INDICATOR_NAMES[entry["id"]]
            entry["name_en"] = package.strings(cases, entry["name_en"])
            entry["name_zh"] = package.strings(cases, entry["name_zh"])
    for area, cases in _AREA_NAMES.items():
        names = catalog["areas"][area]
        names["name_en"] = package.strings(cases, names["name_en"])
    (data / "indicators.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), "utf-8")

    for reported in sorted((data / "reported").glob("*.csv")):
        _rewrite_csv(reported, {
            "source": lambda row: package.strings(_REPORTED_SOURCE, row["source"]),
            "phrase_zh": lambda row: package.strings(_REPORTED_PHRASE, row["phrase_zh"]),
        })  # fmt: skip
    _rewrite_csv(data / "annual" / "putuo.csv", {
        "source": lambda row: package.strings(("script", "rich_markup"), row["source"]),
    })  # fmt: skip
    info = yaml.safe_load((data / "package.yaml").read_text(encoding="utf-8"))
    for key, cases in _PACKAGE_TITLE.items():
        info[key] = package.strings(cases, info[key])
    (data / "package.yaml").write_text(yaml.safe_dump(info, allow_unicode=True), "utf-8")
    oecd = data / "reference" / "oecd_trade_union_density.csv"
    _rewrite_csv(oecd, {
        "Country": lambda row: (
            package.strings(_OECD_COUNTRY[row["Country"]], row["Country"])
            if row["Country"] in _OECD_COUNTRY else row["Country"]
        ),
    })  # fmt: skip
    return package


_URL_ATTRIBUTES = ("src", "href", "data", "action", "formaction", "poster", "background")
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""")


def live_markup(page: str) -> list[str]:
    """What in an HTML page would run, load or link: every finding as a short description.

    Args:
        page: the HTML text.

    Returns:
        Empty when the page is inert: no script, frame, object, embed, base, refresh or
        external stylesheet, no on* attribute, no javascript: link, no URL but data: for
        anything that loads.
    """
    soup = BeautifulSoup(page, "html.parser")
    found = []
    for tag in soup.find_all(["script", "iframe", "frame", "object", "embed", "base", "svg"]):
        found.append(f"<{tag.name}>")
    for tag in soup.find_all("meta"):
        if str(tag.get("http-equiv", "")).lower() == "refresh":
            found.append("<meta refresh>")
    for tag in soup.find_all("link"):
        found.append(f"<link href={tag.get('href')}>")
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            if name.lower().startswith("on"):
                found.append(f"<{tag.name} {name}>")
            if name.lower() in _URL_ATTRIBUTES:
                url = str(value).strip().lower()
                if tag.name == "a":
                    if url.startswith(("javascript:", "vbscript:", "data:", "file:")):
                        found.append(f"<a href={value}>")
                elif not url.startswith("data:"):
                    found.append(f"<{tag.name} {name}={value}>")
    styles = [tag.get_text() for tag in soup.find_all("style")]
    styles += [str(tag["style"]) for tag in soup.find_all(style=True)]
    for css in styles:
        if "@import" in css:
            found.append("@import")
        for url in _CSS_URL.findall(css):
            if not url.lower().startswith("data:"):
                found.append(f"url({url})")
    return found


def content_security_policy(page: str) -> str | None:
    """The policy a page declares in a <meta http-equiv="Content-Security-Policy">."""
    soup = BeautifulSoup(page, "html.parser")
    for tag in soup.find_all("meta"):
        if str(tag.get("http-equiv", "")).lower() == "content-security-policy":
            return str(tag.get("content"))
    return None
