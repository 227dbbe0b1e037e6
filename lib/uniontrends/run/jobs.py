"""What a run is made of: a Job per edition (region, year, language) and the results it gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from uniontrends.errors import UniontrendsError
from uniontrends.present.layout import EditionPaths, edition_paths


class LockBusyError(UniontrendsError):
    """Another run holds the lock of an edition."""


class RunCancelled(UniontrendsError):
    """The run was interrupted (Ctrl-C or SIGTERM): nothing more is started or published."""


@dataclass(frozen=True, kw_only=True)
class Job:
    """One edition of the grid, with everything a worker needs (picklable for Dask).

    Attributes:
        package: the data package's id (outputs/<package>/...).
        region, year, window, lang: the parameters every notebook gets.
        data_dir, notebooks_dir, outputs_dir: the folders (absolute).
        notebooks: names in run order, each after the notebooks it needs.
        needs: (notebook, notebooks whose findings it reads).
        reports: notebooks printed to PDF next to their HTML.
        regions: every region of the data package (cache keys leave their tables out).
        force: run every notebook even when its cache key is unchanged.
        isolate: a fresh kernel per notebook.
        timeout: seconds allowed per cell (always a bound).
        lock_timeout: seconds to wait for the edition's lock held by another run.
        html: export HTML (and a report's PDF).
        pdf_printer: the Chromium used for PDFs ("" = none): it is part of the cache key.
        source_root: the checkout of the code, whose git commit the manifest records (None:
            not recorded).
        run_id: names this run, so that a Ctrl-C cancels its work on every worker.
        slots: kernels the run may use at once, shared by its editions.
        rank: place in the grid: earlier editions get free kernels first.
    """

    package: str
    region: str
    year: int
    window: int
    lang: str
    data_dir: Path
    notebooks_dir: Path
    outputs_dir: Path
    notebooks: tuple[str, ...]
    needs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reports: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    force: bool = False
    isolate: bool = False
    timeout: float = 300.0
    lock_timeout: float = 0.0
    html: bool = True
    pdf_printer: str = ""
    source_root: Path | None = None
    run_id: str = ""
    slots: int = 1
    rank: int = 0

    def reads(self, name: str) -> tuple[str, ...]:
        """The notebooks whose findings ``name`` reads."""
        return dict(self.needs).get(name, ())

    @property
    def paths(self) -> EditionPaths:
        """Where this edition, its lock, attempts, revisions and failures live."""
        return edition_paths(self.outputs_dir, self.package, self.region, self.year, self.lang)

    @property
    def label(self) -> str:
        """ "putuo 2022 en", for messages."""
        return f"{self.region} {self.year} {self.lang}"

    @property
    def parameters(self) -> dict[str, object]:
        """What every notebook of the edition is given, except its output folder."""
        return {"region": self.region, "year": self.year, "window": self.window,
                "lang": self.lang, "data_dir": str(self.data_dir)}  # fmt: skip


@dataclass
class NotebookResult:
    """Outcome of one notebook.

    Attributes:
        notebook: its name.
        status: "ran", "cached", "failed", "skipped" (a notebook it reads failed) or
            "cancelled".
        seconds: execution and export (not the wait for a free kernel).
        reason: why it ran (cache miss reason) or was skipped.
        kind: for a failure: "error", "timeout", "kernel died", "exit" or "runner error".
        cell: 1-based cell of the failure, when known.
        error: the error's last line.
        failed_path: the executed notebook kept under outputs/_failed/.
    """

    notebook: str
    status: str
    seconds: float = 0.0
    reason: str = ""
    kind: str | None = None
    cell: int | None = None
    error: str | None = None
    failed_path: str | None = None


@dataclass
class EditionResult:
    """Outcome of one edition (region, year, language).

    Attributes:
        status: "written" (published), "unchanged" (everything cached), "failed" (not
            published; the attempt is under outputs/_failed/), "locked" (another run holds
            it), "cancelled" (interrupted) or "error" (the run could not attempt it, e.g. a
            lost Dask worker).
        dest: the published folder.
        kept: what readers find there now, e.g. "revision 1 of 2026-11-30" or "nothing".
        revision: the revision published by this run (written only).
        failed_dir: where the failed attempt is kept.
    """

    region: str
    year: int
    lang: str
    status: str
    dest: str
    notebooks: list[NotebookResult] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    kept: str = ""
    revision: int | None = None
    failed_dir: str | None = None

    @property
    def label(self) -> str:
        """ "putuo 2022 en", for messages."""
        return f"{self.region} {self.year} {self.lang}"

    @property
    def failures(self) -> list[NotebookResult]:
        """The notebooks that failed."""
        return [n for n in self.notebooks if n.status == "failed"]

    @property
    def published(self) -> bool:
        """Whether the edition now holds what this run computed (written or unchanged)."""
        return self.status in ("written", "unchanged")


# The name the rest of the code and the tests have used for an edition's result.
RegionYearResult = EditionResult


@dataclass
class RunSummary:
    """Outcome of a whole run.

    Attributes:
        results: one per edition, in the order of the jobs.
        seconds: wall time.
        cancelled: the run was interrupted (the CLI exits 130).
    """

    results: list[EditionResult]
    seconds: float
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        """True when every edition was published or unchanged."""
        return not self.cancelled and all(r.published for r in self.results)

    def counts(self) -> dict[str, int]:
        """Notebooks by status, plus editions "locked" and "not published"."""
        out = {"ran": 0, "cached": 0, "failed": 0, "skipped": 0, "cancelled": 0, "locked": 0,
               "not published": 0}  # fmt: skip
        for result in self.results:
            out["locked"] += result.status == "locked"
            out["not published"] += not result.published
            for nb in result.notebooks:
                out[nb.status] = out.get(nb.status, 0) + 1
        return out


def failure_lines(summary: RunSummary) -> list[str]:
    """One line per problem: the edition, notebook, cell, the error's last line, where kept.

    Lines hold text from notebooks and data: print them without markup interpretation.

    Args:
        summary: a run's summary.

    Returns:
        Human-readable lines (empty when everything was published).
    """
    lines = []
    for result in summary.results:
        if result.status in ("locked", "error"):
            lines.append(f"{result.label}: {result.error} (kept: {result.kept})")
        for nb in result.failures:
            cell = f"cell {nb.cell}" if nb.cell is not None else "cell ?"
            lines.append(
                f"{result.label} {nb.notebook} {cell}: {nb.kind}: {nb.error} "
                f"(executed notebook: {nb.failed_path})"
            )
        if result.status == "failed":
            lines.append(
                f"{result.label}: not published; kept: {result.kept}; the attempt is in "
                f"{result.failed_dir}" + (f" ({result.error})" if result.error else "")
            )
    return lines
