"""The finding record: one statistic as a bilingual sentence backed by a value and evidence.

A finding is what a notebook reports and what the annual report gathers. Its id is a stable slug
``f"{region}.{indicator}.{statistic}"`` so editions can be compared. ``findings.json`` carries a
schema version and the version of the grading methods (``stats.evidence.METHOD_VERSION``);
``read_findings`` validates every record and names the record and field broken, and reads the
previous schema (1, before raw/adjusted p-values and method versions were recorded) too.

A tested finding keeps its raw p-value (``p_value``) and the p-value adjusted for its family of
tests (``p_adjusted``, Benjamini-Hochberg over the ``family_size`` tests of ``family``); its
evidence level is graded on the adjusted one.

How numbers, units and bounds are worded is in ``findings.wording``; findings built on
synthetic inputs are marked in ``findings.md``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from uniontrends.data.model import PROVENANCES, QUALIFIERS
from uniontrends.errors import DataError, Problem
from uniontrends.messages import message, message_table
from uniontrends.numbers import number_format
from uniontrends.safe import escape_markdown
from uniontrends.stats.bounds import UNDETERMINED
from uniontrends.stats.evidence import METHOD_VERSION

SCHEMA_VERSION = 2
READABLE_SCHEMAS = (1, 2)
# findings.json files are a few hundred KiB; anything far larger is not one.
MAX_FINDINGS_BYTES = 64 * 1024 * 1024
# A statistic through bounds on the same side (the change between two lower bounds) is bounded
# in neither direction: "undetermined", never "approx".
FINDING_QUALIFIERS = (*QUALIFIERS, UNDETERMINED)
DIRECTIONS = ("up", "down", "flat", "none")
EVIDENCE_LEVELS = ("clear", "suggestive", "inconclusive", "descriptive")
# Trend tests first; descriptive facts are solid but claim no trend, so they rank above an
# inconclusive test and below any test that found something.
EVIDENCE_RANK = {"clear": 0, "suggestive": 1, "descriptive": 2, "inconclusive": 3}


@dataclass
class Finding:
    """One statistic with its statement in English and Chinese.

    value, interval_low and interval_high are in ``unit`` (a share is in [0, 1]); an open
    interval end (a lower bound's upper end) is None. effect is a unitless size used for ranking
    (relative change per year), None when the statistic has none. p_value is the raw p-value
    of the grading test, p_adjusted the Benjamini-Hochberg p-value within ``family`` (of
    ``family_size`` tests) that the evidence level is graded on. n is the number of years the
    statistic uses; shock_robust whether a trend's direction survives leaving out the data
    package's shock years (None: not applicable); method_version the grading methods' version.
    """

    id: str
    area: str
    indicator: str
    region: str
    period_start: int
    period_end: int
    statistic: str
    statement_en: str
    statement_zh: str
    value: float | None
    unit: str
    interval_low: float | None = None
    interval_high: float | None = None
    p_value: float | None = None
    direction: str = "none"
    evidence: str = "descriptive"
    small_sample: bool = False
    qualifier: str = "exact"
    provenance: list[str] = field(default_factory=list)
    synthetic: bool = False
    notebook: str | None = None
    effect: float | None = None
    method: str | None = None
    p_adjusted: float | None = None
    family: str | None = None
    family_size: int | None = None
    n: int | None = None
    shock_robust: bool | None = None
    method_version: int | None = METHOD_VERSION

    def statement(self, lang: str = "en") -> str:
        """The statement in ``lang`` ("en" or "zh")."""
        return self.statement_zh if lang == "zh" else self.statement_en

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; non-finite numbers become None (JSON has no inf/NaN)."""
        out = asdict(self)
        for key in _OPTIONAL_NUMBERS:
            out[key] = _finite_or_none(out[key])
        return out


def make_id(region: str, indicator: str, statistic: str) -> str:
    """The stable slug of a finding: ``region.indicator.statistic``."""
    return f"{region}.{indicator}.{statistic}"


def _finite_or_none(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def rank_findings(findings: list[Finding]) -> list[Finding]:
    """Order findings by evidence (clear, suggestive, descriptive, inconclusive), then |effect|.

    Findings without an effect come after those with one at the same evidence level; the sort is
    stable, so equal findings keep their order.
    """
    return sorted(
        findings,
        key=lambda f: (
            EVIDENCE_RANK.get(f.evidence, 9),
            f.effect is None,
            -abs(f.effect) if f.effect is not None and math.isfinite(f.effect) else 0.0,
        ),
    )


def write_findings(
    findings: list[Finding], out_dir: str | Path, lang: str = "en"
) -> tuple[Path, Path]:
    """Write ``findings.json`` (schema version + records) and ``findings.md`` (a readable table
    in ``lang``, the edition's language: "en" or "zh").

    Returns:
        The paths of the JSON and Markdown files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "findings.json", out / "findings.md"
    json_path.write_text(findings_json(findings), encoding="utf-8")
    md_path.write_text(findings_markdown(findings, lang), encoding="utf-8")
    return json_path, md_path


def findings_json(findings: list[Finding]) -> str:
    """The findings.json document: schema and method version, then the records (each with the
    method version that produced it; a finding read from an older edition keeps its own)."""
    doc = {"schema_version": SCHEMA_VERSION, "method_version": METHOD_VERSION,
           "findings": [f.to_dict() for f in findings]}  # fmt: skip
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _md_cell(text: object) -> str:
    """A table cell of text the library wrote (evidence, interval, p, provenance)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_interval(f: Finding, lang: str) -> str:
    if f.interval_low is None and f.interval_high is None:
        return ""
    fmt = number_format(lang)
    low = "−∞" if f.interval_low is None else fmt.value(f.interval_low, 3, large=False, fixed=True)
    high = (
        "∞" if f.interval_high is None else fmt.value(f.interval_high, 3, large=False, fixed=True)
    )
    return f"[{low}, {high}]"


def findings_markdown(findings: list[Finding], lang: str = "en") -> str:
    """A Markdown table of findings in ``lang`` (headings, evidence and provenance words);
    rows from synthetic data are marked "SYNTHETIC" (合成).

    Ids and statements carry names from the data package: they are escaped
    (``safe.escape_markdown``), so a name holding HTML or Markdown shows as written.
    """
    words = message_table("word", lang)
    lines = [message("findings_md.header", lang), "|---|---|---|---|---|---|"]
    for f in findings:
        p = "" if f.p_value is None else f"{f.p_value:.3f}"
        if f.p_adjusted is not None:
            p += message("findings_md.adjusted", lang, p=f"{f.p_adjusted:.3f}")
        kinds = (words.get(k, k) for k in sorted(set(f.provenance)))
        data = (message("findings_md.synthetic", lang) if f.synthetic
                else message("separator.list", lang).join(kinds))  # fmt: skip
        if f.small_sample:
            data += message("findings_md.small_sample", lang)
        evidence = words.get(str(f.evidence), f.evidence)
        written = (_md_cell(c) for c in (evidence, _md_interval(f, lang), p, data))
        evidence, interval, p_cell, data_cell = written
        cells = (escape_markdown(f.id), evidence, escape_markdown(f.statement(lang)), interval,
                 p_cell, data_cell)  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    if any(f.synthetic for f in findings):
        lines.append("")
        lines.append(message("findings_md.synthetic_note", lang))
    return "\n".join(lines) + "\n"


_REQUIRED = {
    "id": str,
    "area": str,
    "indicator": str,
    "region": str,
    "period_start": int,
    "period_end": int,
    "statistic": str,
    "statement_en": str,
    "statement_zh": str,
    "unit": str,
}
_OPTIONAL_NUMBERS = ("value", "interval_low", "interval_high", "p_value", "effect", "p_adjusted")
_OPTIONAL_TYPES = {"family": str, "family_size": int, "n": int, "shock_robust": bool,
                   "method_version": int, "method": str, "notebook": str}  # fmt: skip


def _check_record(rec: object, i: int, file: str) -> list[Problem]:
    """Problems of one JSON record; ``row`` is the 1-based record number."""
    if not isinstance(rec, dict):
        return [Problem(file, "record_is_object", "a finding must be a JSON object", row=i)]
    problems = []
    known = {f.name for f in fields(Finding)}
    for key in sorted(set(rec) - known):
        problems.append(Problem(file, "known_field", f"unknown field {key!r}", i, key))
    for key, typ in _REQUIRED.items():
        if key not in rec:
            problems.append(Problem(file, "required_field", "missing", i, key))
        elif not isinstance(rec[key], typ) or isinstance(rec[key], bool):
            problems.append(Problem(file, "field_type", f"must be {typ.__name__}", i, key))
    for key in _OPTIONAL_NUMBERS:
        v = rec.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            problems.append(Problem(file, "field_type", "must be a number or null", i, key))
    for key, typ in _OPTIONAL_TYPES.items():
        v = rec.get(key)
        if v is not None and (not isinstance(v, typ) or (typ is int and isinstance(v, bool))):
            problems.append(Problem(file, "field_type", f"must be {typ.__name__} or null", i, key))
    enums = {
        "direction": DIRECTIONS,
        "evidence": EVIDENCE_LEVELS,
        "qualifier": FINDING_QUALIFIERS,
    }
    for key, allowed in enums.items():
        if key in rec and rec[key] not in allowed:
            problems.append(Problem(file, "allowed_value", f"must be one of {allowed}", i, key))
    prov = rec.get("provenance", [])
    if not isinstance(prov, list) or any(p not in PROVENANCES for p in prov):
        problems.append(
            Problem(file, "allowed_value", f"must be a list of {PROVENANCES}", i, "provenance")
        )
    for key in ("small_sample", "synthetic"):
        if key in rec and not isinstance(rec[key], bool):
            problems.append(Problem(file, "field_type", "must be true or false", i, key))
    return problems


def read_findings(path: str | Path) -> list[Finding]:
    """Read and validate a ``findings.json`` written by ``write_findings``.

    Raises:
        DataError: the file is missing, not JSON, of another schema version, or has bad records
            (row = 1-based record number, column = field).
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise DataError([Problem(file, "file_exists", "findings file not found")])
    if path.stat().st_size > MAX_FINDINGS_BYTES:
        raise DataError([Problem(file, "file_too_large", "the findings file is too large")])
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DataError(
            [Problem(file, "valid_json", f"not UTF-8 text (byte {exc.start}): a truncated or "
                     "binary file; run the notebook again to rewrite it")]
        ) from None  # fmt: skip
    except json.JSONDecodeError as exc:
        raise DataError(
            [Problem(file, "valid_json", f"{exc.msg} (a truncated or damaged file; run the "
                     "notebook again to rewrite it)", row=exc.lineno)]
        ) from None  # fmt: skip
    except RecursionError:
        raise DataError([Problem(file, "valid_json", "nested too deeply")]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise DataError([Problem(file, "schema", "expected an object with a 'findings' list")])
    if doc.get("schema_version") not in READABLE_SCHEMAS:
        raise DataError(
            [
                Problem(
                    file,
                    "schema_version",
                    f"schema_version {doc.get('schema_version')!r}, expected one of "
                    f"{READABLE_SCHEMAS}",
                )
            ]
        )
    problems = [p for i, rec in enumerate(doc["findings"], 1) for p in _check_record(rec, i, file)]
    if problems:
        raise DataError(problems)
    # schema 1 recorded no method version: those editions were graded by version 1
    version = doc.get("method_version", 1)
    return [Finding(**{"method_version": version, **rec}) for rec in doc["findings"]]
