"""Warm Jupyter kernels: one per worker slot, launched ahead of need, stopped at the end."""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import threading
from collections.abc import Iterable
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
        with _registry_lock:
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

    def alive(self) -> bool:
        """True while the kernel process runs and no timeout left it busy."""
        return not self.broken and bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the client channels and kill the kernel process."""
        with _registry_lock:
            _registry.discard(self)
            if self in _spares:
                _spares.remove(self)
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        finally:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)


_slots = threading.local()
# Every live kernel of this process, so a run can stop the warm kernels of all its threads.
_registry: set[WarmKernel] = set()
# Kernels launched ahead (prestart) that no worker slot has taken yet.
_spares: list[WarmKernel] = []
_registry_lock = threading.Lock()


@atexit.register
def shutdown_all() -> int:
    """Shut down every kernel this process started and still holds (also at exit).

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

    A slot without a kernel takes one launched ahead by prestart() when its folder and
    environment match, else starts one.

    Args:
        cwd: working folder for a newly started kernel.
        fresh: replace the slot's kernel with a new one (isolated runs).
        env: extra environment variables; a kernel started with others is replaced.

    Returns:
        A live, connected kernel owned by this thread.
    """
    env = dict(env or {})
    kernel: WarmKernel | None = getattr(_slots, "kernel", None)
    stale = kernel is not None and kernel.env != env
    if kernel is not None and (fresh or stale or not kernel.alive()):
        kernel.shutdown()
        kernel = None
    if kernel is None:
        kernel = (None if fresh else _take_spare(Path(cwd), env)) or WarmKernel(cwd, env)
        _slots.kernel = kernel
    return kernel.connect()


def discard_slot_kernel() -> None:
    """Shut down the calling thread's kernel, if any."""
    kernel: WarmKernel | None = getattr(_slots, "kernel", None)
    _slots.kernel = None
    if kernel is not None:
        kernel.shutdown()


def _take_spare(cwd: Path, env: dict[str, str]) -> WarmKernel | None:
    with _registry_lock:
        for kernel in _spares:
            if kernel.cwd == cwd and kernel.env == env:
                _spares.remove(kernel)
                return kernel
    return None


def prestart(
    count: int, cwd: Path, env: dict[str, str] | None = None, preload: str = ""
) -> list[WarmKernel]:
    """Launch kernels now for worker slots to take later (slot_kernel); does not wait for them.

    A run launches its kernels before it validates the data, so they boot and import the
    notebooks' libraries meanwhile. Kernels no slot takes are stopped by shutdown_all().

    Args:
        count: kernels to launch.
        cwd: their working folder (a slot only takes a kernel with its own folder and env).
        env: extra environment variables.
        preload: code each kernel runs before it is ready, e.g. preload_code(notebooks).

    Returns:
        The launched kernels.
    """
    launched = [WarmKernel(cwd, env, preload) for _ in range(count)]
    with _registry_lock:
        _spares.extend(launched)
    return launched


def discard_spares() -> int:
    """Stop the kernels launched by prestart() that no slot took (e.g. the data were bad).

    Returns:
        How many were stopped.
    """
    with _registry_lock:
        spares = list(_spares)
    for kernel in spares:
        kernel.shutdown()
    return len(spares)


def import_lines(notebooks: Iterable[Path]) -> list[str]:
    """The notebooks' own one-line top-level imports, deduplicated, in first-seen order.

    Read as plain JSON: importing nbformat takes longer than the kernel needs to boot.

    Args:
        notebooks: .ipynb files.

    Returns:
        Lines such as "from uniontrends import session".
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
    """Code for a kernel launched ahead: import what the notebooks import, then freeze the heap.

    A failing import is left for the notebook's own cell to report. Freezing what the imports
    created keeps later garbage collections (and the reset between notebooks) small.

    Args:
        notebooks: .ipynb files.

    Returns:
        Python source (leaves nothing in the user namespace).
    """
    return (
        "def _ut_preload(lines):\n"
        "    import gc\n"
        "    for line in lines:\n"
        "        try:\n"
        "            exec(line, {})\n"
        "        except Exception:\n"
        "            pass\n"
        "    gc.collect()\n"
        "    gc.freeze()\n"
        f"_ut_preload({import_lines(notebooks)!r})\n"
        "del _ut_preload\n"
    )
