"""One attempt at an edition: its notebooks executed on borrowed kernels (or carried over when
cached), saved and exported into the attempt folder, each notebook's products hashed.

Nothing here publishes: ``runner`` swaps a complete attempt in, or keeps a failed one.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from uniontrends.run import cache
from uniontrends.run.jobs import Job, NotebookResult

Report = Callable[[NotebookResult], None]


def kernel_env(job: Job) -> dict[str, str]:
    """Extra environment of the run's kernels.

    Notebooks get their data and output folders as parameters, not from the environment; this
    only silences the debugger's warning about frozen modules in every kernel.
    """
    return {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def _settled(result: NotebookResult) -> Future[NotebookResult]:
    future: Future[NotebookResult] = Future()
    future.set_result(result)
    return future


def _runner_error(name: str, seconds: float, error: BaseException) -> NotebookResult:
    message = str(error).strip().splitlines()
    return NotebookResult(
        name, "failed", seconds, kind="runner error",
        error=f"{type(error).__name__}: {message[-1] if message else ''}",
    )  # fmt: skip


def _no_links(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if (Path(folder) / n).is_symlink()]


def _copy_products(name: str, src: Path, dst: Path) -> None:
    # Copies, not hard links: a revision kept under revisions/ must not change when someone
    # edits the current edition's files in place. A symbolic link is no product: never
    # followed, never carried into the next edition.
    for path in [src / name, *src.glob(f"{name}.*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            shutil.copytree(path, dst / path.name, ignore=_no_links)
        elif path.is_file():
            shutil.copy2(path, dst / path.name)


class EditionAttempt:
    """Runs an edition's notebooks into an attempt folder.

    Args:
        job: the edition.
        folder: the attempt folder (hidden, next to the edition).
        published: the published edition, where cached notebooks' products are copied from.
        decisions: {notebook: None when cached, else why it runs}.
        report: called with each notebook's result as it settles.
        cancelled: true once the run is interrupted.
    """

    def __init__(
        self,
        job: Job,
        folder: Path,
        published: Path,
        decisions: dict[str, str | None],
        report: Report,
        cancelled: Callable[[], bool],
    ):
        self.job, self.folder, self.published = job, folder, published
        self.decisions, self.report, self.cancelled = decisions, report, cancelled
        self.products: dict[str, dict[str, str]] = {}  # of the notebooks that ran
        self._executed: dict[str, str] = {}  # status so far, for the notebooks that read them

    def run(self) -> list[NotebookResult]:
        """Execute (or carry over) every notebook; returns their results in run order.

        The analysis notebooks run side by side on free kernels when the run has several; a
        notebook that reads others' findings runs after them, and is skipped when one failed.
        Each executed notebook is saved and exported on one export thread while its kernel
        already runs the next notebook.
        """
        job = self.job
        first = [n for n in job.notebooks if not job.reads(n)]
        last = [n for n in job.notebooks if job.reads(n)]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export") as exporter:
            self._exporter = exporter
            running = sum(self.decisions[n] is not None for n in first)
            if job.slots > 1 and running > 1:
                with ThreadPoolExecutor(max_workers=job.slots) as pool:
                    pending = dict(zip(first, pool.map(self._start, first), strict=True))
            else:
                pending = {name: self._start(name) for name in first}
            for name in last:
                done = self._executed
                broken = [n for n in job.reads(name) if done.get(n) in ("failed", "skipped")]
                if broken:
                    pending[name] = _settled(self._reported(NotebookResult(
                        name, "skipped", reason=f"not run: {', '.join(broken)} failed",
                    )))  # fmt: skip
                else:
                    pending[name] = self._start(name)
            return [pending[name].result() for name in job.notebooks]

    # ---- one notebook ------------------------------------------------------------------------

    def _reported(self, result: NotebookResult) -> NotebookResult:
        self._executed[result.notebook] = result.status
        self.report(result)
        return result

    def _start(self, name: str) -> Future[NotebookResult]:
        """Carry over, or execute and hand the export to the export thread."""
        reason = self.decisions[name]
        if self.cancelled():
            return _settled(self._reported(NotebookResult(name, "cancelled")))
        if reason is None:
            started = time.perf_counter()
            try:
                _copy_products(name, self.published, self.folder)
            except OSError as error:  # e.g. a full disk
                return _settled(self._reported(
                    _runner_error(name, time.perf_counter() - started, error)
                ))  # fmt: skip
            return _settled(self._reported(NotebookResult(name, "cached", reason="unchanged")))
        result, nb = self._execute_guarded(name)
        result.reason = reason
        if nb is None:
            return _settled(self._reported(result))
        self._executed[name] = "ran"  # the report may start; its export still runs
        return self._exporter.submit(lambda: self._reported(self._export_guarded(result, nb)))

    def _execute_guarded(self, name: str) -> tuple[NotebookResult, Any]:
        started = time.perf_counter()
        try:
            return self._execute(name)
        except Exception as error:  # noqa: BLE001 - reported in the summary with its message
            from uniontrends.run.kernels import PoolInterrupted

            if isinstance(error, PoolInterrupted) or self.cancelled():
                return NotebookResult(name, "cancelled"), None
            return _runner_error(name, time.perf_counter() - started, error), None

    def _execute(self, name: str) -> tuple[NotebookResult, Any]:
        # Imported here: nbformat alone takes ~3 s to import, which a cached run never needs.
        import nbformat
        from nbclient.exceptions import DeadKernelError

        from uniontrends.run import execution, kernels

        job = self.job
        params = {**job.parameters, "output_dir": str(self.folder)}
        nb = execution.parameterized(job.notebooks_dir / f"{name}.ipynb", params)
        for _ in range(2):
            with kernels.borrowed(
                job.notebooks_dir, kernel_env(job), limit=job.slots, fresh=job.isolate,
                priority=job.rank, cancelled=self.cancelled,
            ) as kernel:  # fmt: skip
                if not job.isolate:
                    try:
                        execution.reset_namespace(kernel, job.notebooks_dir)
                    except DeadKernelError:
                        # It died after its previous notebook ended: that one is to blame (or
                        # nobody); this notebook gets a fresh kernel.
                        kernel.broken = True
                        continue
                started = time.perf_counter()  # not the wait for a free kernel
                failure = execution.execute(nb, kernel, timeout=job.timeout, cwd=job.notebooks_dir)
                break
        else:
            raise RuntimeError("no kernel stayed alive long enough to start the notebook")
        seconds = time.perf_counter() - started
        if self.cancelled():
            return NotebookResult(name, "cancelled", seconds), None
        if failure is not None:
            try:
                # Kept with the failed attempt under outputs/_failed/, to open in JupyterLab.
                nbformat.write(nb, self.folder / f"{name}.ipynb")
            except OSError:
                pass  # a full disk: the summary still says where and why it failed
            return NotebookResult(
                name, "failed", seconds, kind=failure.kind, cell=failure.cell,
                error=failure.message,
            ), None  # fmt: skip
        return NotebookResult(name, "ran", seconds), nb

    def _export_guarded(self, executed: NotebookResult, nb: Any) -> NotebookResult:
        started = time.perf_counter()
        try:
            self._export(executed.notebook, nb)
            self.products[executed.notebook] = cache.hash_products(self.folder, executed.notebook)
        except Exception as error:  # noqa: BLE001 - reported in the summary with its message
            failed = _runner_error(executed.notebook, executed.seconds, error)
            executed = dataclasses.replace(failed, reason=executed.reason)
        executed.seconds += time.perf_counter() - started
        return executed

    def _export(self, name: str, nb: Any) -> None:
        import nbformat

        job = self.job
        nbformat.write(nb, self.folder / f"{name}.ipynb")
        if job.html:
            from uniontrends.present.export import notebook_to_html

            html = notebook_to_html(
                nb, self.folder / f"{name}.html", title=f"{name} · {job.region} {job.year}"
            )
            if name in job.reports and job.pdf_printer:
                from uniontrends.present.pdf import pdf_after_run

                pdf_after_run(html)  # warns and skips when Chromium is missing
