"""What 90_annual_report shows: gathered findings, summary, provenance statement, methods."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from uniontrends.data.derive import derivation_rules
from uniontrends.errors import DataError
from uniontrends.findings import editions
from uniontrends.findings.record import (
    EVIDENCE_LEVELS,
    EVIDENCE_RANK,
    Finding,
    findings_json,
    rank_findings,
    read_findings,
)
from uniontrends.findings.skipped import NOT_ANALYSED_FILE, NotAnalysed, read_not_analysed
from uniontrends.messages import message, message_lang
from uniontrends.numbers import MISSING, estimate_decimals, number_format
from uniontrends.safe import escape_markdown
from uniontrends.stats.audit import APPROX_TOLERANCE, reconciliation_rules
from uniontrends.stats.evidence import (
    CLEAR_N,
    CLEAR_Q,
    SMALL_SAMPLE_N,
    SUGGESTIVE_Q,
    evidence_rules,
)

ALL_FINDINGS_FILE = "findings_all.json"


def findings_source(
    notebook: str, output_dir: Path | str, published_dir: Path | str | None
) -> Path | None:
    """Where a notebook's findings.json is: this run's folder, else the published edition's.

    Args:
        notebook: notebook name, e.g. "02_dispute_resolution".
        output_dir: this run's folder.
        published_dir: the published edition of the same region-year, where an interactive
            run reads the findings of notebooks it did not run (None: this run's folder only).

    Returns:
        The path, or None when neither exists.
    """
    for folder in [Path(output_dir)] + ([Path(published_dir)] if published_dir else []):
        path = folder / notebook / "findings.json"
        if path.exists():
            return path
    return None


def collect_findings(
    output_dir: Path | str, published_dir: Path | str | None, notebooks: tuple[str, ...]
) -> tuple[list[Finding], dict[str, Path | None]]:
    """Read the findings of the given notebooks for one region-year.

    Returns:
        (all findings in notebook order, {notebook: file read or None when missing}).
    """
    found: list[Finding] = []
    sources: dict[str, Path | None] = {}
    for nb in notebooks:
        path = findings_source(nb, output_dir, published_dir)
        sources[nb] = path
        if path is not None:
            found.extend(read_findings(path))
    return found, sources


def collect_not_analysed(
    notebook: str, output_dir: Path | str, published_dir: Path | str
) -> list[NotAnalysed]:
    """The indicators a notebook left out, from this run's folder or the published one.

    Read from the same folder as the notebook's findings (``findings_source``); a notebook
    that wrote no ``not_analysed.json`` left nothing out.
    """
    findings = findings_source(notebook, output_dir, published_dir)
    if findings is None:
        return []
    path = findings.parent / NOT_ANALYSED_FILE
    return read_not_analysed(path) if path.is_file() else []


def sources_table(sources: dict[str, Path | None], output_dir: str | Path) -> pd.DataFrame:
    """Which notebook's findings came from where ("this run", "previous run", "missing")."""
    rows = []
    for nb, path in sources.items():
        if path is None:
            where = "missing"
        elif Path(output_dir) in path.parents:
            where = "this run"
        else:
            where = "previous run"
        rows.append({"notebook": nb, "findings_from": where})
    return pd.DataFrame(rows, columns=["notebook", "findings_from"])


def executive_summary(
    findings: list[Finding], top: int = 10, region: str | None = None
) -> list[Finding]:
    """The strongest findings on real data: ranked by evidence, one per indicator.

    Synthetic (illustrative) findings never make a headline: only findings resting on real rows
    (reported, official annual, reference) are picked, so the list is empty when a region has
    only illustrative data (the report then says so: ``report.only_illustrative`` in the
    message catalog).

    Args:
        findings: every finding of the report.
        top: how many to keep.
        region: only findings about this region (the report's), never the reference
            series of other countries; None keeps every region.
    """
    seen: set[tuple[str, str]] = set()
    out: list[Finding] = []
    real = [
        f
        for f in findings
        if f.evidence != "inconclusive"
        and not f.synthetic
        and (region is None or f.region == region)
    ]
    for f in rank_findings(real):
        key = (f.region, f.indicator)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
        if len(out) == top:
            break
    return out


def key_indicators(findings: list[Finding], area: str, n: int = 4) -> list[str]:
    """The area's indicators for the report's one chart per area.

    A circulated report shows a few indicators per area, not every panel of the area notebook.
    Indicators with findings on real data come first, ranked like the executive summary
    (evidence, then effect size); the rest follow in the order of their findings (catalog
    order), never ranked on synthetic evidence, which would put artefacts of the generator
    forward.

    Args:
        findings: every finding of the report.
        area: area id (membership, disputes, welfare, skills).
        n: how many indicators at most.

    Returns:
        Up to n indicator ids; empty when the area has no findings.
    """
    mine = [f for f in findings if f.area == area]
    picked: list[str] = []
    for f in rank_findings([f for f in mine if not f.synthetic]) + mine:
        if f.indicator not in picked:
            picked.append(f.indicator)
        if len(picked) == n:
            break
    return picked


def provenance_counts(findings: list[Finding]) -> pd.DataFrame:
    """How many findings rest on each provenance (a finding may rest on several).

    Returns:
        Columns provenance, findings; also a row "synthetic (any input)".
    """
    counts: Counter[str] = Counter()
    for f in findings:
        for p in sorted(set(f.provenance)):
            counts[p] += 1
    rows = [{"provenance": p, "findings": n} for p, n in sorted(counts.items())]
    return pd.DataFrame(rows, columns=["provenance", "findings"])


def evidence_overview(findings: list[Finding], area_names: dict[str, str]) -> pd.DataFrame:
    """How many findings each area has at each evidence level, and how many rest on synthetic data.

    Args:
        findings: all findings of the report.
        area_names: display name per area id (areas without findings are left out).

    Returns:
        One row per area with findings, in the order of ``area_names``, then a total row.
        Columns area, the evidence levels (strongest first), findings, and synthetic when
        any finding rests on synthetic data.
    """
    levels = sorted(EVIDENCE_LEVELS, key=EVIDENCE_RANK.get)
    rows = []
    groups = [(name, [f for f in findings if f.area == area]) for area, name in area_names.items()]
    for name, mine in [*groups, ("total", findings)]:
        if not mine:
            continue
        counts = Counter(f.evidence for f in mine)
        rows.append(
            {"area": name}
            | {level: counts[level] for level in levels}
            | {"findings": len(mine), "synthetic": sum(f.synthetic for f in mine)}
        )
    table = pd.DataFrame(rows, columns=["area", *levels, "findings", "synthetic"])
    return table if any(f.synthetic for f in findings) else table.drop(columns="synthetic")


def overview_note(findings: list[Finding], lang: str = "en") -> str:
    """What the overview of all findings counts (synthetic data named only when used)."""
    synthetic = any(f.synthetic for f in findings)
    text = message("overview.counts", lang)
    text += message("overview.synthetic", lang) if synthetic else ""
    return text + message("overview.where", lang)


def provenance_statement(findings: list[Finding], lang: str = "en") -> str:
    """A paragraph saying what the findings rest on: provenance counts, and a sentence on
    synthetic, published and reference data only where findings rest on them."""
    counts = dict(zip(*provenance_counts(findings).to_dict("list").values(), strict=True))
    n_syn = sum(f.synthetic for f in findings)
    parts = [message("provenance.count", lang, name=_provenance_name(p, lang), n=n)
             for p, n in counts.items()]  # fmt: skip
    separator = message("provenance.list_separator", lang)
    text = message("provenance.statement", lang, n=len(findings), parts=separator.join(parts))
    if n_syn:
        text += message("provenance.synthetic_findings", lang, n=n_syn)
    if "reported" in counts:
        text += message("provenance.reported_findings", lang)
    if "reference" in counts:
        text += message("provenance.reference_findings", lang)
    return text


def _provenance_name(provenance: str, lang: str) -> str:
    """A provenance's name for readers (``provenance.<name>`` in the catalog), else as given."""
    try:
        return message(f"provenance.{provenance}", lang)
    except KeyError:
        return provenance


def _rules_markdown(text: str) -> str:
    """A module's rules text as Markdown for readers: one bullet per rule, paragraphs kept.

    The first line's note to programmers ("(``f()`` returns this text ...)") is dropped.
    """
    lines = text.strip().replace("``", "`").splitlines()
    blocks = [re.sub(r"\s*\([^()]*`\w+\(\)`[^()]*\)", "", lines[0]), ""]
    for line in lines[1:]:
        if line.startswith("- ") or not line.strip() or not blocks[-1]:
            blocks.append(line.strip())  # a new bullet, a paragraph break or a paragraph start
        elif blocks[-1].startswith("- ") and not line.startswith("  "):
            blocks += ["", line.strip()]  # prose after a list starts a paragraph
        else:
            blocks[-1] += " " + line.strip()  # a wrapped line continues its bullet or paragraph
    return "\n".join(blocks)


def chance_clear(findings: list[Finding], lang: str = "en") -> str:
    """How many "clear" findings chance alone would produce in this report, as a paragraph.

    Without a multiplicity control each trend test would be "clear" by chance with probability
    up to 5 % when nothing trends; with it, each family gives any "clear" by chance with
    probability at most 5 % (``stats.multiplicity``).
    """
    tested = [f for f in findings if f.p_adjusted is not None]
    families = sorted({f.family for f in tested if f.family})
    clear = sum(f.evidence == "clear" for f in tested)
    m, k = len(tested), len(families)
    fmt = number_format(lang)
    return message(
        "method.chance", lang, tests=m, families=k, expected=fmt.number(m * CLEAR_Q, 1, fixed=True),
        q=fmt.percent(CLEAR_Q, 0), family_expected=fmt.number(k * CLEAR_Q, 2, fixed=True),
        clear=clear,
    )  # fmt: skip


def method_notes(
    lang: str = "en",
    reported: bool = True,
    synthetic: bool = True,
    findings: list[Finding] | None = None,
) -> str:
    """Method notes as Markdown: evidence rules, multiplicity, small samples, lower bounds,
    derivations.

    Args:
        lang: "en" or "zh".
        reported: whether the package has published figures (their reconciliation is
            described only then).
        synthetic: whether any finding rests on synthetic data (the rule about them is
            described only then).
        findings: the report's findings; with them, how many "clear" findings chance alone
            would produce is said (``chance_clear``).
    """
    chance = [chance_clear(findings, lang)] if findings is not None else []
    # The rules as the code applies them (its documentation, docs/methods.md) follow the
    # summary in English; the Chinese edition gives the summary.
    documented = message_lang(lang) == "en"
    fmt = number_format(lang)

    fields = {
        "evidence": dict(clear_q=fmt.number(CLEAR_Q, 2, fixed=True), clear_n=CLEAR_N,
                         suggestive_q=fmt.number(SUGGESTIVE_Q, 2, fixed=True)),
        "small_sample": dict(years=CLEAR_N, small=SMALL_SAMPLE_N,
                             p_min=fmt.number(2 / math.factorial(CLEAR_N), 4, fixed=True)),
        "bounds": dict(approx=fmt.percent(APPROX_TOLERANCE, 0)),
    }  # fmt: skip

    def note(key: str, rules: str = "") -> str:
        text = message(f"method.{key}", lang, **fields.get(key, {}))
        return text + "\n\n" + _rules_markdown(rules) if documented and rules else text

    notes = [
        note("evidence", evidence_rules()),
        *chance,
        note("small_sample"),
        *([note("bounds", reconciliation_rules())] if reported else []),
        note("projection"),
        note("rates", derivation_rules(synthetic)),
    ]
    return "\n\n".join(notes)


def _grade(evidence: object, lang: str) -> str:
    """An evidence level in words (``report.grade.*``); a dash for none."""
    if not evidence:
        return MISSING
    try:
        return message(f"report.grade.{evidence}", lang)
    except KeyError:
        return str(evidence)


def write_all_findings(findings: list[Finding], out_dir: str | Path) -> Path:
    """Write ``findings_all.json`` (same schema as findings.json) into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / ALL_FINDINGS_FILE
    path.write_text(findings_json(findings), encoding="utf-8")
    return path


def previous_findings(
    previous_dir: Path | str | None, report_notebook: str, notebooks: tuple[str, ...]
) -> list[Finding] | None:
    """The previous edition's findings: its report's findings_all.json, else per notebook.

    Args:
        previous_dir: the previous edition's folder (``layout.previous_edition``; None: none).
        report_notebook: the report notebook's name (its folder holds findings_all.json).
        notebooks: the notebooks whose findings the report gathers.

    Returns:
        The findings, or None when there is no previous edition.
    """
    if previous_dir is None:
        return None
    folder = Path(previous_dir)
    combined = folder / report_notebook / ALL_FINDINGS_FILE
    if combined.exists():
        return read_findings(combined)
    files = [folder / nb / "findings.json" for nb in notebooks]
    files = [f for f in files if f.exists()]
    if not files:
        return None
    return [f for path in files for f in read_findings(path)]


def what_changed_section(
    current: list[Finding],
    previous_dir: Path | str | None,
    report_notebook: str,
    notebooks: tuple[str, ...],
    lang: str = "en",
) -> str:
    """Markdown for "What changed since the last edition" (rules in ``findings.editions``).

    Args:
        current: this edition's findings.
        previous_dir: the previous edition's folder (``layout.previous_edition``; None: none).
        report_notebook: the report notebook's name.
        notebooks: the notebooks whose findings the report gathers.
        lang: "en" or "zh".

    Returns:
        The comparison as Markdown, or a one-line note when there is no previous edition.
    """
    try:
        previous = previous_findings(previous_dir, report_notebook, notebooks)
    except DataError as exc:  # the message quotes the file: escaped
        return message("changed.unreadable", lang, error=escape_markdown(exc))
    if previous is None:
        return message("changed.none", lang)
    changes = editions.compare_editions(previous, current)
    return str(editions.what_changed_markdown(changes, lang))


def edition_markdown(
    edition: dict, changes: pd.DataFrame | None, lang: str = "en", limit: int = 15
) -> str:
    """Markdown for the edition's revision: its date and versions, and what it revised.

    File names and finding ids come from the data package: escaped (``safe.escape_markdown``).

    Args:
        edition: the edition record (``edition.json``: revision, date, versions, revises).
        changes: ``editions.compare_editions(revised revision's findings, this edition's)``,
            or None when the edition revises nothing.
        lang: "en" or "zh".
        limit: most revised findings listed.

    Returns:
        Markdown.
    """

    def words(key: str, **fields: object) -> str:
        return message(f"edition.{key}", lang, **fields)

    versions = edition.get("versions") or {}
    lines = [words("edition", revision=edition.get("revision", 1),
                                     date=edition.get("date", ""),
                                     data=versions.get("data", "?"),
                                     method=versions.get("method", "?"))]  # fmt: skip
    revises = edition.get("revises")
    if not revises:
        return "\n\n".join([*lines, words("first")]) + "\n"
    lines.append(words("revises",
        revision=revises.get("revision"), date=revises.get("date"),
        changed=escape_markdown("; ".join(revises.get("changed", []))),
        kept_at=escape_markdown(revises.get("kept_at", "")),
    ))  # fmt: skip
    if changes is None or changes.empty:
        return "\n\n".join(lines) + "\n"
    value_moved = (changes["value_before"] != changes["value"]) & ~(
        changes["value_before"].isna() & changes["value"].isna()
    )
    revised = changes[(changes["change"] != "unchanged") | value_moved]
    if revised.empty:
        return "\n\n".join([*lines, words("none_revised")]) + "\n"
    lines.append(words("revised", n=len(revised), total=len(changes)))
    fmt = number_format(lang)
    items = []
    for rec in revised.head(limit).to_dict("records"):
        before, after = (
            fmt.value(v, estimate_decimals(v)) for v in (rec["value_before"], rec["value"])
        )
        evidence = (f"; {_grade(rec['evidence_before'], lang)} → "
                    f"{_grade(rec['evidence_after'], lang)}"
                    if rec["evidence_before"] != rec["evidence_after"] else "")  # fmt: skip
        items.append(f"- {escape_markdown(rec['id'])}: {before} → {after}{evidence}")
    if len(revised) > limit:
        items.append(f"- {words('more', n=len(revised) - limit)}")
    return "\n\n".join(lines) + "\n\n" + "\n".join(items) + "\n"
