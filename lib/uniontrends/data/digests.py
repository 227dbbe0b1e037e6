"""Content digests of files and values: what caches, manifests and editions key on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes.

    Args:
        path: file to hash.

    Returns:
        64-character hex digest.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def digest_of(value: object) -> str:
    """Hex SHA-256 of a JSON-serialisable value, independent of dict order.

    Args:
        value: any JSON-serialisable value.

    Returns:
        64-character hex digest.
    """
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_files(files: Iterable[Path], root: Path) -> dict[str, str]:
    """Hash files and name them by their POSIX path relative to root.

    Args:
        files: files under root.
        root: folder the names are relative to.

    Returns:
        {relative path: hex SHA-256}, sorted by path.
    """
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(files)}
