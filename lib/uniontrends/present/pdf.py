"""Print the self-contained HTML report to PDF with headless Chromium (skipped when absent).

What Chromium may read is confined to the report itself: the HTML is served from a loopback
HTTP server that answers only the report's own URL (under a random token) and sends
``safe.CONTENT_SECURITY_POLICY`` as a header. A page from an http: origin cannot load file:
URLs, so an ``<iframe src="file:///...">`` or ``<img src="file:///...">`` that slipped into
the report prints as nothing, and the policy stops scripts, frames and every fetch, local or
remote; host names do not resolve either. Chromium runs in its own process group, and a
print that overruns its timeout is stopped with all of Chromium's processes.
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
import warnings
from collections.abc import Iterator
from pathlib import Path

from uniontrends.errors import UniontrendsError
from uniontrends.safe import CONTENT_SECURITY_POLICY, terminal_text

# Headless shells first: built only to render off-screen, they start in 0.4 s instead of 1.1 s
# and print the same PDF (same pages, fonts and images).
CHROMIUM_NAMES = (
    "chromium-headless-shell",
    "chrome-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "chrome",
)
# Flags that keep a headless print quiet, offline and independent of any user profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
# Only for printing: no host name resolves (the report is served from 127.0.0.1).
PRINT_FLAGS = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",)
TIMEOUT_S = 120.0
_STOP_WAIT_S = 5.0  # how long a stopped Chromium's processes may take to go
_log = logging.getLogger(__name__)


class PdfError(UniontrendsError):
    """Chromium ran but did not produce a PDF."""


class ChromiumMissingWarning(UserWarning):
    """No Chromium on PATH: the PDF is skipped."""


def find_chromium() -> str | None:
    """The path of a Chromium/Chrome executable on PATH, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(url: str, pdf: Path, executable: str, profile: Path) -> list[str]:
    """The command line that prints the page at `url` to `pdf`, with bookmarks.

    Chromium's own header and footer (the URL, the date) are off: the report's stylesheet
    sets the paper (A4), the page numbers and the running footer.

    Args:
        url: the report's address on the loopback server (see ``serve_report``).
        pdf: the PDF to write (absolute path).
        executable: the Chromium binary.
        profile: a throw-away --user-data-dir.

    Returns:
        argv list.
    """
    return [
        executable,
        *CHROMIUM_FLAGS,
        *PRINT_FLAGS,
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",  # the page's own CSS prints the footer and page numbers
        "--generate-pdf-document-outline",  # bookmarks from the headings
        "--run-all-compositor-stages-before-draw",
        f"--print-to-pdf={pdf}",
        url,
    ]


@contextlib.contextmanager
def serve_report(html: Path) -> Iterator[str]:
    """Serve one HTML file, and nothing else, on 127.0.0.1 while the block runs.

    The file is read once; every other path gets 404. Responses carry
    ``safe.CONTENT_SECURITY_POLICY``.

    Args:
        html: the report's HTML file.

    Yields:
        Its URL, http://127.0.0.1:<port>/<random token>/<file name>.
    """
    body = Path(html).read_bytes()
    path = f"/{secrets.token_urlsafe(16)}/{urllib.parse.quote(Path(html).name)}"

    class _OneFile(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            if self.path != path:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # a print is not a web service: nothing to log

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OneFile)
    thread = threading.Thread(target=server.serve_forever, name="pdf-report-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _stop_group(process: subprocess.Popen[str]) -> None:
    """Kill every process of Chromium's process group and wait (bounded) until none runs."""
    if os.name != "posix":
        process.kill()
        process.wait()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    if process.stderr is not None:
        process.stderr.close()
    deadline = time.monotonic() + _STOP_WAIT_S
    while time.monotonic() < deadline and _group_alive(process.pid):
        time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (zombies waiting to be reaped do not)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")"
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def _launch(cmd: list[str]) -> subprocess.Popen[str]:
    """Start Chromium as the leader of a new session and process group."""
    return subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip


def _print(cmd: list[str], html: Path, timeout: float) -> tuple[int, str]:
    """Run Chromium in its own process group; stop the whole group when it overruns.

    Returns:
        (exit code, stderr).

    Raises:
        PdfError: the print did not finish within `timeout` seconds.
    """
    process = _launch(cmd)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise PdfError(
            f"Chromium did not finish printing {html.name} in {timeout:g} s and was stopped, "
            "all its processes with it; the page may wait for something that never comes. "
            f"Rerun `uniontrends pdf {html.parent}` or look at the HTML in a browser"
        ) from error
    finally:
        _stop_group(process)  # on a timeout all of Chromium; else helpers it left behind
    return process.returncode, stderr or ""


def html_to_pdf(
    html: Path | str, pdf: Path | str | None = None, timeout: float = TIMEOUT_S
) -> Path | None:
    """Print an HTML file to PDF with headless Chromium, reading nothing but that file.

    Args:
        html: the HTML file (self-contained: images inlined; nothing else is served).
        pdf: the PDF to write (default: html with suffix .pdf).
        timeout: seconds before Chromium (every process of it) is stopped.

    Returns:
        The PDF path, or None (with a ChromiumMissingWarning) when Chromium is not installed.

    Raises:
        FileNotFoundError: html does not exist.
        PdfError: Chromium failed, timed out or wrote no PDF.
    """
    html = Path(html)
    if not html.is_file():
        raise FileNotFoundError(f"{html} does not exist")
    out = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    executable = find_chromium()
    if executable is None:
        message = (
            f"no PDF for {html.name}: Chromium is not installed (looked for "
            f"{', '.join(CHROMIUM_NAMES)} on PATH); install it, e.g. `apt-get install chromium`"
        )
        warnings.warn(message, ChromiumMissingWarning, stacklevel=2)
        _log.warning(message)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    # Print to a temporary name, then rename: a reader never sees half a PDF.
    tmp_pdf = out.with_name(f".{out.name}.tmp.pdf")
    with (
        tempfile.TemporaryDirectory(prefix="uniontrends-chromium-") as profile,
        serve_report(html) as url,
    ):
        cmd = chromium_command(url, tmp_pdf.resolve(), executable, Path(profile))
        try:
            returncode, stderr = _print(cmd, html, timeout)
        except PdfError:
            tmp_pdf.unlink(missing_ok=True)
            raise
    if returncode != 0 or not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
        tmp_pdf.unlink(missing_ok=True)
        # Chromium's log may quote the page: shown with its control characters written out
        tail = terminal_text("\n".join(stderr.strip().splitlines()[-5:]))
        raise PdfError(f"Chromium failed to print {html.name} (exit {returncode}): {tail}")
    tmp_pdf.replace(out)
    return out


def report_pdf(
    folder: Path | str, reports: tuple[str, ...], timeout: float = TIMEOUT_S
) -> Path | None:
    """Print the report HTML of an edition's folder to a PDF next to it.

    Args:
        folder: an edition's output folder, e.g. outputs/putuo/2022.
        reports: names of the report notebooks (the registry's kind "report"), first found used.
        timeout: seconds before Chromium is stopped.

    Returns:
        The PDF path, or None when Chromium is missing (warning given).

    Raises:
        FileNotFoundError: the folder has no report HTML.
        PdfError: Chromium failed.
    """
    folder = Path(folder)
    for name in reports:
        html = folder / f"{name}.html"
        if html.is_file():
            return html_to_pdf(html, html.with_suffix(".pdf"), timeout)
    names = ", ".join(f"{name}.html" for name in reports) or "a report"
    raise FileNotFoundError(
        f"{folder} has no {names}; run `uniontrends run` for this region and year first"
    )


def pdf_after_run(html: Path | str, timeout: float = TIMEOUT_S) -> Path | None:
    """The runner's hook: print a report's HTML to PDF next to it; never raises.

    Args:
        html: the report's HTML in the region-year folder being written.
        timeout: seconds before Chromium is stopped.

    Returns:
        The PDF path, or None (no Chromium, or a failed print: warned).
    """
    html = Path(html)
    try:
        return html_to_pdf(html, html.with_suffix(".pdf"), timeout)
    except (PdfError, OSError) as error:
        message = f"no PDF for {html}: {error}"
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        _log.warning(message)
        return None
