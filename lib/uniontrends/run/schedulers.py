"""Where editions run: local threads sharing warm kernels, or a Dask cluster, behind one small
interface (like papermill's engine registry): submit, wait (always with a bound), result,
cancel, close. ``open_scheduler`` picks one from ``--scheduler``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any, Protocol

from uniontrends.errors import UniontrendsError
from uniontrends.run import cancel
from uniontrends.run.jobs import EditionResult, Job, NotebookResult

Progress = Callable[[str, NotebookResult], None]  # (edition label, result)
RunEdition = Callable[[Job, Progress | None], EditionResult]

CONNECT_TIMEOUT_S = 5.0  # an unreachable scheduler is reported within this (and the CLI's 10 s)
NO_WORKER_TIMEOUT_S = 60.0  # a cluster without any worker this long fails what is left
CLOSE_TIMEOUT_S = 10.0


class SchedulerError(UniontrendsError):
    """The scheduler cannot be reached or lost every worker."""


class Scheduler(Protocol):
    """Runs editions (``runner.run_region_year``) and hands back their results.

    Attributes:
        concurrency: editions the runner keeps under way at once.
        slots: kernels one edition may spread its notebooks over (``Job.slots``).
    """

    concurrency: int
    slots: int

    def submit(self, job: Job) -> Any:
        """Start an edition; returns a handle."""

    def wait(self, handles: Collection[Any], timeout: float) -> set[Any]:
        """The handles that finished, waiting at most ``timeout`` seconds (maybe none)."""

    def result(self, handle: Any) -> EditionResult:
        """The finished edition's result; never raises (a lost worker is an "error" result)."""

    def cancel(self, run_id: str) -> None:
        """Stop the run's notebooks wherever they run; nothing more is published."""

    def close(self, wait: bool = True) -> None:
        """Release the threads or the cluster connection (and the kernels they hold)."""


def _error_result(job: Job, message: str) -> EditionResult:
    from uniontrends.run import publish

    return EditionResult(job.region, job.year, job.lang, "error", str(job.paths.dest),
                         error=message, kept=publish.kept(job.paths))  # fmt: skip


class ThreadScheduler:
    """Editions on threads of this process, sharing ``n_jobs`` warm kernels.

    One more edition is under way than there are kernels: a kernel that one edition leaves
    idle (while its report runs or its exports finish) runs another's notebooks.
    """

    def __init__(self, n_jobs: int, run_edition: RunEdition, on_notebook: Progress | None):
        self.slots = max(1, n_jobs)
        self.concurrency = self.slots + 1
        self._run, self._on_notebook = run_edition, on_notebook
        self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="edition")
        self._jobs: dict[Future, Job] = {}

    def submit(self, job: Job) -> Future:
        future = self._pool.submit(self._run, job, self._on_notebook)
        self._jobs[future] = job
        return future

    def wait(self, handles: Collection[Future], timeout: float) -> set[Future]:
        return set(wait_futures(handles, timeout=timeout, return_when="FIRST_COMPLETED").done)

    def result(self, handle: Future) -> EditionResult:
        job = self._jobs.pop(handle)
        try:
            return handle.result()
        except Exception as error:  # noqa: BLE001 - a bug in the runner fails one edition
            return _error_result(job, f"{type(error).__name__}: {error}")

    def cancel(self, run_id: str) -> None:
        cancel.cancel(run_id)

    def close(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)
        import sys

        from uniontrends.run import publish

        for future, job in self._jobs.items():  # editions that did not stop in time
            if not future.done():
                publish.discard_own_attempts(job.paths)
        kernels = sys.modules.get("uniontrends.run.kernels")
        if kernels is not None and wait:
            kernels.shutdown_all()


def _cancel_in_worker(run_id: str) -> int:
    return cancel.cancel(run_id)


def _shutdown_worker_kernels() -> int:
    import sys

    kernels = sys.modules.get("uniontrends.run.kernels")
    return kernels.shutdown_all() if kernels is not None else 0


class DaskScheduler:
    """Editions as Dask tasks, one per edition, on a LocalCluster ("local") or a running
    scheduler ("tcp://host:8786"); workers must see the same file system.

    A worker lost mid-edition leaves an attempt that is never published; Dask runs the task
    again on another worker (which cleans the attempt up under the edition's lock), or, after
    several losses, the edition is reported failed with the previous edition kept.
    """

    def __init__(
        self, address: str, n_jobs: int, run_edition: RunEdition, on_notebook: Progress | None
    ):
        from dask.distributed import Client, LocalCluster

        self._run = run_edition  # pickled by reference: workers import the same library
        self.slots = 1
        self.concurrency = 10_000  # the cluster queues what it cannot run yet
        self._on_notebook = on_notebook
        self._cluster = None
        self._lost: dict[Any, str] = {}
        self._jobs: dict[Any, Job] = {}
        self._no_worker_since: float | None = None
        try:
            if address == "local":
                self._cluster = LocalCluster(
                    n_workers=max(1, n_jobs), threads_per_worker=1, processes=True,
                    dashboard_address=None,
                )  # fmt: skip
                self._client = Client(self._cluster, timeout=CONNECT_TIMEOUT_S)
            else:
                self._client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as error:
            if self._cluster is not None:
                self._cluster.close()
            raise SchedulerError(
                f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT_S:g} s "
                f"({type(error).__name__}: {error}); start one with `dask scheduler` and "
                "`dask worker ADDRESS`, or run without --scheduler"
            ) from None

    def submit(self, job: Job) -> Any:
        # pure=False: a rerun of the same job must execute again (the data may have changed).
        key = f"uniontrends-{job.run_id}-{job.label.replace(' ', '-')}"
        future = self._client.submit(self._run, job, None, pure=False, key=key)
        self._jobs[future] = job
        return future

    def wait(self, handles: Collection[Any], timeout: float) -> set[Any]:
        from dask.distributed import wait as wait_dask

        done = {h for h in handles if h.done()}
        if not done:
            try:
                done = set(wait_dask(list(handles), timeout=timeout,
                                     return_when="FIRST_COMPLETED").done)  # fmt: skip
            except TimeoutError:
                done = set()
        if not done:
            done = self._give_up_without_workers(handles)
        return done

    def _give_up_without_workers(self, handles: Collection[Any]) -> set[Any]:
        try:
            workers = len(self._client.scheduler_info().get("workers", {}))
        except Exception:  # noqa: BLE001 - a lost scheduler counts as no worker
            workers = 0
        if workers:
            self._no_worker_since = None
            return set()
        self._no_worker_since = self._no_worker_since or time.monotonic()
        if time.monotonic() - self._no_worker_since < NO_WORKER_TIMEOUT_S:
            return set()
        for handle in handles:
            self._lost[handle] = (
                f"no Dask worker was connected to the scheduler for {NO_WORKER_TIMEOUT_S:g} s"
            )
        return set(handles)

    def result(self, handle: Any) -> EditionResult:
        job = self._jobs.pop(handle)
        if handle in self._lost:
            handle.cancel()
            return _error_result(job, self._lost.pop(handle))
        try:
            result: EditionResult = handle.result()
        except Exception as error:  # noqa: BLE001 - KilledWorker and the like
            name = type(error).__name__
            why = ("the Dask workers running it died" if name == "KilledWorker"
                   else "the Dask task failed")  # fmt: skip
            return _error_result(job, f"{why} ({name}: {error})")
        if self._on_notebook:
            for nb in result.notebooks:
                self._on_notebook(result.label, nb)
        return result

    def cancel(self, run_id: str) -> None:
        self._client.run(_cancel_in_worker, run_id, wait=False)
        self._client.cancel(list(self._jobs))

    def close(self, wait: bool = True) -> None:
        # Warm kernels live in the workers' processes; stop them before leaving (Client.run
        # has no timeout of its own: an unresponsive worker must not hold the run up).
        stopper = threading.Thread(
            target=lambda: self._client.run(_shutdown_worker_kernels, on_error="ignore"),
            daemon=True,
        )
        stopper.start()
        stopper.join(CLOSE_TIMEOUT_S)
        self._client.close(timeout=CLOSE_TIMEOUT_S)
        if self._cluster is not None:
            self._cluster.close(timeout=CLOSE_TIMEOUT_S)


SCHEDULERS: dict[str, Callable[[str, int, RunEdition, Progress | None], Scheduler]] = {
    "threads": lambda spec, n_jobs, run_edition, on_notebook: ThreadScheduler(
        n_jobs, run_edition, on_notebook
    ),
    "dask": lambda spec, n_jobs, run_edition, on_notebook: DaskScheduler(
        spec, n_jobs, run_edition, on_notebook
    ),
}


def scheduler_kind(spec: str | None) -> str:
    """The registry entry for ``--scheduler``: None/"threads" = threads, else Dask.

    Raises:
        SchedulerError: neither "local" nor an address such as tcp://host:8786.
    """
    if not spec or spec == "threads":
        return "threads"
    if spec == "local" or "://" in spec:
        return "dask"
    raise SchedulerError(
        f"--scheduler {spec!r}: use 'local' (a Dask LocalCluster) or an address such as "
        "tcp://HOST:8786"
    )


def open_scheduler(
    spec: str | None, n_jobs: int, run_edition: RunEdition, on_notebook: Progress | None = None
) -> Scheduler:
    """The scheduler for ``--scheduler`` (connected, for Dask).

    Args:
        spec: None or "threads", "local", or a Dask scheduler address.
        n_jobs: kernels (threads) or LocalCluster workers.
        run_edition: what runs one edition (``runner.run_region_year``).
        on_notebook: progress per notebook.

    Raises:
        SchedulerError: an unknown spec or an unreachable scheduler.
    """
    return SCHEDULERS[scheduler_kind(spec)](spec or "threads", n_jobs, run_edition, on_notebook)
