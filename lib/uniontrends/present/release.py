"""The annual report as a statistical release: title block, headline figures, key points, a
table of contents, one section per area, all findings collapsed, download links.

Modelled on the BLS "Union Members" release and the ONS bulletins: the numbers first, a few
plain points, one chart per topic, the tables to download, methods at the back.

Headline figures come from real rows only (published figures, official annual statistics,
never synthetic ones), picked by relevance and size, never by p-value: per area in turn, the
area's key indicator first (``registry.yaml``), then counts of people, cases and money before
counts of organisations and events, larger before smaller. Where a region has only
illustrative data, the headline says so instead of showing any.

Everything here returns Markdown or HTML for ``Session.md``; every name, source or statement
from the data package is escaped (``safe``) where it enters the text.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from uniontrends.findings.record import Finding, rank_findings
from uniontrends.messages import message, message_lang
from uniontrends.numbers import is_missing, number_format
from uniontrends.present.sentences import Levels, plain_sentence, technical_note
from uniontrends.safe import escape_html, escape_markdown

# The statistics a headline figure can show, the most informative first: a level with its
# change over the term, a level, a published level or total, a total.
HEADLINE_STATISTICS = ("level_change", "share_end", "reported_level", "reported_total", "total")
HEADLINE_MIN, HEADLINE_MAX = 4, 6
KEY_POINTS_MAX = 6
# Units by how much a reader learns from them in a headline: people, cases and money first.
_UNIT_RELEVANCE = {"persons": 0, "person_times": 0, "cases": 0, "households": 0, "yuan": 0,
                   "share": 1, "per_1000_members": 1}  # fmt: skip
# The report's sections in reading order (keys of ``messages.yaml``: ``report.section.<key>``);
# "areas" stands for one section per area.
SECTIONS = ("headline", "key_points", "areas", "published", "changed", "methods", "findings",
            "downloads")  # fmt: skip


def heading_id(title: str) -> str:
    """The id nbconvert gives a Markdown heading (spaces as "-", percent-encoded), so a table
    of contents links to it: ``nbconvert.filters.strings._convert_header_id``."""
    return quote(title.replace(" ", "-"), safe="?/:@!$&'()*+,;=")


def section_title(key: str, lang: str) -> str:
    """A section's title in ``lang`` (``report.section.<key>``)."""
    return message(f"report.section.{key}", lang)


def contents_markdown(titles: Iterable[str], lang: str) -> str:
    """The table of contents: a numbered list of links to the headings ``titles``.

    Titles may hold area names from the catalog: the link text is escaped, the target is
    the heading's id (``heading_id``) of the unescaped title, as nbconvert computes it from
    the heading's text.
    """
    items = [f"{i}. [{escape_markdown(t)}](#{heading_id(t)})" for i, t in enumerate(titles, 1)]
    return f"**{message('report.contents', lang)}**\n\n" + "\n".join(items) + "\n"


@dataclass(frozen=True)
class Edition:
    """What the title block says about the edition (from ``edition.json``; None: a working
    copy that was not published)."""

    date: str
    revision: int
    data_version: str
    method_version: str


def edition_of(record: Mapping | None) -> Edition | None:
    """The edition's title-block facts from its ``edition.json`` record (None: none)."""
    if not record:
        return None
    versions = record.get("versions") or {}
    return Edition(str(record.get("date", "")), int(record.get("revision", 1) or 1),
                   str(versions.get("data", "?")), str(versions.get("method", "?")))  # fmt: skip


def title_block(
    region: str,
    start: int,
    end: int,
    publisher: str,
    edition: Edition | None,
    lang: str,
    synthetic: bool,
    reported: bool,
) -> str:
    """The report's title: region and period, publisher, edition date, revision and versions,
    and the synthetic-data notice where it applies (HTML inside Markdown).

    Args:
        region: the region's display name (from the package: escaped here).
        start, end: the window's years.
        publisher: the package's title (package.yaml; escaped here), "" for none.
        edition: the edition, None for an unpublished working copy.
        lang: "en" or "zh".
        synthetic: whether any annual value of the region is synthetic.
        reported: whether the region has published figures.
    """
    lang = message_lang(lang)
    title = message("report.title", lang, region=escape_markdown(region), start=start, end=end)
    lines = [f'<div class="ut-title-block">\n\n# {title}\n']
    if publisher:
        lines.append(f'<p class="ut-publisher">{escape_html(publisher)}</p>')
    if edition is None:
        lines.append(f'<p class="ut-edition">{message("report.working_copy", lang)}</p>')
    else:
        text = message("report.edition", lang, date=escape_html(edition.date),
                       revision=edition.revision, data=escape_html(edition.data_version),
                       method=escape_html(edition.method_version))  # fmt: skip
        lines.append(f'<p class="ut-edition">{text}</p>')
    if synthetic:
        key = "report.synthetic_notice_reported" if reported else "report.synthetic_notice"
        lines.append(f'<p class="ut-notice">{message(key, lang)}</p>')
    return "\n".join(lines) + "\n\n</div>\n"


_TITLE_HEADING = re.compile(r"^# (.+)$", re.MULTILINE)


def page_title(markdown: str) -> str | None:
    """The browser tab's title of a page whose Markdown holds a title block (``title_block``):
    its heading as plain text (Markdown escapes and HTML entities undone; the page template
    escapes the title again). None for any other Markdown."""
    if 'class="ut-title-block"' not in markdown:
        return None
    found = _TITLE_HEADING.search(markdown)
    if found is None:
        return None
    return html.unescape(re.sub(r"\\(.)", r"\1", found.group(1))).strip()


def window_levels(rows: Iterable[tuple[str, int, float, str]]) -> dict[str, Levels]:
    """Each indicator's first and last value in the window, from (indicator, year, value,
    qualifier) rows; years without a value are skipped."""
    seen: dict[str, list[tuple[int, float, str]]] = {}
    for indicator, year, value, qualifier in rows:
        if not is_missing(value):
            seen.setdefault(str(indicator), []).append((int(year), float(value), str(qualifier)))
    out = {}
    for indicator, values in seen.items():
        values.sort()
        (y0, v0, _), (y1, v1, q1) = values[0], values[-1]
        out[indicator] = Levels(y0, v0, y1, v1, q1)
    return out


def _headline_candidates(findings: Iterable[Finding], region: str) -> dict[str, Finding]:
    """The best headline statistic per indicator of the region, real rows only."""
    best: dict[str, Finding] = {}
    for f in findings:
        if (f.region != region or f.synthetic or f.statistic not in HEADLINE_STATISTICS
                or is_missing(f.value) or f.qualifier not in ("exact", "at_least", "at_most",
                                                              "approx")):  # fmt: skip
            continue
        held = best.get(f.indicator)
        order = HEADLINE_STATISTICS.index
        if held is None or order(f.statistic) < order(held.statistic):
            best[f.indicator] = f
    return best


def _size(f: Finding) -> float:
    value = abs(float(f.value)) if not is_missing(f.value) else 0.0  # type: ignore[arg-type]
    return -math.log10(value + 1)


def headline_figures(
    findings: Iterable[Finding],
    region: str,
    areas: Iterable[str],
    key_indicators: Mapping[str, str],
    limit: int = HEADLINE_MAX,
) -> list[Finding]:
    """The 4-6 figures the report opens with: real rows only, by relevance and size.

    Args:
        findings: every finding of the report.
        region: the report's region (other regions' and countries' findings are left out).
        areas: the areas in reading order (the registry's).
        key_indicators: each area's key indicator (``registry.yaml``), picked first.
        limit: most figures.

    Returns:
        Up to ``limit`` findings, one per indicator, taken from the areas in turn; empty when
        the region has only illustrative data.
    """
    candidates = _headline_candidates(findings, region)
    queues = []
    for area in areas:
        mine = [f for f in candidates.values() if f.area == area]
        mine.sort(key=lambda f: (f.indicator != key_indicators.get(area),
                                 _UNIT_RELEVANCE.get(f.unit, 2), _size(f)))  # fmt: skip
        queues.append(mine)
    picked: list[Finding] = []
    while any(queues) and len(picked) < limit:
        for queue in queues:
            if queue and len(picked) < limit:
                picked.append(queue.pop(0))
    return picked


def _when(f: Finding, levels: Levels | None, lang: str) -> str:
    """The line under a headline figure: its period, its change over the term, its source."""
    fmt = number_format(lang)
    if f.statistic == "level_change" and levels is not None:
        return message("report.figure.change", lang, change=fmt.change(f.value, f.unit),
                       percent=fmt.change_percent(levels.relative_change),
                       start=levels.start_year)  # fmt: skip
    if f.statistic in ("reported_total", "total"):
        key = "report.figure.total_published" if f.statistic == "reported_total" else (
            "report.figure.total")  # fmt: skip
        return message(key, lang, start=f.period_start, end=f.period_end)
    key = "report.figure.level_published" if f.statistic == "reported_level" else (
        "report.figure.level")  # fmt: skip
    return message(key, lang, end=f.period_end)


def headline_html(
    picked: list[Finding],
    lang: str,
    names: Mapping[str, str],
    area_names: Mapping[str, str],
    levels: Mapping[str, Levels],
    sources: Iterable[str] = (),
) -> str:
    """The headline block: one card per figure (value, indicator, period and change), or the
    note that only illustrative data exist.

    Args:
        picked: the figures (``headline_figures``).
        lang: "en" or "zh".
        names: indicator id -> name in ``lang`` (from the catalog: escaped here).
        area_names: area id -> name in ``lang`` (escaped here).
        levels: indicator id -> its levels at the window's ends (``window_levels``).
        sources: the published figures' sources, cited under the block (escaped here).
    """
    lang = message_lang(lang)
    if not picked:
        return f'<p class="ut-notice">{message("report.headline_none", lang)}</p>\n'
    fmt = number_format(lang)
    cards = []
    for f in picked:
        level = levels.get(f.indicator)
        if f.statistic == "level_change" and level is not None:
            value = fmt.quantity(level.end, f.unit, level.qualifier)
        else:
            value = fmt.quantity(f.value, f.unit, f.qualifier)
        cards.append(
            '<div class="ut-headline-item">'
            f'<div class="ut-headline-area">{escape_html(area_names.get(f.area, f.area))}</div>'
            f'<div class="ut-headline-value">{escape_html(value)}</div>'
            f'<div class="ut-headline-label">{escape_html(names.get(f.indicator, f.indicator))}'
            f'</div><div class="ut-headline-note">{escape_html(_when(f, level, lang))}</div>'
            "</div>"
        )
    cited = list(dict.fromkeys(str(s) for s in sources if str(s)))
    source = ""
    if cited and any("reported" in f.provenance for f in picked):
        shown = "; ".join(escape_html(s) for s in cited[:3])
        source = f'<p class="ut-source">{message("report.source", lang, source=shown)}</p>'
    return '<div class="ut-headline">' + "".join(cards) + "</div>\n" + source + "\n"


def key_points(
    picked: list[Finding],
    lang: str,
    names: Mapping[str, str],
    area_names: Mapping[str, str],
    levels: Mapping[str, Levels],
    synthetic: bool,
) -> list[str]:
    """3-6 plain points: what the headline figures say, area by area, and what the data are.

    Returns:
        Markdown lines (names escaped), at most ``KEY_POINTS_MAX``.
    """
    lang = message_lang(lang)
    points = []
    for area in dict.fromkeys(f.area for f in picked):
        mine = [f for f in picked if f.area == area]
        said = [plain_sentence(f, lang, names.get(f.indicator, f.indicator),
                               levels.get(f.indicator)) for f in mine]  # fmt: skip
        name = area_names.get(area, area)
        points.append(message("report.point", lang, area=escape_markdown(name),
                              text=escape_markdown(_join(said, lang))))  # fmt: skip
    if not picked:
        points.append(message("report.point_only_illustrative", lang))
    elif synthetic:
        points.append(message("report.point_synthetic", lang))
    points.append(message("report.point_method", lang))
    return points[:KEY_POINTS_MAX]


def key_points_markdown(points: list[str]) -> str:
    """The key points as a Markdown list."""
    return "\n".join(f"- {p}" for p in points) + "\n"


def area_narrative(
    findings: Iterable[Finding],
    area: str,
    region: str,
    lang: str,
    names: Mapping[str, str],
    levels: Mapping[str, Levels],
    drawn: Iterable[str],
    synthetic: bool,
    key_indicator: str = "",
    reported: bool = False,
) -> str:
    """A short narrative of an area: its real figures in plain sentences (three at most),
    then what its chart shows.

    Args:
        findings: every finding of the report.
        area: the area id.
        region: the report's region.
        lang: "en" or "zh".
        names: indicator id -> name in ``lang`` (escaped here).
        levels: the indicators' levels at the window's ends.
        drawn: the indicators the area's chart draws.
        synthetic: whether the chart's annual series are synthetic.
        key_indicator: the area's key indicator (its figure is said first).
        reported: whether the chart marks published figures.
    """
    lang = message_lang(lang)
    real = headline_figures(findings, region, [area], {area: key_indicator}, limit=3)
    said = [plain_sentence(f, lang, names.get(f.indicator, f.indicator),
                           levels.get(f.indicator)) for f in real]  # fmt: skip
    listed = message("separator.list", lang).join(names.get(i, i) for i in drawn)
    chart = "report.chart" + ("_synthetic" if synthetic else "") + ("_reported" if reported else "")
    parts = [_join(said, lang)] if said else []
    if listed:
        parts.append(message(chart, lang, indicators=listed))
    return escape_markdown(_join(parts, lang)) + "\n" if parts else ""


def _join(sentences: Iterable[str], lang: str) -> str:
    """Sentences one after the other: a space between English ones, none between Chinese."""
    return message("separator.sentence", lang).join(sentences)


def findings_details(
    findings: list[Finding],
    lang: str,
    summary: str,
    names: Mapping[str, str],
    levels: Mapping[str, Levels],
    region_names: Mapping[str, str] | None = None,
    region: str = "",
) -> str:
    """Findings in one collapsed section (HTML ``<details>``, no script): each as its plain
    sentence, then its grade and technical note; strongest first.

    Args:
        findings: the findings to list.
        lang: "en" or "zh".
        summary: the section's summary line (library text, or escaped by the caller).
        names: indicator id -> name in ``lang``.
        levels: indicator id -> levels of the report's region.
        region_names: region id -> name for findings about another region or country.
        region: the report's region (its name is left out of the sentences).
    """
    lang = message_lang(lang)
    if not findings:
        return ""
    items = []
    for f in rank_findings(findings):
        name = names.get(f.indicator, f.indicator)
        own = f.region == region
        if not own:  # a reference country: named before the sentence
            name = f"{(region_names or {}).get(f.region, f.region)}: {name}"
        plain = plain_sentence(f, lang, name, levels.get(f.indicator) if own else None)
        grade = message(f"report.grade.{f.evidence}", lang)
        note = message("report.note", lang, grade=grade, note=technical_note(f, lang))
        items.append(f'<li><p class="ut-plain">{escape_html(plain)}</p>'
                     f'<p class="ut-technical">{escape_html(note)}</p></li>')  # fmt: skip
    return (
        f'<details class="ut-group ut-findings"><summary>{summary} '
        f'<span class="ut-summary-note">({len(findings)})</span></summary>\n'
        f'<ol class="ut-findings-list">{"".join(items)}</ol></details>\n'
    )


@dataclass(frozen=True)
class Download:
    """One notebook's files a reader can download (paths relative to the edition folder)."""

    notebook: str
    title: str
    workbook: str | None
    findings: str | None
    csv: tuple[str, ...]


def downloads(edition_dir: Path | str, notebooks: Iterable[tuple[str, str]]) -> list[Download]:
    """The tables and findings files that exist in the edition's folder, per notebook.

    Args:
        edition_dir: the folder the report's HTML is written into (its links are relative).
        notebooks: (notebook name, title) in reading order.
    """
    root = Path(edition_dir)
    out = []
    for name, title in notebooks:
        folder = root / name
        if not folder.is_dir():
            continue
        workbook = folder / "tables.xlsx"
        found = [folder / n for n in ("findings_all.json", "findings.json")
                 if (folder / n).is_file()]  # fmt: skip
        csv = sorted((folder / "tables").glob("*.csv"))
        if not (workbook.is_file() or found or csv):
            continue
        out.append(Download(
            name, title,
            workbook.relative_to(root).as_posix() if workbook.is_file() else None,
            found[0].relative_to(root).as_posix() if found else None,
            tuple(p.relative_to(root).as_posix() for p in csv),
        ))  # fmt: skip
    return out


def _link(text: str, path: str) -> str:
    return f'<a href="{escape_html(quote(path))}">{escape_html(text)}</a>'


def downloads_html(files: list[Download], lang: str) -> str:
    """The download section: per notebook its workbook, findings file and CSV tables."""
    lang = message_lang(lang)
    if not files:
        return f"<p>{message('report.downloads_none', lang)}</p>\n"
    rows = []
    for d in files:
        cells = [escape_html(d.title)]
        cells.append(_link(message("report.download.xlsx", lang), d.workbook) if d.workbook
                     else "–")  # fmt: skip
        cells.append(_link(message("report.download.findings", lang), d.findings) if d.findings
                     else "–")  # fmt: skip
        if d.csv:
            links = " · ".join(_link(Path(p).stem, p) for p in d.csv)
            label = message("report.download.csv", lang, n=len(d.csv))
            cells.append(f'<details class="ut-group"><summary>{label}</summary>{links}</details>')
        else:
            cells.append("–")
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{message(f'report.download.head.{k}', lang)}</th>"
                   for k in ("notebook", "xlsx", "findings", "csv"))  # fmt: skip
    intro = message("report.downloads_intro", lang)
    return (f"<p>{intro}</p>\n<table class=\"ut-table ut-downloads\"><thead><tr>{head}</tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>\n")  # fmt: skip
