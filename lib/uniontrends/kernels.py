"""Notebook execution on warm Jupyter kernels: one per worker slot, reset between notebooks."""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from papermill.parameterize import parameterize_notebook

KERNEL_NAME = "python3"
STARTUP_TIMEOUT_S = 120

# Run before each notebook on a warm kernel. %reset drops the user namespace but keeps imported
# modules (the point of a warm kernel); figures, matplotlib and pandas options are global state
# a previous notebook may have changed, so they go back to what a fresh kernel has.
# %reset runs a full garbage collection, which walks every object of every imported library
# (~0.4 s); freezing what survives a reset (modules, classes, caches) keeps later collections
# to the objects of one notebook.
_RESET_CODE = """\
%reset -f
import gc as _ut_gc, os as _ut_os, sys as _ut_sys, warnings as _ut_warnings
_ut_os.chdir({cwd!r})
if "matplotlib" in _ut_sys.modules:
    import matplotlib as _ut_mpl
    if "matplotlib.pyplot" in _ut_sys.modules:
        _ut_sys.modules["matplotlib.pyplot"].close("all")
    _ut_mpl.rcdefaults()
    if "matplotlib.pyplot" in _ut_sys.modules:
        get_ipython().run_line_magic("matplotlib", "inline")
if "pandas" in _ut_sys.modules:
    with _ut_warnings.catch_warnings():
        _ut_warnings.simplefilter("ignore")
        _ut_sys.modules["pandas"].reset_option("all")
del _ut_os, _ut_sys, _ut_warnings
_ut_gc.collect()
_ut_gc.freeze()
del _ut_gc
"""


@dataclass(frozen=True)
class CellFailure:
    """Why a notebook stopped: kind is "error", "timeout" or "kernel died"; cell is 1-based."""

    kind: str
    cell: int | None
    message: str


class WarmKernel:
    """A started kernel with its client, reused for several notebooks."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None):
        self.env = dict(env or {})
        # Async manager and client: nbclient awaits their channels, so a kernel that dies while
        # nbclient waits for output is noticed (a blocking client would block its event loop).
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        # The kernel's own stderr only carries ipykernel chatter; cell output arrives over ZMQ.
        run_sync(self.km.start_kernel)(
            cwd=str(cwd), stderr=subprocess.DEVNULL, env={**os.environ, **self.env}
        )
        with _registry_lock:
            _registry.add(self)
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            run_sync(self.kc.wait_for_ready)(timeout=STARTUP_TIMEOUT_S)
        except RuntimeError:
            self.shutdown()
            raise
        self.broken = False

    def alive(self) -> bool:
        """True while the kernel process runs and no timeout left it busy."""
        return not self.broken and bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the client channels and kill the kernel process."""
        with _registry_lock:
            _registry.discard(self)
        try:
            self.kc.stop_channels()
        finally:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)


_slots = threading.local()
# Every live kernel of this process, so a run can stop the warm kernels of all its threads.
_registry: set[WarmKernel] = set()
_registry_lock = threading.Lock()


def shutdown_all() -> int:
    """Shut down every kernel this process started and still holds.

    Returns:
        How many kernels were stopped.
    """
    with _registry_lock:
        kernels = list(_registry)
    for kernel in kernels:
        kernel.shutdown()
    return len(kernels)


def slot_kernel(cwd: Path, fresh: bool = False, env: dict[str, str] | None = None) -> WarmKernel:
    """The warm kernel of the calling thread (a worker slot), started or replaced when needed.

    Args:
        cwd: working folder for a newly started kernel.
        fresh: replace the slot's kernel with a new one (isolated runs).
        env: extra environment variables; a kernel started with others is replaced.

    Returns:
        A live kernel owned by this thread.
    """
    kernel: WarmKernel | None = getattr(_slots, "kernel", None)
    stale = kernel is not None and kernel.env != dict(env or {})
    if kernel is not None and (fresh or stale or not kernel.alive()):
        kernel.shutdown()
        kernel = None
    if kernel is None:
        kernel = WarmKernel(cwd, env)
        _slots.kernel = kernel
    return kernel


def discard_slot_kernel() -> None:
    """Shut down the calling thread's kernel, if any."""
    kernel: WarmKernel | None = getattr(_slots, "kernel", None)
    _slots.kernel = None
    if kernel is not None:
        kernel.shutdown()


def parameterized(path: Path, parameters: dict[str, Any]) -> nbformat.NotebookNode:
    """Read a notebook and inject parameters after its `parameters` cell (papermill's way).

    Args:
        path: source notebook.
        parameters: name -> value (str, int, float).

    Returns:
        The notebook with an `injected-parameters` cell.
    """
    nb = nbformat.read(path, as_version=4)
    nb.metadata["papermill"] = nbformat.NotebookNode({"input_path": str(path)})
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    return parameterize_notebook(nb, parameters, kernel_name=KERNEL_NAME, language="python")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else text.strip()


def _error_message(exc: CellExecutionError) -> str:
    if getattr(exc, "ename", None):
        return _last_line(f"{exc.ename}: {exc.evalue}")
    return _last_line(str(exc))


def _client(nb: nbformat.NotebookNode, kernel: WarmKernel, timeout: float, cwd: Path, track: dict):
    def on_cell_start(cell: Any, cell_index: int) -> None:
        track["index"] = cell_index

    client = NotebookClient(
        nb,
        km=kernel.km,
        timeout=int(timeout) if timeout and timeout > 0 else None,
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_start=on_cell_start,
        startup_timeout=STARTUP_TIMEOUT_S,
    )
    client.kc = kernel.kc
    return client


def reset_namespace(kernel: WarmKernel, cwd: Path, timeout: float = 60) -> None:
    """Clear a warm kernel's user namespace and global plotting state before the next notebook.

    Args:
        kernel: the kernel.
        cwd: folder the next notebook runs in.
        timeout: seconds allowed.
    """
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(_RESET_CODE.format(cwd=str(cwd)))]
    )
    _client(nb, kernel, timeout, cwd, {}).execute()


def execute(
    nb: nbformat.NotebookNode, kernel: WarmKernel, *, timeout: float, cwd: Path
) -> CellFailure | None:
    """Execute a notebook in place on a kernel, cell by cell.

    Args:
        nb: parameterized notebook; outputs are written into it.
        kernel: a live kernel (marked broken after a timeout or death).
        timeout: seconds allowed per cell (0 = none).
        cwd: working folder of the notebook.

    Returns:
        None on success, else the failure with its 1-based cell number in nb.
    """
    track: dict[str, int] = {}
    client = _client(nb, kernel, timeout, cwd, track)
    failure = None
    try:
        client.execute()
    except CellTimeoutError:
        kernel.broken = True
        failure = CellFailure("timeout", None, f"cell exceeded the {timeout:g} s time limit")
    except DeadKernelError as exc:
        kernel.broken = True
        failure = CellFailure("kernel died", None, _last_line(str(exc)) or "kernel died")
    except CellExecutionError as exc:
        failure = CellFailure("error", None, _error_message(exc))
    _renumber(nb)
    if failure is not None and "index" in track:
        failure = CellFailure(failure.kind, track["index"] + 1, failure.message)
    return failure


def _renumber(nb: nbformat.NotebookNode) -> None:
    # A warm kernel keeps counting across notebooks; number cells as a fresh kernel would.
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = count
