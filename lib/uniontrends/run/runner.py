"""Batch runner: execute the notebook suite per region-year, cached, in parallel, atomically."""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from uniontrends import config
from uniontrends.data.digests import hash_files, sha256_file
from uniontrends.data.package import open_package, validate_package
from uniontrends.errors import DataError, UniontrendsError
from uniontrends.notebook.params import check_parameters
from uniontrends.notebook.registry import load_registry
from uniontrends.run import cache, manifest

FAILED_DIR = "_failed"

Progress = Callable[[str, int, "NotebookResult"], None]


class LockBusyError(UniontrendsError):
    """Another run holds the lock of a region-year."""


@dataclass(frozen=True, kw_only=True)
class Job:
    """One region-year of the grid, with everything a worker needs (picklable for Dask)."""

    region: str
    year: int
    window: int
    lang: str
    data_dir: Path
    notebooks_dir: Path
    outputs_dir: Path
    notebooks: tuple[str, ...]  # in run order: each after the notebooks it needs
    needs: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (notebook, notebooks it reads)
    reports: tuple[str, ...] = ()  # notebooks printed to PDF next to their HTML
    regions: tuple[str, ...] = ()  # every region of the data package (for cache keys)
    force: bool = False
    isolate: bool = False
    timeout: float = 300.0
    lock_timeout: float = 0.0
    html: bool = True
    slots: int = 1  # kernels a run may use at once, shared by its region-years (run_jobs sets)
    rank: int = 0  # place in the grid: earlier region-years get free kernels first

    def reads(self, name: str) -> tuple[str, ...]:
        """The notebooks whose findings ``name`` reads."""
        return dict(self.needs).get(name, ())


@dataclass
class NotebookResult:
    """Outcome of one notebook: status is "ran", "cached" or "failed"; seconds of execution
    and export (not the wait for a free kernel)."""

    notebook: str
    status: str
    seconds: float = 0.0
    reason: str = ""
    kind: str | None = None
    cell: int | None = None
    error: str | None = None
    failed_path: str | None = None


@dataclass
class RegionYearResult:
    """Outcome of one region-year: status is "written", "unchanged" or "locked"."""

    region: str
    year: int
    status: str
    dest: str
    notebooks: list[NotebookResult] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def failures(self) -> list[NotebookResult]:
        """The notebooks that failed."""
        return [n for n in self.notebooks if n.status == "failed"]


@dataclass
class RunSummary:
    """Outcome of a whole run; ok is False when any notebook failed or a lock was busy."""

    results: list[RegionYearResult]
    seconds: float

    @property
    def ok(self) -> bool:
        """True when every region-year was written or unchanged without failures."""
        return all(r.status != "locked" and not r.failures for r in self.results)

    def counts(self) -> dict[str, int]:
        """Notebooks by status ("ran", "cached", "failed") and busy region-years ("locked")."""
        out = {"ran": 0, "cached": 0, "failed": 0, "locked": 0}
        for result in self.results:
            out["locked"] += result.status == "locked"
            for nb in result.notebooks:
                out[nb.status] += 1
        return out


# ---- planning: everything checked before any kernel starts ----------------------------------


def _check_data(data_dir: Path) -> None:
    report = validate_package(data_dir)
    if not report.ok:
        raise DataError(report.problems)


def plan(
    regions: Iterable[str],
    years: Iterable[int],
    *,
    window: int,
    lang: str,
    data_dir: Path,
    notebooks_dir: Path,
    outputs_dir: Path,
    force: bool = False,
    isolate: bool = False,
    timeout: float = 300.0,
    lock_timeout: float = 0.0,
    html: bool = True,
    validate: bool | str = True,
    warm_kernels: int = 0,
) -> list[Job]:
    """Check parameters and data for every region-year and build the jobs; writes nothing.

    With warm_kernels, that many kernels are launched once the parameters are checked (and only
    when some notebook must run), so they boot and import the notebooks' libraries while the
    data are validated; run_jobs() takes them. Bad data stop them again.

    Args:
        regions: region slugs.
        years: last years of the windows.
        window: years per window; a year whose window would start before its region's data
            gets a shorter one, from the first year of data (at least 3 years; Job.window).
        lang: "en" or "zh".
        data_dir: the data package's folder.
        notebooks_dir: folder of the notebooks and their registry.yaml.
        outputs_dir: outputs root.
        force: re-run every notebook even when its cache key is unchanged.
        isolate: a fresh kernel per notebook instead of a warm kernel per worker.
        timeout: seconds allowed per cell (0 = none).
        lock_timeout: seconds to wait for a region-year lock held by another run.
        html: export each executed notebook to HTML.
        validate: validate the data folder (catalog, annual, reported tables); "auto" = only
            when some notebook must run (cached outputs were made from validated data).
        warm_kernels: kernels to launch ahead for a local run (its --jobs); 0 = none.

    Returns:
        One job per region-year, regions in the order given, years ascending.

    Raises:
        ParameterError: a bad region, year, window or language.
        DataError: the data break a rule (every problem, with file, row, column).
    """
    package = open_package(data_dir)
    notebooks_dir = Path(notebooks_dir).resolve()
    outputs_dir = Path(outputs_dir).resolve()
    regions, years = list(regions), sorted(set(years))
    checked = [check_parameters(package, r, y, window, lang, shorten_window=True)
               for r in regions for y in years]  # fmt: skip
    registry = load_registry(notebooks_dir).present()
    if not registry.specs:
        raise UniontrendsError(f"no notebook of {notebooks_dir / 'registry.yaml'} is in the folder")
    known = tuple(sorted(set(package.region_ids()) | set(regions)))
    jobs = [
        Job(region=p.region, year=p.year, window=p.window, lang=p.lang, data_dir=package.root,
            notebooks_dir=notebooks_dir, outputs_dir=outputs_dir, notebooks=registry.run_order(),
            needs=tuple((spec.name, spec.needs) for spec in registry.specs if spec.needs),
            reports=tuple(spec.name for spec in registry.of_kind("report")), regions=known,
            force=force, isolate=isolate, timeout=float(timeout),
            lock_timeout=float(lock_timeout), html=html)
        for p in checked
    ]  # fmt: skip
    to_run = sum(notebooks_to_run(j) for j in jobs) if validate == "auto" or warm_kernels else 0
    if warm_kernels and to_run and not isolate:
        _launch_kernels(min(warm_kernels, to_run), jobs)
    if validate is True or (validate == "auto" and to_run):
        try:
            _check_data(data_dir)
        except DataError:
            if warm_kernels:
                from uniontrends.run import kernels

                kernels.discard_idle()
            raise
    return jobs


def _launch_kernels(count: int, jobs: list[Job]) -> None:
    from uniontrends.run import kernels

    notebooks = [jobs[0].notebooks_dir / f"{name}.ipynb" for name in jobs[0].notebooks]
    kernels.prestart(
        count, jobs[0].notebooks_dir, _kernel_env(jobs[0]), kernels.preload_code(notebooks)
    )


def notebooks_to_run(job: Job) -> int:
    """How many notebooks of a region-year would run now (read-only; no lock taken).

    Args:
        job: the region-year.

    Returns:
        Those whose cache key changed or products are missing; all of them with force.
    """
    dest = region_year_dir(job.outputs_dir, job.region, job.year)
    parts, inputs, _ = _keys(job)
    decisions = _decide(job, parts, inputs, manifest.read_manifest(dest))
    return sum(reason is not None for reason in decisions.values())


# ---- folders: tmp, swap, stale clean-up ------------------------------------------------------


def region_year_dir(outputs_dir: Path, region: str, year: int) -> Path:
    """The published folder outputs/<region>/<year>."""
    return Path(outputs_dir) / region / str(year)


def lock_path(outputs_dir: Path, region: str, year: int) -> Path:
    """The lock file outputs/<region>/.<year>.lock."""
    return Path(outputs_dir) / region / f".{year}.lock"


def clean_stale(outputs_dir: Path, region: str, year: int) -> list[Path]:
    """Remove tmp/old folders left by killed runs; restore an .old folder if dest is missing.

    Call only while holding the region-year lock (a live run's tmp folder looks stale too).

    Args:
        outputs_dir: outputs root.
        region: region slug.
        year: year.

    Returns:
        Folders removed.
    """
    parent = Path(outputs_dir) / region
    dest = region_year_dir(outputs_dir, region, year)
    olds = sorted(parent.glob(f".{year}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds and not dest.exists():
        # A run was killed between its two renames: the old folder is the last good output.
        olds.pop().rename(dest)
    removed = [*olds, *parent.glob(f".{year}.tmp-*")]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def _swap(tmp: Path, dest: Path) -> None:
    old = dest.parent / f".{dest.name}.old-{os.getpid()}-{secrets.token_hex(3)}"
    if dest.exists():
        dest.rename(old)
    tmp.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    # Published files are never rewritten in place, so a hard link is a safe, instant copy.
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _carry_over(name: str, src: Path, dst: Path) -> None:
    # A notebook's products are <name>/ and <name>.* (ipynb, html, and e.g. a report's pdf).
    for path in [src / name, *src.glob(f"{name}.*")]:
        if path.is_dir():
            shutil.copytree(path, dst / path.name, copy_function=_link_or_copy)
        elif path.is_file():
            _link_or_copy(str(path), str(dst / path.name))


# ---- cache keys ------------------------------------------------------------------------------


def _previous_edition(job: Job) -> dict[str, str]:
    # 90_ compares with last year's published findings (report.what_changed_section).
    prev = region_year_dir(job.outputs_dir, job.region, job.year - 1)
    files = sorted(prev.glob("*/findings*.json")) if prev.is_dir() else []
    return {f"previous/{k}": v for k, v in hash_files(files, prev).items()}


def _keys(job: Job) -> tuple[dict[str, dict[str, str]], dict[str, str], str]:
    """Cache components per notebook, the input hashes, and the library digest."""
    inputs = hash_files(
        cache.region_input_files(job.data_dir, job.region, job.regions), job.data_dir
    )
    library = cache.library_digest()
    packages = cache.package_versions()
    params = {"region": job.region, "year": job.year, "window": job.window, "lang": job.lang}
    parts: dict[str, dict[str, str]] = {}
    upstream: dict[str, str] = {}
    for name in job.notebooks:
        reads = job.reads(name)
        parts[name] = cache.components(
            notebook_sha=sha256_file(job.notebooks_dir / f"{name}.ipynb"),
            parameters=params,
            inputs=inputs,
            library=library,
            packages=packages,
            upstream={**{n: upstream[n] for n in reads}, **_previous_edition(job)}
            if reads
            else None,
        )
        upstream[name] = cache.cache_key(parts[name])
    return parts, inputs, library


def _decide(
    job: Job, parts: dict[str, dict[str, str]], inputs: dict[str, str], previous: dict | None
) -> dict[str, str | None]:
    """{notebook: None if cached, else the reason it must run}."""
    old_nbs = (previous or {}).get("notebooks", {})
    dest = region_year_dir(job.outputs_dir, job.region, job.year)
    decisions: dict[str, str | None] = {}
    for name in job.notebooks:
        old = old_nbs.get(name)
        if job.force:
            reason: str | None = "--force"
        elif old is None:
            reason = "no previous result"
        elif old.get("status") == "failed":
            reason = "previous run failed"
        elif old.get("key") != cache.cache_key(parts[name]):
            reason = cache.miss_reason(
                old.get("components"), parts[name], (previous or {}).get("inputs"), inputs
            )
        elif not (dest / f"{name}.ipynb").is_file():
            reason = "previous products missing"
        elif any(decisions[n] is not None for n in job.reads(name)):
            reason = "an upstream notebook re-ran"
        else:
            reason = None
        decisions[name] = reason
    return decisions


# ---- executing one region-year -------------------------------------------------------------


def _kernel_env(job: Job) -> dict[str, str]:
    # Notebooks get their data and output folders as parameters, not from the environment;
    # this only silences the debugger's warning about frozen modules in every kernel.
    return {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def _execute_notebook(job: Job, name: str, tmp: Path) -> tuple[NotebookResult, Any]:
    # Imported here: nbformat alone takes ~3 s to import, which a fully cached run never needs.
    import nbformat

    from uniontrends.run import execution, kernels

    params = {
        "region": job.region,
        "year": job.year,
        "window": job.window,
        "lang": job.lang,
        "data_dir": str(job.data_dir),
        "output_dir": str(tmp),
    }
    nb = execution.parameterized(job.notebooks_dir / f"{name}.ipynb", params)
    with kernels.borrowed(
        job.notebooks_dir, _kernel_env(job), limit=job.slots, fresh=job.isolate, priority=job.rank
    ) as kernel:
        started = time.perf_counter()  # a notebook's time is not the wait for a free kernel
        if not job.isolate:
            execution.reset_namespace(kernel, job.notebooks_dir)
        failure = execution.execute(nb, kernel, timeout=job.timeout, cwd=job.notebooks_dir)
    if failure is not None:
        failed = job.outputs_dir / FAILED_DIR / job.region / str(job.year) / f"{name}.ipynb"
        failed.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, failed)
        _drop_products(name, tmp)  # partial products are not published
        return NotebookResult(
            name, "failed", time.perf_counter() - started, kind=failure.kind, cell=failure.cell,
            error=failure.message, failed_path=str(failed),
        ), None  # fmt: skip
    return NotebookResult(name, "ran", time.perf_counter() - started), nb


def _export_notebook(job: Job, name: str, tmp: Path, nb: Any) -> None:
    import nbformat

    nbformat.write(nb, tmp / f"{name}.ipynb")
    if job.html:
        from uniontrends.present.export import notebook_to_html

        html = notebook_to_html(nb, tmp / f"{name}.html", title=f"{name} · {job.region} {job.year}")
        if name in job.reports:
            from uniontrends.present.pdf import pdf_after_run

            pdf_after_run(html)  # warns and skips when Chromium is missing


def _runner_error(name: str, seconds: float, error: Exception) -> NotebookResult:
    message = str(error).strip().splitlines()
    return NotebookResult(
        name, "failed", seconds, kind="runner error",
        error=f"{type(error).__name__}: {message[-1] if message else ''}",
    )  # fmt: skip


def _drop_products(name: str, tmp: Path) -> None:
    shutil.rmtree(tmp / name, ignore_errors=True)
    for path in tmp.glob(f"{name}.*"):
        path.unlink()


def _execute_guarded(job: Job, name: str, tmp: Path) -> tuple[NotebookResult, Any]:
    # A kernel that cannot start fails this notebook, not the whole run.
    started = time.perf_counter()
    try:
        return _execute_notebook(job, name, tmp)
    except Exception as error:  # noqa: BLE001 - reported in the summary with its message
        _drop_products(name, tmp)
        return _runner_error(name, time.perf_counter() - started, error), None


def _export_guarded(job: Job, executed: NotebookResult, tmp: Path, nb: Any) -> NotebookResult:
    # An export that breaks fails this notebook, not the whole run.
    started = time.perf_counter()
    try:
        _export_notebook(job, executed.notebook, tmp, nb)
    except Exception as error:  # noqa: BLE001 - reported in the summary with its message
        _drop_products(executed.notebook, tmp)
        failed = _runner_error(executed.notebook, executed.seconds, error)
        executed = dataclasses.replace(failed, reason=executed.reason)
    executed.seconds += time.perf_counter() - started
    return executed


def _settled(result: NotebookResult) -> Future[NotebookResult]:
    future: Future[NotebookResult] = Future()
    future.set_result(result)
    return future


def run_region_year(job: Job, on_notebook: Progress | None = None) -> RegionYearResult:
    """Run (or skip) the notebooks of one region-year and publish the folder atomically.

    Holds outputs/<region>/.<year>.lock throughout; writes into a tmp folder next to the
    destination and swaps it in by renames, so readers see the old or the new folder, never a mix.

    Args:
        job: the region-year.
        on_notebook: called with (region, year, result) after each notebook.

    Returns:
        The region-year's result ("locked" when another run holds the lock).
    """
    started = time.perf_counter()
    dest = region_year_dir(job.outputs_dir, job.region, job.year)
    lock_file = lock_path(job.outputs_dir, job.region, job.year)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_file), timeout=job.lock_timeout)
    try:
        lock.acquire()
    except Timeout:
        message = (
            f"{job.region} {job.year} is being written by another run (lock {lock_file}); "
            f"waited {job.lock_timeout:g} s: try again later or pass --lock-timeout"
        )
        return RegionYearResult(job.region, job.year, "locked", str(dest), error=message)
    try:
        return _run_locked(job, dest, started, on_notebook)
    finally:
        lock.release()


def _run_locked(
    job: Job, dest: Path, started: float, on_notebook: Progress | None
) -> RegionYearResult:
    clean_stale(job.outputs_dir, job.region, job.year)
    started_iso = manifest.now_iso()
    previous = manifest.read_manifest(dest)
    parts, inputs, library = _keys(job)
    decisions = _decide(job, parts, inputs, previous)
    result = RegionYearResult(job.region, job.year, "unchanged", str(dest))
    if all(reason is None for reason in decisions.values()):
        for name in job.notebooks:
            nb_result = NotebookResult(name, "cached", reason="unchanged")
            result.notebooks.append(nb_result)
            if on_notebook:
                on_notebook(job.region, job.year, nb_result)
        result.seconds = time.perf_counter() - started
        return result
    failed_dir = job.outputs_dir / FAILED_DIR / job.region / str(job.year)
    shutil.rmtree(failed_dir, ignore_errors=True)
    tmp = dest.parent / f".{job.year}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir(parents=True)
    try:
        records: dict[str, dict[str, Any]] = {}
        old_records = (previous or {}).get("notebooks", {})

        def reported(nb_result: NotebookResult) -> NotebookResult:
            if on_notebook:
                on_notebook(job.region, job.year, nb_result)
            return nb_result

        def one(name: str) -> Future[NotebookResult]:
            reason = decisions[name]
            if reason is None:
                _carry_over(name, dest, tmp)
                return _settled(reported(NotebookResult(name, "cached", reason="unchanged")))
            executed, nb = _execute_guarded(job, name, tmp)
            executed.reason = reason
            if nb is None:
                return _settled(reported(executed))
            # Saving and exporting a notebook (ipynb, HTML, a report's PDF) happens in the
            # runner process while the kernel already executes the next one.
            return exporter.submit(lambda: reported(_export_guarded(job, executed, tmp, nb)))

        # Notebooks that read others' findings run after all the others
        first = [n for n in job.notebooks if not job.reads(n)]
        last = [n for n in job.notebooks if job.reads(n)]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export") as exporter:
            if job.slots > 1 and sum(decisions[n] is not None for n in first) > 1:
                # The analysis notebooks run side by side on whichever kernels are free (other
                # region-years borrow from the same pool); the reports then run after them.
                with ThreadPoolExecutor(max_workers=job.slots) as pool:
                    pending = [*pool.map(one, first), *pool.map(one, last)]  # reports read the rest
            else:
                pending = [one(n) for n in first]
                pending += [one(n) for n in last]  # reports read the others' findings: after them
            result.notebooks.extend(future.result() for future in pending)
        for nb_result in result.notebooks:
            name = nb_result.notebook
            cached = nb_result.status == "cached"
            records[name] = {
                "status": "ok" if nb_result.status != "failed" else "failed",
                "cache": "hit" if cached else "miss",
                "reason": nb_result.reason,
                "key": cache.cache_key(parts[name]),
                "components": parts[name],
                "duration_s": old_records[name].get("duration_s")
                if cached
                else round(nb_result.seconds, 3),
            }
            if nb_result.status == "failed":
                records[name].update(
                    kind=nb_result.kind, cell=nb_result.cell, error=nb_result.error
                )
        manifest.write_manifest(
            tmp,
            manifest.build_manifest(
                region=job.region,
                year=job.year,
                parameters={"region": job.region, "year": job.year, "window": job.window,
                            "lang": job.lang, "data_dir": str(job.data_dir)},
                inputs=inputs,
                library=library,
                packages=cache.package_versions(),
                commit=manifest.git_commit(config.PROJ_ROOT),
                started=started_iso,
                notebooks=records,
            ),
        )  # fmt: skip
        _swap(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result.status = "written"
    result.seconds = time.perf_counter() - started
    return result


def _dask_task(job: Job, _previous_year: object = None) -> RegionYearResult:
    # _previous_year: the future of the region's previous year; Dask waits for it.
    return run_region_year(job)


def _submit_in_run_order(jobs: list[Job], submit: Callable[[Job, Any], Any]) -> dict[Any, int]:
    """Submit every job, year by year with regions as given; return {future: job index}.

    `submit(job, previous)` gets the future of the same region's previous year when this run
    has it (else None) and must start the job only after it: a report compares its year with
    the previous year's findings, which are part of its cache key. Taking one year across all
    regions before the next keeps the other kernels busy while a region's next year waits.
    Each job's rank is its place in this order (free kernels go to the lowest).
    """
    futures: dict[Any, int] = {}
    by_region_year: dict[tuple[str, int], Any] = {}
    for place, i in enumerate(sorted(range(len(jobs)), key=lambda i: (jobs[i].year, i))):
        job = dataclasses.replace(jobs[i], rank=place)
        future = submit(job, by_region_year.get((job.region, job.year - 1)))
        by_region_year[(job.region, job.year)] = future
        futures[future] = i
    return futures


def _run_after(
    previous: Future[RegionYearResult] | None, job: Job, on_notebook: Progress | None
) -> RegionYearResult:
    if previous is not None:
        wait([previous])  # submitted earlier, so running or done already: no deadlock
    return run_region_year(job, on_notebook)


def _shutdown_worker_kernels() -> int:
    from uniontrends.run import kernels

    return kernels.shutdown_all()


# ---- the grid --------------------------------------------------------------------------------


def run_jobs(
    jobs: list[Job],
    *,
    n_jobs: int = 1,
    scheduler: str | None = None,
    on_notebook: Progress | None = None,
    on_region_year: Callable[[RegionYearResult], None] | None = None,
) -> RunSummary:
    """Run region-year jobs on local threads sharing n_jobs warm kernels, or on a Dask cluster.

    A region's years run one after another, earliest first: each year's report compares with
    the previous year's findings. Other region-years run meanwhile.

    Args:
        jobs: from plan().
        n_jobs: parallel worker slots (local threads, or LocalCluster workers).
        scheduler: None = local threads; "local" = a Dask LocalCluster; "tcp://host:8786" = a
            running Dask scheduler (workers must see the same file system).
        on_notebook: progress callback per finished notebook (local threads only).
        on_region_year: callback per finished region-year.

    Returns:
        The summary, results in job order.
    """
    started = time.perf_counter()
    results: dict[int, RegionYearResult] = {}
    if scheduler:
        _run_dask(jobs, n_jobs, scheduler, results, on_notebook, on_region_year)
    else:
        # Each region-year may spread its notebooks over all n_jobs kernels, and one more
        # region-year than kernels is under way: a kernel that one leaves idle (while its
        # report runs or its exports finish, or at the end of the grid) runs another's notebooks.
        jobs = [dataclasses.replace(j, slots=max(1, n_jobs)) for j in jobs]
        try:
            with ThreadPoolExecutor(max_workers=max(1, n_jobs) + 1) as pool:
                futures = _submit_in_run_order(
                    jobs, lambda job, previous: pool.submit(_run_after, previous, job, on_notebook)
                )
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    if on_region_year:
                        on_region_year(results[futures[future]])
        finally:
            if "uniontrends.run.kernels" in sys.modules:
                sys.modules["uniontrends.run.kernels"].shutdown_all()
    return RunSummary([results[i] for i in range(len(jobs))], time.perf_counter() - started)


def _run_dask(
    jobs: list[Job],
    n_jobs: int,
    scheduler: str,
    results: dict[int, RegionYearResult],
    on_notebook: Progress | None,
    on_region_year: Callable[[RegionYearResult], None] | None,
) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=max(1, n_jobs), threads_per_worker=1, processes=True,
            dashboard_address=None,
        )  # fmt: skip
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        # pure=False: a re-run of the same job must execute again (the data may have changed).
        futures = _submit_in_run_order(
            jobs, lambda job, previous: client.submit(_dask_task, job, previous, pure=False)
        )
        for future in as_completed(futures):
            result: RegionYearResult = future.result()
            results[futures[future]] = result
            if on_notebook:
                for nb in result.notebooks:
                    on_notebook(result.region, result.year, nb)
            if on_region_year:
                on_region_year(result)
    finally:
        # Warm kernels live in the workers' processes; stop them before leaving the cluster.
        client.run(_shutdown_worker_kernels)
        client.close()
        if cluster is not None:
            cluster.close()


def run(
    regions: Iterable[str] = (config.DEFAULT_REGION,),
    years: Iterable[int] = (config.DEFAULT_YEAR,),
    *,
    window: int = config.DEFAULT_WINDOW,
    lang: str = config.DEFAULT_LANG,
    data_dir: Path | str | None = None,
    notebooks_dir: Path | str | None = None,
    outputs_dir: Path | str | None = None,
    n_jobs: int = 1,
    scheduler: str | None = None,
    on_notebook: Progress | None = None,
    **options: Any,
) -> RunSummary:
    """Plan (validate everything) and run the grid regions × years.

    The entry point of the library's runner: folders not given are the project's data/,
    notebooks/ and outputs/.

    Args:
        regions: region slugs.
        years: years.
        window: years per window.
        lang: "en" or "zh".
        data_dir: the data package's folder.
        notebooks_dir: the notebooks and their registry.
        outputs_dir: outputs root.
        n_jobs: parallel worker slots.
        scheduler: see run_jobs().
        on_notebook: progress callback per finished notebook.
        **options: passed to plan() (force, isolate, timeout, lock_timeout, html).

    Returns:
        The summary.
    """
    jobs = plan(
        regions,
        years,
        window=window,
        lang=lang,
        data_dir=Path(data_dir or config.DATA_DIR),
        notebooks_dir=Path(notebooks_dir or config.NOTEBOOKS_DIR),
        outputs_dir=Path(outputs_dir or config.OUTPUTS_DIR),
        warm_kernels=0 if scheduler else n_jobs,
        **options,
    )
    return run_jobs(jobs, n_jobs=n_jobs, scheduler=scheduler, on_notebook=on_notebook)


def failure_lines(summary: RunSummary) -> list[str]:
    """One line per failure: region, year, notebook, cell, the error's last line, where kept.

    Args:
        summary: a run's summary.

    Returns:
        Human-readable lines (empty when everything succeeded).
    """
    lines = []
    for result in summary.results:
        if result.status == "locked":
            lines.append(f"{result.region} {result.year}: {result.error}")
        for nb in result.failures:
            cell = f"cell {nb.cell}" if nb.cell is not None else "cell ?"
            lines.append(
                f"{result.region} {result.year} {nb.notebook} {cell}: {nb.kind}: {nb.error} "
                f"(executed notebook: {nb.failed_path})"
            )
    return lines
