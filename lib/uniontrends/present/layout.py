"""Where outputs live: one folder per edition (package, region, year, language), and the rule
that nothing written, swapped or deleted leaves the outputs folder through a symbolic link.

The layout (documented for users in ``outputs/README.md``)::

    <outputs>/<package>/<region>/<year>/<lang>/      the current edition: what readers open
    <outputs>/<package>/<region>/<year>/revisions/<lang>-r<N>-<date>/
                                                     an earlier revision, kept as circulated
    <outputs>/<package>/<region>/<year>/.<lang>.lock held while a run writes the edition
    <outputs>/<package>/<region>/<year>/.<lang>.tmp-*  an attempt being written (hidden)
    <outputs>/_failed/<package>/<region>/<year>/<lang>/  the last failed attempt, with failure.json
    <outputs>/_lab/<package>/<region>/<year>/<lang>/     notebooks run interactively

``<package>`` is the data package's id (``package.yaml``), so two packages with a region of
the same id never share a folder; ``<lang>`` keeps the English and Chinese editions apart.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from uniontrends.data.model import LANGS, REGION_PATTERN, YEAR_MAX, YEAR_MIN
from uniontrends.errors import ParameterError, UniontrendsError

FAILED_DIR = "_failed"
LAB_DIR = "_lab"
REVISIONS_DIR = "revisions"
MANIFEST_NAME = "manifest.json"
EDITION_FILE = "edition.json"
_SLUG = re.compile(REGION_PATTERN)
# A package id may start with a digit (a default id comes from the folder's name, e.g.
# "2024-returns"); never with "_" or ".", so it cannot be _failed/, _lab/ or a hidden folder.
_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")


class UnsafePathError(UniontrendsError):
    """A path under the outputs folder goes through a symbolic link or leaves the folder."""


def _slug(name: str, value: object, pattern: re.Pattern[str] = _SLUG) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise ParameterError(name, value, "must be a lower-case slug such as 'putuo'")
    return value


@dataclass(frozen=True)
class EditionPaths:
    """The folders and files of one edition: package, region, year, language.

    Attributes:
        root: the outputs folder (``--outputs-dir``).
        package: the data package's id.
        region: region id.
        year: last year of the window.
        lang: "en" or "zh".
    """

    root: Path
    package: str
    region: str
    year: int
    lang: str

    @property
    def region_dir(self) -> Path:
        """``<root>/<package>/<region>``: the region's editions, one folder per year."""
        return self.root / self.package / self.region

    @property
    def year_dir(self) -> Path:
        """``<root>/<package>/<region>/<year>``: the year's editions, one per language."""
        return self.region_dir / str(self.year)

    @property
    def dest(self) -> Path:
        """The published edition ``.../<year>/<lang>``."""
        return self.year_dir / self.lang

    @property
    def lock(self) -> Path:
        """The lock file ``.../<year>/.<lang>.lock``."""
        return self.year_dir / f".{self.lang}.lock"

    @property
    def attempt_prefix(self) -> str:
        """Name prefix of the hidden folders attempts are written into."""
        return f".{self.lang}.tmp-"

    @property
    def replaced_prefix(self) -> str:
        """Name prefix of the hidden folder an edition moves to while it is replaced."""
        return f".{self.lang}.old-"

    @property
    def revisions_dir(self) -> Path:
        """``.../<year>/revisions``: earlier revisions of the year's editions."""
        return self.year_dir / REVISIONS_DIR

    def revision_dir(self, revision: int, date: str) -> Path:
        """Where revision ``revision`` (first published on ``date``) is kept once superseded."""
        return self.revisions_dir / f"{self.lang}-r{revision}-{date}"

    @property
    def failed(self) -> Path:
        """``<root>/_failed/<package>/<region>/<year>/<lang>``: the last failed attempt."""
        return self.root / FAILED_DIR / self.package / self.region / str(self.year) / self.lang

    @property
    def label(self) -> str:
        """ "putuo 2022 en", for messages."""
        return f"{self.region} {self.year} {self.lang}"


def edition_paths(
    root: Path | str, package: str, region: str, year: int, lang: str
) -> EditionPaths:
    """The paths of one edition, every part checked so that none can leave ``root``.

    Args:
        root: the outputs folder.
        package: data package id (a slug).
        region: region id (a slug).
        year: a year within model.YEAR_MIN..YEAR_MAX.
        lang: one of model.LANGS.

    Raises:
        ParameterError: a part is not a slug, a year or a language.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ParameterError("year", year, f"must be a year within {YEAR_MIN}..{YEAR_MAX}")
    if lang not in LANGS:
        raise ParameterError("lang", lang, f"use {' or '.join(LANGS)}")
    return EditionPaths(
        Path(root), _slug("package", package, _PACKAGE), _slug("region", region), year, lang
    )


def lab_dir(root: Path | str, package: str, region: str, year: int, lang: str) -> Path:
    """Where notebooks run interactively write: ``<root>/_lab/<package>/<region>/<year>/<lang>``."""
    paths = edition_paths(root, package, region, year, lang)
    return paths.root / LAB_DIR / paths.package / paths.region / str(year) / lang


def has_findings(folder: Path) -> bool:
    """Whether a folder is an edition with findings (``*/findings.json``)."""
    return folder.is_dir() and any(folder.glob("*/findings.json"))


def previous_edition(region_dir: Path | None, year: int, lang: str) -> Path | None:
    """The previous year's edition to compare with: the same language, else another one.

    Findings carry their statements in every language, so an English edition of last year
    serves a Chinese report of this year when no Chinese one exists.

    Args:
        region_dir: ``<root>/<package>/<region>`` (None: no editions to compare with).
        year: this edition's year.
        lang: this edition's language.

    Returns:
        ``<region_dir>/<year - 1>/<lang>`` (or another language's) with findings, else None.
    """
    if region_dir is None:
        return None
    for candidate in (lang, *[other for other in LANGS if other != lang]):
        folder = region_dir / str(year - 1) / candidate
        if has_findings(folder):
            return folder
    return None


def find_edition(root: Path | str, package: str, region: str, year: int, lang: str) -> Path | None:
    """The published edition to read for a region-year: the language asked for, else another
    language's (findings carry every language), else the layout before packages and languages
    had folders (``<root>/<region>/<year>/``).

    Args:
        root: the outputs folder.
        package, region, year, lang: the edition (each checked: nothing leaves root).

    Returns:
        A folder with findings, inside root and reached without a symbolic link; None if none.

    Raises:
        ParameterError: a part is not a slug, a year or a language.
        UnsafePathError: the folder found goes through a symbolic link.
    """
    paths = edition_paths(root, package, region, year, lang)
    for candidate in (lang, *[other for other in LANGS if other != lang]):
        folder = paths.year_dir / candidate
        if has_findings(folder):
            return checked(root, folder)
    legacy = paths.root / region / str(year)
    if has_findings(legacy):
        return checked(root, legacy)
    return None


def region_dir_of_run(run_dir: Path, year: int) -> Path | None:
    """The region folder of a run writing into ``.../<region>/<year>/<attempt or lang>``.

    A runner writes an edition into a hidden folder next to ``<year>/<lang>``; a notebook run
    by hand into any other folder has no editions next to it.

    Returns:
        ``run_dir.parent.parent`` when ``run_dir`` sits in a folder named after the year.
    """
    return run_dir.parent.parent if run_dir.parent.name == str(year) else None


# ---- no path leaves the outputs folder -------------------------------------------------------


def checked(root: Path | str, path: Path | str) -> Path:
    """``path`` if it lies inside ``root`` without passing through a symbolic link.

    The root itself may be a link (outputs kept on another disk); below it, every existing
    part of the path must be a real folder (and the last part a real file or folder), so that
    deleting, renaming or writing there cannot reach outside the outputs folder.

    Args:
        root: the outputs folder.
        path: a path under it (absolute, or relative to the current folder).

    Returns:
        The path, absolute, below the resolved root.

    Raises:
        UnsafePathError: the path leaves root or a part of it is a symbolic link.
    """
    base = Path(root).resolve()
    target = Path(os.path.abspath(path))
    try:
        rel = target.relative_to(base)
    except ValueError:
        try:
            rel = target.relative_to(Path(os.path.abspath(root)))
        except ValueError:
            raise UnsafePathError(f"{path} is outside the outputs folder {base}") from None
    if ".." in rel.parts:
        raise UnsafePathError(f"{path} leaves the outputs folder {base}")
    here = base
    for part in rel.parts:
        here = here / part
        if here.is_symlink():
            raise UnsafePathError(
                f"{here} is a symbolic link: outputs are never written, moved or deleted "
                "through one (remove the link)"
            )
        if not here.exists():
            break
    return base / rel


def remove_tree(root: Path | str, path: Path | str) -> None:
    """Delete a folder under ``root``; a symbolic link on the way is refused, never followed.

    Raises:
        UnsafePathError: see ``checked``.
    """
    target = checked(root, path)
    if target.is_dir():
        # rmtree does not follow links inside the tree (it removes the link itself).
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()


def make_dirs(root: Path | str, path: Path | str) -> Path:
    """Create a folder (and its parents) under ``root`` without passing through a link.

    Raises:
        UnsafePathError: see ``checked``.
    """
    target = checked(root, path)
    target.mkdir(parents=True, exist_ok=True)
    return checked(root, target)
