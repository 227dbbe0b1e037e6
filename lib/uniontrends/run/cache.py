"""Content-hash cache keys for notebook runs: what outputs depend on, and what changed."""

from __future__ import annotations

import platform
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from uniontrends.data.digests import digest_of, hash_files, sha256_file
from uniontrends.data.model import ANNUAL_DIR

# Bump when the runner changes how it produces outputs, so every cached result is invalidated.
RUNNER_CACHE_VERSION = "2"

# Packages whose version can change what a notebook computes or how its outputs look.
TRACKED_PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "pandera",
    "pymannkendall",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "dask",
    "distributed",
)


def library_files(lib_dir: Path | None = None) -> list[Path]:
    """Source files of the uniontrends package that notebooks may import.

    Args:
        lib_dir: package folder; default the installed uniontrends package.

    Returns:
        Sorted .py/.yaml/.json files, without caches.
    """
    lib_dir = lib_dir or Path(__file__).resolve().parent
    return sorted(
        p
        for p in lib_dir.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".yaml", ".yml", ".json"}
        and "__pycache__" not in p.parts
    )


def library_digest(lib_dir: Path | None = None) -> str:
    """One digest over the package's source files (names and contents).

    Args:
        lib_dir: package folder; default the installed uniontrends package.

    Returns:
        64-character hex digest.
    """
    lib_dir = lib_dir or Path(__file__).resolve().parent
    return digest_of(hash_files(library_files(lib_dir), lib_dir))


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """Installed versions of the tracked packages, Python and uniontrends.

    Returns:
        {package: version}; "absent" for a package that is not installed.
    """
    versions = {"python": platform.python_version()}
    for name in ("uniontrends", *TRACKED_PACKAGES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def region_input_files(data_dir: Path, region: str, other_regions: Iterable[str]) -> list[Path]:
    """Data files a notebook run for one region may read.

    Every file under data_dir counts, except per-region annual tables of other regions
    (annual/<other>.csv), so editing one region's data does not invalidate the others.

    Args:
        data_dir: data folder.
        region: the region being run.
        other_regions: every region id known (from regions.yaml and the run grid).

    Returns:
        Sorted list of files.
    """
    others = set(other_regions) - {region}
    annual = data_dir / ANNUAL_DIR
    files = []
    for path in data_dir.rglob("*"):
        if not path.is_file() or any(
            part.startswith(".") for part in path.relative_to(data_dir).parts
        ):
            continue
        if path.parent == annual and path.stem in others:
            continue
        files.append(path)
    return sorted(files)


def components(
    *,
    notebook_sha: str,
    parameters: Mapping[str, object],
    inputs: Mapping[str, str],
    library: str,
    packages: Mapping[str, str],
    options: Mapping[str, object] | None = None,
    upstream: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The digests a notebook's cache key is made of, one per kind of dependency.

    Args:
        notebook_sha: SHA-256 of the notebook file.
        parameters: the parameters injected (region, year, window, lang), not paths.
        inputs: {data file: SHA-256} the run may read.
        library: digest of the library source.
        packages: {package: version}.
        options: the run options that change what the notebook's products are (HTML export,
            the PDF printer).
        upstream: {notebook: cache key} of notebooks this one reads (for 90_ reports), the
            previous edition's findings and this edition's revision.

    Returns:
        {component: hex digest}.
    """
    return {
        "notebook": notebook_sha,
        "parameters": digest_of(dict(parameters)),
        "inputs": digest_of(dict(inputs)),
        "library": library,
        "packages": digest_of(dict(packages)),
        "options": digest_of(dict(options or {})),
        "upstream": digest_of(dict(upstream or {})),
        "runner": RUNNER_CACHE_VERSION,
    }


def cache_key(parts: Mapping[str, str]) -> str:
    """The cache key: one digest over all components.

    Args:
        parts: output of components().

    Returns:
        64-character hex digest.
    """
    return digest_of(dict(parts))


def miss_reason(
    old: Mapping[str, str] | None,
    new: Mapping[str, str],
    old_inputs: Mapping[str, str] | None = None,
    new_inputs: Mapping[str, str] | None = None,
) -> str:
    """Say in words why a cache key changed.

    Args:
        old: components recorded by the previous run (None if none).
        new: components now.
        old_inputs: {file: SHA-256} recorded by the previous run, to name changed files.
        new_inputs: {file: SHA-256} now.

    Returns:
        A short reason such as "data changed: annual/putuo.csv".
    """
    if not old:
        return "no previous result"
    labels = {
        "notebook": "notebook changed",
        "parameters": "parameters changed",
        "library": "library source changed",
        "packages": "package versions changed",
        "options": "output options changed (--html/--no-html, PDF printer)",
        "upstream": "an upstream notebook re-ran",
        "runner": "runner version changed",
    }
    reasons = []
    for name, value in new.items():
        if old.get(name) == value:
            continue
        if name == "inputs":
            old_inputs, new_inputs = old_inputs or {}, new_inputs or {}
            changed = sorted(
                f
                for f in set(old_inputs) | set(new_inputs)
                if old_inputs.get(f) != new_inputs.get(f)
            )
            shown = ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else "")
            reasons.append(f"data changed: {shown}" if changed else "data changed")
        else:
            reasons.append(labels.get(name, f"{name} changed"))
    return "; ".join(reasons) or "cache key changed"


def product_files(folder: Path, name: str) -> list[Path]:
    """A notebook's products in an edition: ``<name>/`` (recursively) and ``<name>.*``.

    Args:
        folder: an edition or attempt folder.
        name: the notebook's name.

    Returns:
        Sorted files (symbolic links are not products and are left out).
    """
    inside = (folder / name).rglob("*") if (folder / name).is_dir() else []
    found = [*inside, *folder.glob(f"{name}.*")]
    return sorted(p for p in found if p.is_file() and not p.is_symlink())


def hash_products(folder: Path, name: str) -> dict[str, str]:
    """{path relative to folder: SHA-256} of a notebook's products (for the manifest)."""
    return hash_files(product_files(folder, name), folder)


def products_problem(folder: Path, name: str, recorded: Mapping[str, str] | None) -> str | None:
    """Why a cached notebook's products cannot be trusted, or None when all are intact.

    Args:
        folder: the published edition.
        name: the notebook.
        recorded: {product: SHA-256} from the manifest (None: not recorded).

    Returns:
        e.g. "products missing: 01_lang.html" or "products changed: 01_lang/findings.json".
    """
    if not recorded:
        return "products not recorded"
    missing, changed = [], []
    for rel, digest in recorded.items():
        path = folder / rel
        if not path.is_file() or path.is_symlink():
            missing.append(rel)
        elif sha256_file(path) != digest:
            changed.append(rel)
    if missing:
        return "products missing: " + _shown(missing)
    if changed:
        return "products changed: " + _shown(changed)
    return None


def _shown(names: list[str]) -> str:
    return ", ".join(sorted(names)[:3]) + (" ..." if len(names) > 3 else "")
