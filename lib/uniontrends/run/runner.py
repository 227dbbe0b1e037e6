"""Batch runner: the notebook suite per edition (region, year, language), cached, in parallel,
published whole or not at all.

A run is made of steps the entry point calls in order:

1. ``plan``: check the parameters and build one ``Job`` per edition (pure: no file written,
   no kernel started);
2. ``launch_kernels``: start warm kernels (only when some notebook must run), so that they boot
   and import the notebooks' libraries while
3. ``check_data`` validates the data package once for every edition and language;
4. ``run_jobs``: each edition, under its lock, executes its notebooks into a hidden attempt
   (``attempt``) and publishes it by renames (``publish``), on a scheduler (``schedulers``).

``run`` does all four.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from uniontrends import config
from uniontrends.data.digests import hash_files, sha256_file
from uniontrends.data.package import open_package, validate_package
from uniontrends.errors import DataError, ParameterError, UniontrendsError
from uniontrends.notebook.params import check_parameters
from uniontrends.notebook.registry import load_registry
from uniontrends.present import layout
from uniontrends.run import cache, cancel, manifest, publish, revisions, schedulers
from uniontrends.run.attempt import EditionAttempt, kernel_env
from uniontrends.run.jobs import (
    EditionResult,
    Job,
    LockBusyError,
    NotebookResult,
    RegionYearResult,
    RunCancelled,
    RunSummary,
    failure_lines,
)

__all__ = [
    "EditionResult", "Job", "LockBusyError", "NotebookResult", "RegionYearResult", "RunSummary",
    "check_data", "failure_lines", "launch_kernels", "notebooks_to_run", "plan", "run",
    "run_jobs", "run_region_year",
]  # fmt: skip

Progress = Callable[[str, NotebookResult], None]  # (edition label, result)
MAX_WAIT_S = 7 * 24 * 3600.0  # the longest --timeout or --lock-timeout accepted (a week)
CANCEL_WAIT_S = 4.0  # after Ctrl-C, how long the runner waits for its editions to stop


# ---- 1. plan: parameters checked, jobs built, nothing written -------------------------------


def _seconds(name: str, value: object, *, zero: bool) -> float:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, value, "must be a number of seconds") from None
    if math.isnan(seconds) or seconds < 0 or (seconds == 0 and not zero) or seconds > MAX_WAIT_S:
        low = "0" if zero else "more than 0"
        raise ParameterError(
            name,
            value,
            f"must be {low} and at most {MAX_WAIT_S:g} seconds (every wait has a bound)",
        )
    return seconds


def _langs(lang: str | Sequence[str]) -> list[str]:
    items = lang.split(",") if isinstance(lang, str) else list(lang)
    out: list[str] = []
    for item in (str(i).strip() for i in items):
        if item and item not in out:
            out.append(item)
    return out or [str(lang)]


def plan(
    regions: Iterable[str],
    years: Iterable[int],
    *,
    window: int,
    lang: str | Sequence[str],
    data_dir: Path,
    notebooks_dir: Path,
    outputs_dir: Path,
    force: bool = False,
    isolate: bool = False,
    timeout: float = 300.0,
    lock_timeout: float = 0.0,
    html: bool = True,
    source_root: Path | None = None,
) -> list[Job]:
    """Check the parameters of every edition and build the jobs; writes and starts nothing.

    Args:
        regions: region slugs.
        years: last years of the windows.
        window: years per window; a year whose window would start before its region's data
            gets a shorter one, from the first year of data (at least 3 years; Job.window).
        lang: "en", "zh", "en,zh" or a list: one edition per language.
        data_dir: the data package's folder.
        notebooks_dir: folder of the notebooks and their registry.yaml.
        outputs_dir: outputs root.
        force: re-run every notebook even when its cache key is unchanged.
        isolate: a fresh kernel per notebook instead of a warm kernel per worker.
        timeout: seconds allowed per cell (> 0: every wait has a bound).
        lock_timeout: seconds to wait for an edition's lock held by another run (>= 0).
        html: export each executed notebook to HTML (and the report to PDF with Chromium).
        source_root: the checkout of the code; the git commit is recorded in every manifest
            an edition publishes (read then, not for a fully cached run).

    Returns:
        One job per edition: regions in the order given, years ascending, languages as given.

    Raises:
        ParameterError: a bad region, year, window, language, timeout or lock timeout.
    """
    from uniontrends.present.pdf import find_chromium

    package = open_package(data_dir)
    timeout = _seconds("timeout", timeout, zero=False)
    lock_timeout = _seconds("lock_timeout", lock_timeout, zero=True)
    notebooks_dir = Path(notebooks_dir).resolve()
    outputs_dir = Path(outputs_dir).resolve()
    regions, years, langs = list(regions), sorted(set(years)), _langs(lang)
    checked = [check_parameters(package, r, y, window, la, shorten_window=True)
               for r in regions for y in years for la in langs]  # fmt: skip
    registry = load_registry(notebooks_dir).present()
    if not registry.specs:
        raise UniontrendsError(f"no notebook of {notebooks_dir / 'registry.yaml'} is in the folder")
    reports = tuple(spec.name for spec in registry.of_kind("report"))
    common: dict[str, Any] = dict(
        package=package.info.id, data_dir=package.root, notebooks_dir=notebooks_dir,
        outputs_dir=outputs_dir, notebooks=registry.run_order(),
        needs=tuple((spec.name, spec.needs) for spec in registry.specs if spec.needs),
        reports=reports, regions=tuple(sorted(set(package.region_ids()) | set(regions))),
        force=force, isolate=isolate, timeout=timeout, lock_timeout=lock_timeout, html=html,
        pdf_printer=(find_chromium() or "") if html and reports else "",
        source_root=source_root,
        run_id=secrets.token_hex(8),
    )  # fmt: skip
    jobs = [Job(region=p.region, year=p.year, window=p.window, lang=p.lang, **common)
            for p in checked]  # fmt: skip
    for job in jobs:
        job.paths  # noqa: B018 - every part of every edition's folder is a safe name
    return jobs


def notebooks_to_run(jobs: Job | Iterable[Job]) -> int:
    """How many notebooks would run now (read-only; no lock taken).

    Args:
        jobs: one job or several.

    Returns:
        Those whose cache key changed or whose products are missing or altered.
    """
    total = 0
    for job in [jobs] if isinstance(jobs, Job) else jobs:
        published = manifest.read_manifest(job.paths.dest)
        keys = _keys(job, published)
        decisions = _decide(job, keys, published)
        total += sum(reason is not None for reason in decisions.values())
    return total


# ---- 2. kernels launched ahead, 3. data checked meanwhile -----------------------------------


def launch_kernels(jobs: list[Job], count: int) -> int:
    """Launch ``count`` warm kernels now (for a local run), without waiting for them.

    They boot and import the notebooks' libraries while ``check_data`` runs; ``run_jobs``
    lends them to the notebooks. Call ``stop_kernels`` when the run does not go ahead.

    Args:
        jobs: from plan().
        count: kernels to launch (the run's --jobs); none when no notebook must run.

    Returns:
        How many were launched.
    """
    if not jobs or count <= 0 or jobs[0].isolate:
        return 0
    from uniontrends.run import kernels

    first = jobs[0]
    notebooks = [first.notebooks_dir / f"{name}.ipynb" for name in first.notebooks]
    launched = kernels.prestart(
        count, first.notebooks_dir, kernel_env(first), kernels.preload_code(notebooks)
    )
    return len(launched)


def stop_kernels() -> int:
    """Stop every kernel this process launched (e.g. when the data turned out bad)."""
    import sys

    kernels = sys.modules.get("uniontrends.run.kernels")
    return kernels.shutdown_all() if kernels is not None else 0


def check_data(data_dir: Path) -> None:
    """Validate the data package once, for every edition and language of the run.

    Raises:
        DataError: every problem, with file, row and column.
    """
    report = validate_package(data_dir)
    if not report.ok:
        raise DataError(report.problems)


# ---- cache keys and decisions ----------------------------------------------------------------


@dataclasses.dataclass
class _Keys:
    parts: dict[str, dict[str, str]]
    inputs: dict[str, str]
    library: str
    edition: dict[str, Any]


def _previous_edition(job: Job) -> dict[str, str]:
    # The report compares with last year's published findings (report.what_changed_section).
    prev = layout.previous_edition(job.paths.region_dir, job.year, job.lang)
    files = sorted(prev.glob("*/findings*.json")) if prev is not None else []
    return {f"previous/{k}": v for k, v in hash_files(files, prev).items()} if prev else {}


def _keys(job: Job, published: dict | None) -> _Keys:
    """Cache components per notebook, the inputs, the library digest and the edition record."""
    inputs = hash_files(
        cache.region_input_files(job.data_dir, job.region, job.regions), job.data_dir
    )
    library = cache.library_digest()
    packages = cache.package_versions()
    shas = {name: sha256_file(job.notebooks_dir / f"{name}.ipynb") for name in job.notebooks}
    params = {k: v for k, v in job.parameters.items() if k != "data_dir"}  # no paths in keys
    versions = revisions.versions(inputs=inputs, notebooks=shas, library=library,
                                  packages=packages, runner=cache.RUNNER_CACHE_VERSION,
                                  parameters=params)  # fmt: skip
    edition = revisions.next_edition(job.paths, published, versions, inputs, params,
                                     revisions.today())  # fmt: skip
    parts: dict[str, dict[str, str]] = {}
    upstream: dict[str, str] = {}
    for name in job.notebooks:
        reads = job.reads(name)
        options = {"html": job.html, "pdf": job.pdf_printer if name in job.reports else ""}
        reads_from: dict[str, str] | None = None
        if reads:  # a report: what it reads, last year's findings, this edition's revision
            revises = (edition["revises"] or {}).get("revision", "")
            reads_from = {**{n: upstream[n] for n in reads}, **_previous_edition(job),
                          "edition/revision": str(edition["revision"]),
                          "edition/revises": str(revises)}  # fmt: skip
        parts[name] = cache.components(
            notebook_sha=shas[name], parameters=params, inputs=inputs, library=library,
            packages=packages, options=options, upstream=reads_from,
        )  # fmt: skip
        upstream[name] = cache.cache_key(parts[name])
    return _Keys(parts, inputs, library, edition)


def _decide(job: Job, keys: _Keys, published: dict | None) -> dict[str, str | None]:
    """{notebook: None if cached, else the reason it must run}."""
    old_nbs = (published or {}).get("notebooks", {})
    decisions: dict[str, str | None] = {}
    for name in job.notebooks:
        old = old_nbs.get(name)
        parts = keys.parts[name]
        if job.force:
            reason: str | None = "--force"
        elif old is None:
            reason = "no previous result"
        elif old.get("status") == "failed":
            reason = "previous run failed"
        elif old.get("key") != cache.cache_key(parts):
            reason = cache.miss_reason(
                old.get("components"), parts, (published or {}).get("inputs"), keys.inputs
            )
        elif problem := cache.products_problem(job.paths.dest, name, old.get("products")):
            reason = problem
        elif any(decisions[n] is not None for n in job.reads(name)):
            reason = "an upstream notebook re-ran"
        else:
            reason = None
        decisions[name] = reason
    return decisions


# ---- 4. one edition: lock, attempt, publish --------------------------------------------------


def run_region_year(job: Job, on_notebook: Progress | None = None) -> EditionResult:
    """Run (or skip) an edition's notebooks and publish the edition whole, or keep the
    previous one byte-identical.

    Holds ``<year>/.<lang>.lock`` throughout; writes into a hidden attempt folder and swaps it
    in by renames only when every notebook succeeded. A failed attempt is moved to
    ``outputs/_failed/``; an interrupted one is removed.

    Args:
        job: the edition.
        on_notebook: called with (the edition's label, result) after each notebook.

    Returns:
        The edition's result.
    """
    started = time.perf_counter()
    paths = job.paths
    result = EditionResult(job.region, job.year, job.lang, "unchanged", str(paths.dest))

    def stopped() -> bool:
        return cancel.is_cancelled(job.run_id)

    try:
        with publish.edition_lock(paths, job.lock_timeout, stopped):
            publish.clean_stale(paths)
            _run_locked(job, result, on_notebook, stopped)
    except LockBusyError as error:
        result.status, result.error = "locked", str(error)
    except RunCancelled:
        result.status = "cancelled"
    except (layout.UnsafePathError, OSError) as error:
        result.status, result.error = "error", f"{type(error).__name__}: {error}"
    result.kept = publish.kept(paths)
    result.seconds = time.perf_counter() - started
    return result


def _run_locked(
    job: Job, result: EditionResult, on_notebook: Progress | None, stopped: Callable[[], bool]
) -> None:
    paths = job.paths
    started_iso = manifest.now_iso()
    published = manifest.read_manifest(paths.dest)
    keys = _keys(job, published)
    decisions = _decide(job, keys, published)

    def report(nb: NotebookResult) -> None:
        if on_notebook:
            on_notebook(job.label, nb)

    if all(reason is None for reason in decisions.values()):
        for name in job.notebooks:
            result.notebooks.append(NotebookResult(name, "cached", reason="unchanged"))
            report(result.notebooks[-1])
        return
    # The last failed attempt is superseded by this one (and may hold a full disk's space).
    publish.forget_failure(paths)
    folder = publish.new_attempt(paths)
    try:
        revisions.write_edition(folder, keys.edition)
        attempt = EditionAttempt(job, folder, paths.dest, decisions, report, stopped)
        result.notebooks = attempt.run()
        if stopped():
            result.status = "cancelled"
            return
        records = _records(job, result.notebooks, keys, decisions, attempt.products, published)
        if any(nb.status != "ran" and nb.status != "cached" for nb in result.notebooks):
            _keep_failed(job, result, folder, records, started_iso)
            return
        edition = keys.edition
        if revisions.is_new_revision(edition, published):
            edition["revises"]["findings_revised"] = revisions.findings_revised(paths.dest, folder)
            revisions.write_edition(folder, edition)
        manifest.write_manifest(folder, _manifest(job, keys, records, started_iso))
        publish.publish(paths, folder)
        result.status, result.revision = "written", edition["revision"]
    except OSError as error:  # e.g. the disk filled up while writing the manifest
        _keep_failed(job, result, folder, {}, started_iso, f"{type(error).__name__}: {error}")
    finally:
        if folder.exists():  # neither published nor kept: cancelled, or not movable
            publish.discard(paths, folder)


def _records(
    job: Job,
    notebooks: list[NotebookResult],
    keys: _Keys,
    decisions: dict[str, str | None],
    products: dict[str, dict[str, str]],
    published: dict | None,
) -> dict[str, dict[str, Any]]:
    old_records = (published or {}).get("notebooks", {})
    records: dict[str, dict[str, Any]] = {}
    for nb in notebooks:
        name, cached = nb.notebook, nb.status == "cached"
        records[name] = {
            "status": "ok" if nb.status in ("ran", "cached") else nb.status,
            "cache": "hit" if cached else "miss",
            "reason": nb.reason,
            "key": cache.cache_key(keys.parts[name]),
            "components": keys.parts[name],
            "duration_s": old_records[name].get("duration_s") if cached
            else round(nb.seconds, 3),
            "products": old_records[name].get("products") if cached else products.get(name, {}),
        }  # fmt: skip
        if nb.status == "failed":
            records[name].update(kind=nb.kind, cell=nb.cell, error=nb.error)
    return records


def _manifest(job: Job, keys: _Keys, records: dict, started_iso: str) -> dict[str, Any]:
    built = manifest.build_manifest(
        region=job.region, year=job.year, parameters=job.parameters, inputs=keys.inputs,
        library=keys.library, packages=cache.package_versions(),
        commit=manifest.git_commit(job.source_root) if job.source_root else None,
        started=started_iso, notebooks=records,
    )  # fmt: skip
    return {"package": job.package, "lang": job.lang, "edition": keys.edition, **built}


def _keep_failed(
    job: Job,
    result: EditionResult,
    folder: Path,
    records: dict[str, dict[str, Any]],
    started_iso: str,
    error: str | None = None,
) -> None:
    """Move the attempt to _failed/ with a summary; the published edition stays as it was."""
    paths = job.paths
    result.status, result.error = "failed", error
    summary = {
        "edition": job.label, "package": job.package, "started": started_iso,
        "finished": manifest.now_iso(), "error": error,
        "kept": publish.kept(paths),
        "notebooks": [dataclasses.asdict(nb) for nb in result.notebooks],
        "records": records,
    }  # fmt: skip
    try:
        kept_at = publish.keep_failed(paths, folder, summary)
    except (layout.UnsafePathError, OSError) as problem:
        result.error = "; ".join(filter(None, [error, f"the attempt was not kept: {problem}"]))
        return
    result.failed_dir = str(kept_at)
    for nb in result.notebooks:
        if nb.status == "failed" and (kept_at / f"{nb.notebook}.ipynb").is_file():
            nb.failed_path = str(kept_at / f"{nb.notebook}.ipynb")


# ---- the grid --------------------------------------------------------------------------------


def _ranked(jobs: list[Job], slots: int) -> list[Job]:
    """Jobs in run order (year by year, regions and languages as given), each with its rank.

    A report compares its year with the previous year's findings, which are part of its cache
    key, so a region's years run earliest first; taking one year across all regions before
    the next keeps the other kernels busy while a region's next year waits.
    """
    order = sorted(range(len(jobs)), key=lambda i: (jobs[i].year, i))
    ranked = list(jobs)
    for place, i in enumerate(order):
        ranked[i] = dataclasses.replace(jobs[i], rank=place, slots=slots)
    return ranked


def run_jobs(
    jobs: list[Job],
    *,
    n_jobs: int = 1,
    scheduler: str | None = None,
    on_notebook: Progress | None = None,
    on_region_year: Callable[[EditionResult], None] | None = None,
) -> RunSummary:
    """Run the editions on local threads sharing n_jobs warm kernels, or on a Dask cluster.

    Ctrl-C (KeyboardInterrupt) stops every kernel within a few seconds, publishes nothing
    more, and returns a summary with ``cancelled`` set: editions under way are "cancelled",
    their previous editions kept.

    Args:
        jobs: from plan().
        n_jobs: kernels (local threads) or LocalCluster workers.
        scheduler: None = local threads; "local" = a Dask LocalCluster; "tcp://host:8786" = a
            running Dask scheduler (workers must see the same file system).
        on_notebook: progress callback per finished notebook.
        on_region_year: callback per finished edition.

    Returns:
        The summary, results in job order.

    Raises:
        SchedulerError: the Dask scheduler cannot be reached.
    """
    started = time.perf_counter()
    sched = schedulers.open_scheduler(scheduler, n_jobs, run_region_year, on_notebook)
    jobs = _ranked(jobs, sched.slots)
    order = sorted(range(len(jobs)), key=lambda i: jobs[i].rank)
    editions = {(j.region, j.year, j.lang) for j in jobs}
    results: dict[int, EditionResult] = {}
    in_flight: dict[Any, int] = {}
    done: set[tuple[str, int, str]] = set()
    cancelled = False

    def settle(handle: Any) -> None:
        i = in_flight.pop(handle)
        results[i] = sched.result(handle)
        done.add((jobs[i].region, jobs[i].year, jobs[i].lang))
        if on_region_year:
            on_region_year(results[i])

    try:
        while order or in_flight:
            for i in list(order):
                if len(in_flight) >= sched.concurrency:
                    break
                job = jobs[i]
                before = (job.region, job.year - 1, job.lang)
                if before in editions and before not in done:
                    continue  # its report reads the previous year's edition: after it
                in_flight[sched.submit(job)] = i
                order.remove(i)
            for handle in sched.wait(list(in_flight), timeout=0.5):
                settle(handle)
    except KeyboardInterrupt:
        cancelled = True
        _cancel(sched, jobs, in_flight, settle)
    finally:
        sched.close(wait=not cancelled)
        if jobs:
            cancel.forget(jobs[0].run_id)
    for i, job in enumerate(jobs):
        if i not in results:
            results[i] = EditionResult(
                job.region, job.year, job.lang, "cancelled", str(job.paths.dest),
                kept=publish.kept(job.paths),
            )  # fmt: skip
    seconds = time.perf_counter() - started
    return RunSummary([results[i] for i in range(len(jobs))], seconds, cancelled=cancelled)


def _cancel(sched: Any, jobs: list[Job], in_flight: dict, settle: Callable[[Any], None]) -> None:
    """Stop the run's kernels and wait a bounded time for its editions to stop."""
    if jobs:
        sched.cancel(jobs[0].run_id)
    deadline = time.monotonic() + CANCEL_WAIT_S
    while in_flight and time.monotonic() < deadline:
        try:
            for handle in sched.wait(list(in_flight), timeout=0.2):
                settle(handle)
        except KeyboardInterrupt:
            break  # a second Ctrl-C: stop waiting


def run(
    regions: Iterable[str] = (config.DEFAULT_REGION,),
    years: Iterable[int] = (config.DEFAULT_YEAR,),
    *,
    window: int = config.DEFAULT_WINDOW,
    lang: str | Sequence[str] = config.DEFAULT_LANG,
    data_dir: Path | str | None = None,
    notebooks_dir: Path | str | None = None,
    outputs_dir: Path | str | None = None,
    n_jobs: int = 1,
    scheduler: str | None = None,
    on_notebook: Progress | None = None,
    validate: bool | str = True,
    **options: Any,
) -> RunSummary:
    """Plan, launch kernels while the data are checked, and run the grid regions × years ×
    languages.

    The entry point of the library's runner: folders not given are the project's data/,
    notebooks/ and outputs/.

    Args:
        regions: region slugs.
        years: years.
        window: years per window.
        lang: "en", "zh" or both ("en,zh").
        data_dir: the data package's folder.
        notebooks_dir: the notebooks and their registry.
        outputs_dir: outputs root.
        n_jobs: kernels (or Dask LocalCluster workers).
        scheduler: see run_jobs().
        on_notebook: progress callback per finished notebook.
        validate: check the data first; "auto" = only when some notebook must run (cached
            outputs were made from validated data); False = not at all (tests).
        **options: passed to plan() (force, isolate, timeout, lock_timeout, html).

    Returns:
        The summary.
    """
    jobs = plan(
        regions, years, window=window, lang=lang, data_dir=Path(data_dir or config.DATA_DIR),
        notebooks_dir=Path(notebooks_dir or config.NOTEBOOKS_DIR),
        outputs_dir=Path(outputs_dir or config.OUTPUTS_DIR), source_root=config.PROJ_ROOT,
        **options,
    )  # fmt: skip
    if jobs:
        publish.migrate_legacy(jobs[0].outputs_dir, jobs[0].package, jobs[0].data_dir)
    pending = notebooks_to_run(jobs) if validate == "auto" or not scheduler else 0
    if not scheduler and pending:
        launch_kernels(jobs, min(n_jobs, pending))
    if jobs and (validate is True or (validate == "auto" and pending)):
        try:
            check_data(jobs[0].data_dir)
        except DataError:
            stop_kernels()
            raise
    return run_jobs(jobs, n_jobs=n_jobs, scheduler=scheduler, on_notebook=on_notebook)
