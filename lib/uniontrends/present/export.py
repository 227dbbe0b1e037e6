"""A notebook's files: figures (PNG, SVG), tables (CSV, XLSX) and its HTML without code."""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.figure
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg

from uniontrends.data.model import LANGS
from uniontrends.errors import UniontrendsError
from uniontrends.present.tables import write_csv, write_workbook
from uniontrends.safe import CONTENT_SECURITY_POLICY

if TYPE_CHECKING:
    import nbformat
    from matplotlib.transforms import Bbox
    from nbconvert import HTMLExporter

# Cell tags that hide parts of a notebook in its HTML export (Jupyter Book / nbconvert names).
REMOVE_CELL_TAGS = frozenset({"remove_cell", "remove-cell"})
REMOVE_INPUT_TAGS = frozenset({"remove_input", "remove-input", "hide-input", "hide_input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove_output", "remove-output"})

FIGURE_DPI = 150
_TEMPLATES = Path(__file__).parent / "templates"  # "standalone": lab without CDN scripts
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ExportError(UniontrendsError):
    """An output could not be written (bad name, unreadable notebook)."""


def _check_slug(name: str) -> str:
    if not isinstance(name, str) or ".." in name or not _SLUG.match(name):
        raise ExportError(
            f"output name {name!r} must be a slug: letters, digits, '_', '-', '.', "
            "no path separators and no '..'"
        )
    return name


def _lay_out_once(fig: matplotlib.figure.Figure) -> Bbox | None:
    """Run the figure's layout engine once, fix the result and return the box to save.

    The constrained layout fits every label, legend and note inside the figure, so the box
    is normally the figure itself (returned as None: save without ``bbox_inches``) and no
    tight box is measured; savefig(bbox_inches="tight") would measure every artist once more
    for each file, a third of a small-multiples figure's saving time. Axes titles are the
    exception (the layout gives them no width): when one runs past the figure's edge, the
    tight box (inches) is returned so that nothing is cut off. The layout runs at the saved
    resolution, so the PNG reuses its text measurements.
    """
    fig.set_dpi(FIGURE_DPI)
    if not hasattr(fig.canvas, "get_renderer"):
        # A bare Figure makes a new renderer, with an empty text-size cache, for each
        # measurement; an Agg canvas keeps one, so the layout and the PNG share it.
        FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)  # measures what it needs; a full draw_without_rendering also paints
    fig.set_layout_engine(None)  # None, not "none": a placeholder engine still costs a pass
    if _titles_inside(fig):
        return None
    return fig.get_tightbbox().padded(matplotlib.rcParams["savefig.pad_inches"])


def _titles_inside(fig: matplotlib.figure.Figure) -> bool:
    """Every axes title lies within the figure (one pixel of slack)."""
    renderer = fig.canvas.get_renderer()
    edge = fig.bbox
    for ax in fig.axes:
        for title in (ax.title, ax._left_title, ax._right_title):
            if not title.get_visible() or not title.get_text():
                continue
            box = title.get_window_extent(renderer)
            if box.x0 < edge.x0 - 1 or box.x1 > edge.x1 + 1:
                return False
    return True


@dataclass
class NotebookOutputs:
    """Where one notebook's figures and tables go: `output_dir/<notebook_name>/`.

    Example: NotebookOutputs("outputs/putuo/2022", "02_dispute_resolution").
    """

    output_dir: str | Path
    notebook_name: str
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, init=False, repr=False)
    _written: list[Path] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        _check_slug(self.notebook_name)
        self.output_dir = Path(self.output_dir)

    @property
    def root(self) -> Path:
        """The notebook's own output folder."""
        return Path(self.output_dir) / self.notebook_name

    def _remember(self, path: Path) -> Path:
        if path not in self._written:
            self._written.append(path)
        return path

    def figure(self, fig: matplotlib.figure.Figure, name: str) -> list[Path]:
        """Save a figure as figures/<name>.png (150 dpi) and figures/<name>.svg.

        Returns:
            The PNG and SVG paths.
        """
        _check_slug(name)
        folder = self.root / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        meta = dict(getattr(fig, "uniontrends_metadata", {}) or {})
        # PNG text chunks and SVG Dublin Core both accept Title and Description (alt text)
        fig_meta = {k: meta[k] for k in ("Title", "Description") if k in meta} or None
        bbox = _lay_out_once(fig)
        paths = []
        for ext in ("png", "svg"):
            path = folder / f"{name}.{ext}"
            fig.savefig(path, dpi=FIGURE_DPI, bbox_inches=bbox, metadata=fig_meta)
            paths.append(self._remember(path))
        return paths

    def table(self, df: pd.DataFrame, name: str) -> Path:
        """Save a table as tables/<name>.csv (UTF-8 with BOM) and keep it for workbook().

        Returns:
            The CSV path.
        """
        _check_slug(name)
        self._tables[name] = df.copy()
        return self._remember(write_csv(df, self.root / "tables" / f"{name}.csv"))

    def workbook(self, name: str = "tables") -> Path | None:
        """Write every table saved so far into <name>.xlsx, one sheet each.

        Returns:
            The XLSX path, or None when no table was saved.
        """
        _check_slug(name)
        if not self._tables:
            return None
        path = self.root / f"{name}.xlsx"
        write_workbook(self._tables, path)
        return self._remember(path)

    def paths(self) -> list[Path]:
        """Every file written so far, in writing order."""
        return list(self._written)


def _read_notebook(notebook: str | Path | nbformat.NotebookNode) -> nbformat.NotebookNode:
    import nbformat

    if isinstance(notebook, nbformat.NotebookNode):
        return notebook
    path = Path(notebook)
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError) as error:
        raise ExportError(f"cannot read notebook {path}: {error}") from error


# The one exporter of the process (and nbconvert's module-level Jinja/markdown state) is used
# by one export at a time: the runner exports on several threads.
_EXPORT_LOCK = threading.Lock()


@functools.cache
def _html_exporter() -> HTMLExporter:
    """One exporter per process: a new one compiles its Jinja templates again (~0.2 s)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        extra_template_basedirs=[str(_TEMPLATES)],
        template_name="standalone",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    remover = TagRemovePreprocessor(
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_input_tags=set(REMOVE_INPUT_TAGS),
        remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
        enabled=True,
    )
    exporter.register_preprocessor(remover, enabled=True)
    return exporter


def notebook_language(nb: nbformat.NotebookNode) -> str:
    """The language a notebook was run in: its ``lang`` parameter (papermill's record), else en.

    Returns:
        One of ``data.model.LANGS``.
    """
    params = nb.metadata.get("papermill", {}).get("parameters", {}) or {}
    lang = params.get("lang", "en")
    return lang if lang in LANGS else "en"


def notebook_to_html(
    notebook: str | Path | nbformat.NotebookNode,
    html_path: str | Path,
    title: str | None = None,
    lang: str | None = None,
) -> Path:
    """Export an executed notebook to one self-contained HTML file without code.

    Inputs and prompts are left out, images (outputs and Markdown) embedded as base64, cells
    tagged remove_cell / remove-input / remove-output dropped accordingly. The page declares
    ``safe.CONTENT_SECURITY_POLICY``: no script runs and nothing loads from outside the file.

    Args:
        notebook: a .ipynb path or an nbformat NotebookNode.
        html_path: where to write the .html file (parent folders are created).
        title: the page title; defaults to the notebook file name.
        lang: the page's language (``<html lang>``); defaults to the notebook's ``lang``
            parameter (``notebook_language``).

    Returns:
        The HTML path.
    """
    # Imported here, not at the top: notebooks import this module for figures and tables, and
    # nbformat's jsonschema import alone costs about 1.4 s in every fresh kernel.
    import nbformat

    nb = _read_notebook(notebook)
    html_path = Path(html_path)
    exporter = _html_exporter()
    name = title or (
        html_path.stem if isinstance(notebook, nbformat.NotebookNode) else Path(notebook).stem
    )
    resources: dict[str, object] = {
        "metadata": {"name": name},
        "content_security_policy": CONTENT_SECURITY_POLICY,  # read by templates/standalone
    }
    if isinstance(notebook, (str, Path)):
        # Markdown images with relative paths are resolved from the notebook's folder.
        resources["metadata"]["path"] = str(Path(notebook).parent)  # type: ignore[index]
    title = _title_block_heading(nb) or title  # a report's title block names its page
    if title is not None:
        nb = nbformat.from_dict(nb)  # copy: the caller's notebook keeps its metadata
        nb.metadata["title"] = title
    language = lang if lang in LANGS else notebook_language(nb)
    with _EXPORT_LOCK:
        exporter.language_code = language  # <html lang="en"> or "zh"; one export at a time
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def _title_block_heading(nb: dict) -> str | None:
    """The heading of the first title block a notebook's outputs show (``release.page_title``)."""
    from uniontrends.present.release import page_title

    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            found = page_title("".join(text) if isinstance(text, list) else str(text or ""))
            if found:
                return found
    return None


def figure_png(fig: matplotlib.figure.Figure) -> bytes:
    """A figure as PNG bytes at the saved files' resolution (the explorer shows these)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches=_lay_out_once(fig))
    return buffer.getvalue()
