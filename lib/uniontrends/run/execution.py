"""Execute a parameterized notebook on a warm kernel, cell by cell, and say where it failed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from papermill.parameterize import parameterize_notebook

from uniontrends.run.kernels import KERNEL_NAME, STARTUP_TIMEOUT_S, WarmKernel

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
    """Why a notebook stopped: kind is "error", "timeout", "kernel died" or "exit" (the notebook
    called exit() or quit(), which stops its kernel); cell is 1-based."""

    kind: str
    cell: int | None
    message: str


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

    def on_cell_executed(cell: Any, cell_index: int, execute_reply: dict) -> None:
        # exit() does not raise: IPython asks the kernel to shut down after the reply, and the
        # next notebook on the kernel would find it dead. The reply's payload says so.
        payload = (execute_reply or {}).get("content", {}).get("payload", [])
        if any(p.get("source") == "ask_exit" and not p.get("keepkernel") for p in payload):
            track.setdefault("exit", cell_index)

    client = NotebookClient(
        nb,
        km=kernel.km,
        timeout=int(timeout) if timeout and timeout > 0 else None,
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
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
        failure = CellFailure(
            "timeout", None,
            f"the cell ran longer than the {timeout:g} s limit (--timeout); its kernel was stopped",
        )  # fmt: skip
    except DeadKernelError:
        kernel.broken = True
        failure = CellFailure(
            "kernel died", None,
            "the kernel died while this cell ran (killed, out of memory, or os._exit)",
        )  # fmt: skip
    except CellExecutionError as exc:
        failure = CellFailure("error", None, _error_message(exc))
    if "exit" in track and (failure is None or failure.kind == "kernel died"):
        kernel.broken = True  # it is shutting down: never lent again
        failure = CellFailure(
            "exit", track["exit"] + 1,
            "the notebook called exit() or quit(), which stops its kernel: remove the call",
        )  # fmt: skip
    _renumber(nb)
    if failure is not None and failure.cell is None and "index" in track:
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
