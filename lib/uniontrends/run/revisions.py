"""Editions that last: each publication of an edition is a dated revision with the versions of
the data and the method it was made from; a run on other data, another method or other
parameters publishes a new revision that says what it revised, and the revision it replaces is
kept, byte-identical, under ``<year>/revisions/``.

An edition record (``edition.json`` in the edition, and ``manifest.json["edition"]``)::

    {"package": "putuo", "region": "putuo", "year": 2022, "lang": "en",
     "revision": 2, "date": "2026-11-30",
     "versions": {"data": "3f2a…", "method": "9c01…", "parameters": "77b4…"},
     "revises": {"revision": 1, "date": "2026-05-01", "kept_at": "revisions/en-r1-2026-05-01",
                 "changed": ["data: annual/putuo.csv"], "findings_revised": [...]}}

``findings_revised`` is filled in when the revision is published: the findings whose value,
evidence or direction differ from the revision it replaces.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from uniontrends.data.digests import digest_of
from uniontrends.present.layout import EDITION_FILE, EditionPaths

_VERSION_CHARS = 12  # enough to tell versions apart in a title; the manifest keeps full hashes


def today() -> str:
    """Today's date (UTC) as YYYY-MM-DD, the date of a new revision."""
    return datetime.now(UTC).date().isoformat()


def versions(
    *,
    inputs: Mapping[str, str],
    notebooks: Mapping[str, str],
    library: str,
    packages: Mapping[str, str],
    runner: str,
    parameters: Mapping[str, object],
) -> dict[str, str]:
    """The data, method and parameter versions of an edition.

    Args:
        inputs: {data file: SHA-256} the edition reads.
        notebooks: {notebook: SHA-256 of its file}.
        library: digest of the library source.
        packages: {package: version}.
        runner: the runner's cache version.
        parameters: region, year, window, language.

    Returns:
        {"data", "method", "parameters"}: short hex digests.
    """
    method = digest_of({"notebooks": dict(notebooks), "library": library,
                        "packages": dict(packages), "runner": runner})  # fmt: skip
    return {
        "data": digest_of(dict(inputs))[:_VERSION_CHARS],
        "method": method[:_VERSION_CHARS],
        "parameters": digest_of(dict(parameters))[:_VERSION_CHARS],
    }


def _changes(
    published: Mapping[str, Any],
    new_versions: Mapping[str, str],
    inputs: Mapping[str, str],
    parameters: Mapping[str, object],
) -> list[str]:
    """What differs between the published edition and an attempt, in words."""
    old = (published.get("edition") or {}).get("versions", {})
    changed = []
    if old.get("data") != new_versions["data"]:
        before = published.get("inputs") or {}
        files = sorted(f for f in set(before) | set(inputs) if before.get(f) != inputs.get(f))
        shown = ", ".join(files[:5]) + (" ..." if len(files) > 5 else "")
        changed.append(f"data: {shown or 'changed'}")
    if old.get("method") != new_versions["method"]:
        changed.append("method: notebooks, library or package versions")
    if old.get("parameters") != new_versions["parameters"]:
        before = published.get("parameters") or {}
        moved = [f"{k} {before.get(k)} → {parameters[k]}" for k in ("window",)
                 if k in parameters and before.get(k) != parameters[k]]  # fmt: skip
        changed.append("parameters: " + (", ".join(moved) or "changed"))
    return changed


def next_edition(
    paths: EditionPaths,
    published: Mapping[str, Any] | None,
    new_versions: Mapping[str, str],
    inputs: Mapping[str, str],
    parameters: Mapping[str, object],
    date: str,
) -> dict[str, Any]:
    """The edition record an attempt would publish.

    The same versions as the published edition: the same revision (republished, e.g. with
    HTML added). Other versions: the next revision, which names what changed and where the
    revision it replaces will be kept.

    Args:
        paths: the edition's folders.
        published: the published edition's manifest (None when there is none).
        new_versions: ``versions(...)`` of the attempt.
        inputs: {data file: SHA-256} of the attempt.
        parameters: the attempt's parameters.
        date: the date of a new revision (YYYY-MM-DD).

    Returns:
        The record (see the module doc), ``findings_revised`` still empty.
    """
    base = {"package": paths.package, "region": paths.region, "year": paths.year,
            "lang": paths.lang}  # fmt: skip
    old = dict((published or {}).get("edition") or {})
    if published is None:
        return {**base, "revision": 1, "date": date, "versions": dict(new_versions),
                "revises": None}  # fmt: skip
    if old.get("versions") == dict(new_versions):
        return {**base, "revision": old["revision"], "date": old["date"],
                "versions": dict(new_versions), "revises": old.get("revises")}  # fmt: skip
    # An edition published before revisions were recorded counts as revision 1 of its day.
    old_revision = int(old.get("revision") or 1)
    old_date = str(old.get("date") or str(published.get("finished", date))[:10])
    changes = (
        _changes(published, new_versions, inputs, parameters)
        if old.get("versions")
        else ["versions not recorded: published before revisions were kept"]
    )
    return {
        **base,
        "revision": old_revision + 1,
        "date": date,
        "versions": dict(new_versions),
        "revises": {
            "revision": old_revision,
            "date": old_date,
            "kept_at": paths.revision_dir(old_revision, old_date).relative_to(paths.year_dir)
            .as_posix(),
            "changed": changes,
            "findings_revised": [],
        },
    }  # fmt: skip


def is_new_revision(edition: Mapping[str, Any], published: Mapping[str, Any] | None) -> bool:
    """Whether publishing ``edition`` supersedes the published edition's revision."""
    return (
        published is not None
        and bool(edition.get("revises"))
        and ((published.get("edition") or {}).get("revision", 1) != edition["revision"])
    )


def write_edition(folder: Path, edition: Mapping[str, Any]) -> Path:
    """Write ``edition.json`` into an attempt folder (notebooks read it, e.g. the report).

    Returns:
        The file written.
    """
    path = folder / EDITION_FILE
    path.write_text(json.dumps(dict(edition), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")  # fmt: skip
    return path


def findings_revised(before: Path, after: Path) -> list[dict[str, Any]]:
    """The findings of ``after`` whose value, evidence or direction differ from ``before``.

    Args:
        before: the edition being replaced.
        after: the attempt about to be published.

    Returns:
        [{"id", "change", "value_before", "value", "evidence_before", "evidence_after"}], new
        and gone findings included; empty when either folder has no findings.
    """
    from uniontrends.errors import DataError
    from uniontrends.findings.editions import compare_editions, edition_findings

    try:
        changes = compare_editions(edition_findings(before), edition_findings(after))
    except DataError:
        return []
    out = []
    for rec in changes.to_dict("records"):
        moved = rec["value_before"] != rec["value"] and not (
            _nan(rec["value_before"]) and _nan(rec["value"])
        )
        if rec["change"] == "unchanged" and not moved:
            continue
        out.append({
            "id": rec["id"], "change": rec["change"],
            "value_before": None if _nan(rec["value_before"]) else rec["value_before"],
            "value": None if _nan(rec["value"]) else rec["value"],
            "evidence_before": rec["evidence_before"], "evidence_after": rec["evidence_after"],
        })  # fmt: skip
    return out


def _nan(value: object) -> bool:
    return isinstance(value, float) and value != value
