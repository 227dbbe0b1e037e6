"""What changed between two editions of the findings (e.g. the 2022 and the 2023 report).

Rules, applied in this order to findings matched by id (``region.indicator.statistic``):

1. ``new``: the id is only in the current edition; ``gone``: only in the previous one.
2. ``reversed``: the direction flipped between ``up`` and ``down`` and the current finding is
   not ``inconclusive`` (a flip the data cannot tell from noise falls through to rule 3).
3. ``strengthened`` / ``weakened``: both editions tested a trend (evidence ``clear``,
   ``suggestive`` or ``inconclusive``) and the evidence moved up / down that scale
   (inconclusive < suggestive < clear).
4. ``strengthened`` / ``weakened``: otherwise, the direction moved from ``flat``/``none`` to
   ``up``/``down`` (a trend appeared) or the other way (a trend vanished).
5. ``unchanged``: none of the above (the value may still have moved; see ``value_change``).

``descriptive`` findings state a fact without a test, so only rules 1, 2 and 4 apply to them.

Method versions: every finding records the version of the grading methods that produced it
(``method_version``; editions written before it was recorded were graded by version 1). When
the two editions of a changed finding were graded by different versions, its ``cause`` is
``method`` (its evidence or direction may have moved because the rules changed, not the data)
and "What changed" says so; otherwise ``data``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from uniontrends.data.model import LANGS
from uniontrends.errors import DataError, Problem
from uniontrends.findings.record import Finding, read_findings
from uniontrends.findings.wording import synthetic_label
from uniontrends.messages import message
from uniontrends.numbers import estimate_decimals, number_format
from uniontrends.safe import escape_markdown

CHANGES = ("new", "gone", "reversed", "strengthened", "weakened", "unchanged")
_TESTED_STRENGTH = {"inconclusive": 0, "suggestive": 1, "clear": 2}
_TRENDING = ("up", "down")
COLUMNS = (
    "id", "change", "indicator", "area", "evidence_before", "evidence_after", "value_before",
    "value", "value_change", "direction_before", "direction", "statement_en", "statement_zh",
    "synthetic", "cause", "method_before", "method_after",
)  # fmt: skip
_ORDER = {c: i for i, c in enumerate(("reversed", "strengthened", "weakened", "new", "gone",
                                      "unchanged"))}  # fmt: skip


def classify(before: Finding, after: Finding) -> str:
    """The change between two editions of the same finding (rules 2-5 of the module doc).

    Args:
        before: the previous edition's finding.
        after: the current edition's finding (same id).

    Returns:
        One of "reversed", "strengthened", "weakened", "unchanged".
    """
    d0, d1 = before.direction, after.direction
    if d0 in _TRENDING and d1 in _TRENDING and d0 != d1 and after.evidence != "inconclusive":
        return "reversed"
    s0, s1 = _TESTED_STRENGTH.get(before.evidence), _TESTED_STRENGTH.get(after.evidence)
    if s0 is not None and s1 is not None and s0 != s1:
        return "strengthened" if s1 > s0 else "weakened"
    if d0 not in _TRENDING and d1 in _TRENDING:
        return "strengthened"
    if d0 in _TRENDING and d1 not in _TRENDING:
        return "weakened"
    return "unchanged"


def _value_change(before: float | None, after: float | None) -> float:
    if before is None or after is None or before == 0:
        return math.nan
    return (after - before) / abs(before)


def _version(f: Finding | None) -> int | None:
    if f is None:
        return None
    return f.method_version or 1  # editions before versions were recorded: version 1


def _row(
    change: str, before: Finding | None, after: Finding | None, editions: tuple[int, int]
) -> dict[str, object]:
    main = after or before
    assert main is not None
    v0, v1 = _version(before), _version(after)
    # a finding new or gone between editions graded by different methods may be the method's
    v0, v1 = v0 or editions[0], v1 or editions[1]
    by_method = change != "unchanged" and v0 != v1
    return {
        "id": main.id,
        "change": change,
        "indicator": main.indicator,
        "area": main.area,
        "evidence_before": before.evidence if before else "",
        "evidence_after": after.evidence if after else "",
        "value_before": before.value if before and before.value is not None else math.nan,
        "value": after.value if after and after.value is not None else math.nan,
        "value_change": _value_change(before.value if before else None,
                                      after.value if after else None),
        "direction_before": before.direction if before else "",
        "direction": after.direction if after else "",
        "statement_en": main.statement_en,
        "statement_zh": main.statement_zh,
        "synthetic": bool((after and after.synthetic) or (before and before.synthetic)),
        "cause": "method" if by_method else "data",
        "method_before": v0,
        "method_after": v1,
    }  # fmt: skip


def compare_editions(previous: list[Finding], current: list[Finding]) -> pd.DataFrame:
    """Compare two editions' findings by id.

    Args:
        previous: the earlier edition's findings.
        current: the later edition's findings.

    Returns:
        DataFrame with COLUMNS, one row per id in either edition: change (see module doc),
        evidence and direction before/after, value before/after in the finding's unit,
        value_change (relative, NaN without both values), the current (else previous)
        statement, cause ("method" when the editions' method versions differ, else "data")
        and the two method versions. Sorted reversed, strengthened, weakened, new, gone,
        unchanged, then id.
    """
    before = {f.id: f for f in previous}
    after = {f.id: f for f in current}
    versions = (
        max((_version(f) or 1 for f in previous), default=1),
        max((_version(f) or 1 for f in current), default=1),
    )
    rows = []
    for ident in sorted(set(before) | set(after)):
        b, a = before.get(ident), after.get(ident)
        if b is None:
            rows.append(_row("new", None, a, versions))
        elif a is None:
            rows.append(_row("gone", b, None, versions))
        else:
            rows.append(_row(classify(b, a), b, a, versions))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    if frame.empty:
        return frame
    frame["_order"] = frame["change"].map(_ORDER)
    frame = frame.sort_values(["_order", "id"], kind="stable").drop(columns="_order")
    return frame.reset_index(drop=True)


def _fmt(value: float | None, lang: str) -> str:
    """A finding's value in its own unit, as a number (a dash when missing)."""
    return number_format(lang).value(value, estimate_decimals(value) if value is not None else 0)


def _words(key: str, lang: str, **fields: object) -> str:
    return message(f"changes.{key}", lang, **fields)


def _coded(kind: str, code: object, lang: str) -> str:
    """An evidence level or a direction in words (``report.grade.*``, ``direction.*``)."""
    if not code:
        return ""
    try:
        return message(f"{kind}.{code}", lang)
    except KeyError:
        return str(code)


def _detail(rec: dict[str, object], lang: str) -> str:
    def ev(e: object) -> str:
        return _coded("report.grade", e, lang)

    def di(d: object) -> str:
        return _coded("direction", d, lang)

    parts = []
    change = rec["change"]
    if change in ("reversed", "strengthened", "weakened"):
        if rec["direction_before"] != rec["direction"]:
            parts.append(
                f"{_words('direction', lang)} {di(rec['direction_before'])} → "
                f"{di(rec['direction'])}"
            )
        if rec["evidence_before"] != rec["evidence_after"]:
            parts.append(
                f"{_words('evidence', lang)} {ev(rec['evidence_before'])} → "
                f"{ev(rec['evidence_after'])}"
            )
        parts.append(f"{_fmt(rec['value_before'], lang)} → {_fmt(rec['value'], lang)}")  # type: ignore[arg-type]
    return message("separator.clause", lang).join(parts)


def what_changed_markdown(
    changes: pd.DataFrame, lang: str = "en", limit: int = 20, heading: bool = False
) -> str:
    """Markdown for the report's "What changed since the last edition" section.

    Args:
        changes: from compare_editions.
        lang: "en" or "zh".
        limit: most findings listed per kind of change (the rest are counted).
        heading: start with "## What changed since the last edition" (the report notebook has
            its own heading, so off by default).

    Returns:
        Markdown: counts, one list per kind of change (unchanged ones only counted). Ids and
        statements carry names from the data package and are escaped
        (``safe.escape_markdown``): they show as written, never as markup.
    """
    if lang not in LANGS:
        lang = "en"
    lines = [f"## {_words('title', lang)}", ""] if heading else []
    changed = changes[changes["change"] != "unchanged"] if len(changes) else changes
    if changed.empty:
        return "\n".join(lines + [_words("none", lang), ""])
    lines += [_words("counts", lang, n_changed=len(changed), n_total=len(changes)), ""]
    by_method = changed[changed["cause"] == "method"] if "cause" in changed else changed.iloc[:0]
    if len(by_method):
        first = by_method.iloc[0]
        lines += [_words("method", lang, before=int(first["method_before"]),
                         after=int(first["method_after"]), n=len(by_method)), ""]  # fmt: skip
    statement = "statement_zh" if lang == "zh" else "statement_en"
    for kind in ("reversed", "strengthened", "weakened", "new", "gone"):
        group = changed[changed["change"] == kind]
        if group.empty:
            continue
        lines += [f"### {_words(kind, lang)} ({len(group)})", ""]
        for rec in group.head(limit).to_dict("records"):
            detail = _detail(rec, lang)
            label = synthetic_label(lang)
            text = str(rec[statement])
            if rec["synthetic"] and not text.startswith(label):
                text = label + text
            if rec.get("cause") == "method":
                by_method_word = _words("by_method", lang)
                detail = f"{detail} ({by_method_word})" if detail else by_method_word
            indicator, ident = escape_markdown(rec["indicator"]), escape_markdown(rec["id"])
            lines.append(f"- **{indicator}** ({ident}): {escape_markdown(text)}"
                         + (f" — {detail}" if detail else ""))  # fmt: skip
        if len(group) > limit:
            lines.append(f"- … +{len(group) - limit}")
        lines.append("")
    lines += [f"_{_words('rules', lang)}_", ""]
    return "\n".join(lines)


def edition_findings(folder: Path | str) -> list[Finding]:
    """All findings of one edition: <folder>/**/findings.json (one language's edition folder).

    The report's combined findings_all.json is skipped so that no finding counts twice.

    Args:
        folder: the edition's folder.

    Returns:
        Findings, the first occurrence of each id kept.

    Raises:
        DataError: the edition's folder or findings are missing, or a file is malformed.
    """
    folder = Path(folder)
    files = sorted(folder.rglob("findings.json")) if folder.is_dir() else []
    if not files:
        raise DataError(
            [Problem(str(folder), "edition_missing",
                     f"no findings.json under {folder}; run `uniontrends run` for that region "
                     "and year first")]
        )  # fmt: skip
    seen: dict[str, Finding] = {}
    for path in files:
        for finding in read_findings(path):
            seen.setdefault(finding.id, finding)
    return list(seen.values())


def diff_editions(before: Path | str, after: Path | str) -> pd.DataFrame:
    """compare_editions on two published editions' folders.

    Args:
        before: the earlier edition's folder (e.g. outputs/putuo/putuo/2022/en).
        after: the later edition's folder.

    Returns:
        The comparison (see compare_editions).

    Raises:
        DataError: an edition is missing or unreadable.
    """
    return compare_editions(edition_findings(before), edition_findings(after))
