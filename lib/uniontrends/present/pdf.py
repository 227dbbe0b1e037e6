"""Print the self-contained HTML report to PDF with headless Chromium (skipped when absent)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

from uniontrends.errors import UniontrendsError

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
TIMEOUT_S = 120.0
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


def chromium_command(html: Path, pdf: Path, executable: str, profile: Path) -> list[str]:
    """The command line that prints `html` to `pdf` (no header/footer, backgrounds kept).

    Args:
        html: the HTML file (absolute path).
        pdf: the PDF to write (absolute path).
        executable: the Chromium binary.
        profile: a throw-away --user-data-dir.

    Returns:
        argv list.
    """
    return [
        executable,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw",
        f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]


def html_to_pdf(
    html: Path | str, pdf: Path | str | None = None, timeout: float = TIMEOUT_S
) -> Path | None:
    """Print an HTML file to PDF with headless Chromium.

    Args:
        html: the HTML file (self-contained: images inlined).
        pdf: the PDF to write (default: html with suffix .pdf).
        timeout: seconds before Chromium is stopped.

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
    with tempfile.TemporaryDirectory(prefix="uniontrends-chromium-") as profile:
        cmd = chromium_command(html, tmp_pdf.resolve(), executable, Path(profile))
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as error:
            tmp_pdf.unlink(missing_ok=True)
            raise PdfError(f"Chromium did not finish printing {html.name} in {timeout:g} s") from (
                error
            )
    if done.returncode != 0 or not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
        tmp_pdf.unlink(missing_ok=True)
        tail = "\n".join((done.stderr or "").strip().splitlines()[-5:])
        raise PdfError(f"Chromium failed to print {html.name} (exit {done.returncode}): {tail}")
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
