"""Publishing an edition whole or not at all: its lock, the hidden attempt folder, the swap by
renames, earlier revisions kept, failed attempts moved to ``_failed/``, leftovers cleaned.

Readers of ``<year>/<lang>/`` see the previous edition or the new one, never a mix: an attempt
is written into a hidden folder next to it and swapped in by two renames only when every
notebook succeeded. Nothing here follows a symbolic link (``layout.checked``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from uniontrends.errors import UniontrendsError
from uniontrends.present import layout
from uniontrends.present.layout import EditionPaths
from uniontrends.run import manifest
from uniontrends.run.jobs import LockBusyError, RunCancelled

FAILURE_FILE = "failure.json"
_LOCK_POLL_S = 0.2  # how often a wait for a lock checks for Ctrl-C


def _unique() -> str:
    return f"{os.getpid()}-{secrets.token_hex(4)}"


@contextmanager
def edition_lock(
    paths: EditionPaths, timeout: float, cancelled: Callable[[], bool] = lambda: False
) -> Iterator[None]:
    """Hold the edition's lock (``<year>/.<lang>.lock``) while an attempt runs and publishes.

    Args:
        paths: the edition.
        timeout: seconds to wait when another run holds it (0 = fail at once).
        cancelled: stops the wait when it turns true.

    Raises:
        LockBusyError: still held after ``timeout`` seconds (the message names the lock).
        RunCancelled: cancelled while waiting.
        UnsafePathError: the lock or its folder is a symbolic link.
    """
    layout.make_dirs(paths.root, paths.year_dir)
    lock_file = layout.checked(paths.root, paths.lock)
    lock = FileLock(str(lock_file), thread_local=False)
    deadline = time.monotonic() + timeout
    while True:
        try:
            lock.acquire(timeout=max(0.0, min(_LOCK_POLL_S, deadline - time.monotonic())))
            break
        except Timeout:
            if cancelled():
                raise RunCancelled("interrupted while waiting for a lock") from None
            if time.monotonic() >= deadline:
                raise LockBusyError(
                    f"{paths.label} is being written by another run (lock {lock_file}); "
                    f"waited {timeout:g} s: try again later or pass --lock-timeout SECONDS"
                ) from None
    try:
        yield
    finally:
        lock.release()


def clean_stale(paths: EditionPaths) -> list[Path]:
    """Tidy what killed runs left next to the edition; call only while holding its lock.

    An edition moved aside for a swap that never finished is put back; one moved aside by a
    swap that did finish is kept under ``revisions/`` when it was another revision, else
    removed; attempt folders are removed.

    Returns:
        The folders removed.
    """
    parent = paths.year_dir
    if not parent.is_dir():
        return []
    replaced = sorted(
        (p for p in parent.glob(f"{paths.replaced_prefix}*") if not p.is_symlink()),
        key=lambda p: p.stat().st_mtime,
    )
    if replaced and not paths.dest.exists():
        replaced.pop().rename(layout.checked(paths.root, paths.dest))
    removed = []
    for old in replaced:
        if _retire(paths, old) is None:
            removed.append(old)
    for attempt in parent.glob(f"{paths.attempt_prefix}*"):
        layout.remove_tree(paths.root, attempt)
        removed.append(attempt)
    return removed


def new_attempt(paths: EditionPaths) -> Path:
    """Create the hidden folder an attempt writes into, next to the edition.

    Raises:
        UnsafePathError: a folder on the way is a symbolic link.
    """
    layout.make_dirs(paths.root, paths.year_dir)
    attempt = layout.checked(paths.root, paths.year_dir / f"{paths.attempt_prefix}{_unique()}")
    attempt.mkdir()
    return attempt


def _revision_of(folder: Path) -> tuple[int, str] | None:
    found = manifest.read_manifest(folder)
    if found is None:
        return None
    edition = found.get("edition") or {}
    return int(edition.get("revision") or 1), str(
        edition.get("date") or str(found.get("finished", ""))[:10] or "undated"
    )


def _retire(paths: EditionPaths, old: Path) -> Path | None:
    """Keep a replaced edition under revisions/ when it was another revision; else remove it.

    Returns:
        Where it is kept, or None when it was removed.
    """
    old = layout.checked(paths.root, old)
    was, now = _revision_of(old), _revision_of(paths.dest)
    if was is not None and (now is None or was[0] != now[0]):
        kept = paths.revision_dir(*was)
        if not kept.exists():
            layout.make_dirs(paths.root, paths.revisions_dir)
            old.rename(layout.checked(paths.root, kept))
            return kept
    layout.remove_tree(paths.root, old)
    return None


def publish(paths: EditionPaths, attempt: Path) -> Path | None:
    """Swap a complete attempt in as the edition, by renames.

    The edition it replaces is kept under ``revisions/`` when the attempt is a new revision
    (their manifests say), else removed.

    Args:
        paths: the edition.
        attempt: the attempt folder, with every product and its manifest.

    Returns:
        Where the replaced revision is kept (None: nothing kept).
    """
    dest = layout.checked(paths.root, paths.dest)
    old = None
    if dest.exists():
        old = layout.checked(paths.root, paths.year_dir / f"{paths.replaced_prefix}{_unique()}")
        dest.rename(old)
    try:
        attempt.rename(dest)
    except OSError:
        if old is not None:
            old.rename(dest)  # the previous edition back in place
        raise
    return _retire(paths, old) if old is not None else None


def keep_failed(paths: EditionPaths, attempt: Path, summary: Mapping[str, Any]) -> Path:
    """Move a failed attempt to ``_failed/<package>/<region>/<year>/<lang>/`` with its summary.

    The move is a rename, so a full disk does not stop it; the previous failed attempt of the
    edition is replaced.

    Returns:
        The folder the attempt is kept in.

    Raises:
        UnsafePathError: ``_failed`` or a folder in it is a symbolic link (the attempt stays
            where it is, to be removed by the caller).
        OSError: it could not be moved.
    """
    target = layout.checked(paths.root, paths.failed)
    if target.exists() or target.is_symlink():
        layout.remove_tree(paths.root, target)
    layout.make_dirs(paths.root, target.parent)
    try:
        attempt.rename(target)
    except OSError:
        shutil.move(str(attempt), str(target))  # another file system under outputs/
    try:
        (target / FAILURE_FILE).write_text(
            json.dumps(dict(summary), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    except OSError:
        pass  # a full disk: the executed notebooks are there; the summary is printed anyway
    return target


def forget_failure(paths: EditionPaths) -> None:
    """Remove the edition's failed attempt once it has been published whole."""
    try:
        layout.remove_tree(paths.root, paths.failed)
    except (layout.UnsafePathError, OSError):
        pass  # not ours to follow; it stays until a person removes it


def discard(paths: EditionPaths, attempt: Path) -> None:
    """Remove an attempt that is neither published nor kept (e.g. after Ctrl-C)."""
    if attempt.exists():
        layout.remove_tree(paths.root, attempt)


def discard_own_attempts(paths: EditionPaths) -> None:
    """Remove the attempts this process has under way for an edition (after Ctrl-C, when its
    thread did not stop in time; this process holds the edition's lock, so they are its own).
    """
    for attempt in paths.year_dir.glob(f"{paths.attempt_prefix}{os.getpid()}-*"):
        try:
            layout.remove_tree(paths.root, attempt)
        except (layout.UnsafePathError, OSError):
            pass  # still being written to: the next run removes it, it is never published


def kept(paths: EditionPaths) -> str:
    """What readers find in the edition's folder now, in words.

    Returns:
        e.g. "revision 2 of 2026-11-30 in outputs/putuo/putuo/2022/en" or "nothing published".
    """
    revision = _revision_of(paths.dest)
    if revision is None:
        return "nothing published yet"
    return f"revision {revision[0]} of {revision[1]} in {paths.dest}"


# ---- the layout before editions were kept per package and language ---------------------------


def migrate_legacy(root: Path, package: str, package_root: Path) -> list[tuple[Path, Path]]:
    """Move editions of the old layout ``<root>/<region>/<year>/`` of this package to
    ``<root>/<package>/<region>/<year>/<lang>/``.

    An old edition belongs to the package when its manifest names the package's folder as
    its data folder. Nothing is moved over an existing edition.

    Args:
        root: the outputs folder.
        package: the package's id.
        package_root: the package's folder (resolved).

    Returns:
        (old, new) folders moved.
    """
    moved: list[tuple[Path, Path]] = []
    if not root.is_dir():
        return moved
    for found in sorted(root.glob(f"*/*/{layout.MANIFEST_NAME}")):
        folder = found.parent
        region, year = folder.parent.name, folder.name
        if region.startswith(("_", ".")) or not year.isdigit() or folder.is_symlink():
            continue
        old = manifest.read_manifest(folder) or {}
        params = old.get("parameters") or {}
        if "edition" in old or old.get("region") != region or str(old.get("year")) != year:
            continue
        try:
            same = Path(str(params.get("data_dir", ""))).resolve() == Path(package_root).resolve()
            paths = layout.edition_paths(root, package, region, int(year), params.get("lang", "en"))
        except (OSError, UniontrendsError):
            continue
        if not same or paths.dest.exists():
            continue
        layout.make_dirs(root, paths.year_dir)
        layout.checked(root, folder).rename(layout.checked(root, paths.dest))
        moved.append((folder, paths.dest))
        stale_lock = folder.parent / f".{year}.lock"
        if stale_lock.is_file() and not stale_lock.is_symlink():
            stale_lock.unlink(missing_ok=True)
    return moved
