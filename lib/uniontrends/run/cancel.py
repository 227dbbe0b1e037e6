"""Cancelling a run: Ctrl-C (or SIGTERM) marks its id cancelled in every process that runs
its editions, and kills that process's kernels so that no notebook keeps running."""

from __future__ import annotations

import sys
import threading

_cancelled: set[str] = set()
_guard = threading.Lock()


def cancel(run_id: str) -> int:
    """Mark a run cancelled in this process and kill the kernels it started.

    Args:
        run_id: the run's id (``Job.run_id``).

    Returns:
        How many kernels were killed.
    """
    with _guard:
        _cancelled.add(run_id)
    kernels = sys.modules.get("uniontrends.run.kernels")  # none started: nothing to kill
    return kernels.kill_all() if kernels is not None else 0


def is_cancelled(run_id: str) -> bool:
    """Whether ``cancel(run_id)`` was called in this process."""
    return run_id in _cancelled


def forget(run_id: str) -> None:
    """Drop a finished run's mark (a long-lived Dask worker serves many runs)."""
    with _guard:
        _cancelled.discard(run_id)
