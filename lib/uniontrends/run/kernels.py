"""Warm Jupyter kernels: a small pool a run's notebooks borrow from, launched ahead of need."""

from __future__ import annotations

import atexit
import heapq
import itertools
import json
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Only jupyter_client here: a run launches its kernels before it imports nbformat and nbclient
# (seconds), see execution.
from jupyter_client import AsyncKernelManager
from jupyter_core.utils import run_sync

KERNEL_NAME = "python3"
STARTUP_TIMEOUT_S = 120


class WarmKernel:
    """A started kernel with its client, reused for several notebooks.

    The kernel process is launched at construction; connect() (by the thread that will use
    the kernel) waits until it is ready. A kernel launched early boots, and imports what
    `preload` imports, while the caller does other work.
    """

    def __init__(self, cwd: Path, env: dict[str, str] | None = None, preload: str = ""):
        self.env = dict(env or {})
        self.cwd = Path(cwd)
        # Async manager and client: nbclient awaits their channels, so a kernel that dies while
        # nbclient waits for output is noticed (a blocking client would block its event loop).
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        # IPython runs exec_lines before the kernel answers its first request.
        extra = [f"--IPKernelApp.exec_lines={preload}"] if preload else []
        # The kernel's own stderr only carries ipykernel chatter; cell output arrives over ZMQ.
        run_sync(self.km.start_kernel)(
            cwd=str(cwd), stderr=subprocess.DEVNULL, env={**os.environ, **self.env},
            extra_arguments=extra,
        )  # fmt: skip
        with _pool:
            _registry.add(self)
        self.kc: Any = None
        self.broken = False

    def connect(self) -> WarmKernel:
        """Open the client channels (once) and wait until the kernel answers; returns self."""
        if self.kc is None:
            self.kc = self.km.client()
            self.kc.start_channels()
            try:
                run_sync(self.kc.wait_for_ready)(timeout=STARTUP_TIMEOUT_S)
            except RuntimeError:
                self.shutdown()
                raise
        return self

    def kill(self) -> None:
        """Kill the kernel's process group at once (from any thread), e.g. on Ctrl-C.

        The thread using the kernel then sees it die (nbclient checks about once a second)
        and shuts it down; no client channel is touched here, since another thread owns them.
        """
        self.broken = True
        provisioner = self.km.provisioner if self.km.has_kernel else None
        group = getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None)
        if group:
            try:
                os.killpg(group, signal.SIGKILL)  # its own session: the notebook's children too
            except (ProcessLookupError, PermissionError):
                pass

    def alive(self) -> bool:
        """True while the kernel process runs and no timeout left it busy."""
        return not self.broken and bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the client channels and kill the kernel process."""
        with _pool:
            _registry.discard(self)
            if self in _idle:
                _idle.remove(self)
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        finally:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)


# Every live kernel of this process, so a run can stop them all at its end.
_registry: set[WarmKernel] = set()
# Kernels not in use: launched ahead (prestart) or returned after a notebook.
_idle: list[WarmKernel] = []
_pool = threading.Condition()
_busy = 0  # kernels lent out now
_waiting: list[tuple[int, int]] = []  # (priority, arrival) of borrowers waiting: a heap
_arrivals = itertools.count()


class PoolInterrupted(Exception):
    """A borrower stopped waiting for a kernel because its run was cancelled."""


def kill_all() -> int:
    """Kill every kernel process of this process now and wake every waiting borrower.

    Returns:
        How many kernels were killed.
    """
    with _pool:
        kernels = list(_registry)
        _pool.notify_all()
    for kernel in kernels:
        kernel.kill()
    return len(kernels)


@atexit.register
def shutdown_all() -> int:
    """Shut down every kernel this process started and still holds (also at exit).

    Returns:
        How many kernels were stopped.
    """
    with _pool:
        kernels = list(_registry)
    for kernel in kernels:
        kernel.shutdown()
    return len(kernels)


@contextmanager
def borrowed(
    cwd: Path,
    env: dict[str, str] | None = None,
    *,
    limit: int = 1,
    fresh: bool = False,
    priority: int = 0,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[WarmKernel]:
    """Lend a warm kernel for one notebook; at most `limit` are lent at once (others wait).

    A kernel that comes free goes to the waiting borrower with the lowest priority number,
    then the one waiting longest: a grid finishes its region-years in order instead of
    advancing all of them in step.

    An idle kernel with the same folder and environment is reused (its user namespace is the
    caller's to reset), else one is started, stopping an idle one when `limit` kernels exist.
    A kernel that died or timed out is stopped on return instead of going back to the pool.

    Args:
        cwd: working folder of the kernel.
        env: extra environment variables.
        limit: kernels that may run at once in this process (a run's --jobs).
        fresh: a new kernel, stopped after use (isolated runs).
        priority: lower numbers are served first (a region-year's place in the grid).
        cancelled: when it turns true (checked whenever the pool changes, see kill_all), the
            borrower stops waiting.

    Yields:
        A live, connected kernel.

    Raises:
        PoolInterrupted: cancelled while waiting.
    """
    global _busy
    env = dict(env or {})
    with _pool:
        turn = (priority, next(_arrivals))
        heapq.heappush(_waiting, turn)
        stop = cancelled or (lambda: False)
        _pool.wait_for(lambda: stop() or (_busy < limit and _waiting[0] == turn))
        if stop():
            _waiting.remove(turn)
            heapq.heapify(_waiting)
            _pool.notify_all()
            raise PoolInterrupted("the run was cancelled")
        heapq.heappop(_waiting)
        _busy += 1
        _pool.notify_all()  # the next in line may fit too
        kernel = None if fresh else _take_idle(Path(cwd), env)
        surplus = _idle.pop(0) if kernel is None and len(_idle) + _busy > limit else None
    try:
        if surplus is not None:
            surplus.shutdown()
        if kernel is not None and not kernel.alive():
            kernel.shutdown()
            kernel = None
        kernel = (kernel or WarmKernel(cwd, env)).connect()
        yield kernel
    finally:
        keep = kernel is not None and not fresh and kernel.alive()
        if kernel is not None and not keep:
            kernel.shutdown()
        with _pool:
            _busy -= 1
            if keep:
                _idle.append(kernel)
            _pool.notify_all()  # only the first in line may take it: all check


def _take_idle(cwd: Path, env: dict[str, str]) -> WarmKernel | None:
    for kernel in _idle:
        if kernel.cwd == cwd and kernel.env == env:
            _idle.remove(kernel)
            return kernel
    return None


def prestart(
    count: int, cwd: Path, env: dict[str, str] | None = None, preload: str = ""
) -> list[WarmKernel]:
    """Launch kernels now for notebooks to borrow later; does not wait for them to be ready.

    A run launches its kernels before it validates the data, so they boot and import the
    notebooks' libraries meanwhile. Kernels nobody borrows are stopped by shutdown_all().

    Args:
        count: kernels to launch.
        cwd: their working folder (only borrowed with the same folder and env).
        env: extra environment variables.
        preload: code each kernel runs before it is ready, e.g. preload_code(notebooks).

    Returns:
        The launched kernels.
    """
    launched = [WarmKernel(cwd, env, preload) for _ in range(count)]
    with _pool:
        _idle.extend(launched)
        _pool.notify_all()
    return launched


def discard_idle() -> int:
    """Stop the kernels nobody is using, e.g. those launched ahead when the data were bad.

    Returns:
        How many were stopped.
    """
    with _pool:
        idle = list(_idle)
    for kernel in idle:
        kernel.shutdown()
    return len(idle)


def import_lines(notebooks: Iterable[Path]) -> list[str]:
    """The notebooks' own one-line top-level imports, deduplicated, in first-seen order.

    Read as plain JSON: importing nbformat takes longer than the kernel needs to boot.

    Args:
        notebooks: .ipynb files.

    Returns:
        Lines such as "import uniontrends as ut".
    """
    lines: dict[str, None] = {}
    for path in notebooks:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue  # the notebook itself fails when it runs, with its own error
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            for line in ("".join(source) if isinstance(source, list) else source).splitlines():
                if line.startswith(("import ", "from ")) and not line.rstrip().endswith("("):
                    lines[line.rstrip()] = None
    return list(lines)


def preload_code(notebooks: Iterable[Path]) -> str:
    """Code for a kernel launched ahead: import what the notebooks use, then freeze the heap.

    The notebooks' own import lines run first; when one imports the public API
    (``import uniontrends``), ``uniontrends.preload()`` then imports the modules that it
    leaves for first use (a notebook that imports one module gets that module). A failing import is
    left for the notebook's own cell to report. Freezing what the imports created keeps later
    garbage collections (and the reset between notebooks) small.

    Args:
        notebooks: .ipynb files.

    Returns:
        Python source (leaves nothing in the user namespace).
    """
    return (
        "def _ut_preload(lines):\n"
        "    import gc, sys\n"
        "    for line in lines:\n"
        "        try:\n"
        "            exec(line, {})\n"
        "        except Exception:\n"
        "            pass\n"
        "    if any(line.split(' as ')[0].strip() == 'import uniontrends' for line in lines):\n"
        "        try:\n"
        "            sys.modules['uniontrends'].preload()\n"
        "        except Exception:\n"
        "            pass\n"
        "    gc.collect()\n"
        "    gc.freeze()\n"
        f"_ut_preload({import_lines(notebooks)!r})\n"
        "del _ut_preload\n"
    )
