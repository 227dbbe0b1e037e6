"""manifest.json of a region-year folder: parameters, inputs, versions, timings, cache use."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from uniontrends import __version__

MANIFEST_NAME = "manifest.json"


def now_iso() -> str:
    """Current UTC time as ISO 8601 with seconds.

    Returns:
        e.g. "2024-05-01T08:00:00+00:00".
    """
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of an output folder, or None when absent or unreadable (then nothing is cached).

    Args:
        folder: a region-year output folder.

    Returns:
        The parsed manifest or None.
    """
    try:
        loaded = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write manifest.json into a folder (the folder is still temporary, so no rename is needed).

    Args:
        folder: the temporary region-year folder.
        manifest: JSON-serialisable manifest.

    Returns:
        Path of the written file.
    """
    path = folder / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def git_commit(root: Path) -> str | None:
    """The checked-out git commit of the project, None outside git or without git installed.

    Args:
        root: project root.

    Returns:
        40-hex commit id (suffixed "+dirty" when the tree has changes) or None.
    """
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            env=env,
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def build_manifest(
    *,
    region: str,
    year: int,
    parameters: dict[str, Any],
    inputs: dict[str, str],
    library: str,
    packages: dict[str, str],
    commit: str | None,
    started: str,
    notebooks: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Assemble the manifest of one region-year run.

    Args:
        region: region id.
        year: last year of the window.
        parameters: parameters injected into every notebook (region, year, window, lang).
        inputs: {data file relative to the data folder: SHA-256}.
        library: digest of the uniontrends source.
        packages: {package: version}.
        commit: git commit or None.
        started: ISO start time of the run.
        notebooks: {notebook: record with status, cache, reason, key, components, duration_s}.

    Returns:
        The manifest as a dict.
    """
    ran = [r.get("duration_s") or 0.0 for r in notebooks.values() if r.get("cache") == "miss"]
    return {
        "uniontrends_version": __version__,
        "git_commit": commit,
        "region": region,
        "year": year,
        "parameters": parameters,
        "started": started,
        "finished": now_iso(),
        "executed_seconds": round(sum(ran), 3),
        "inputs": inputs,
        "library_digest": library,
        "packages": packages,
        "notebooks": notebooks,
    }
