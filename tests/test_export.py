"""A notebook's files: HTML without code, figures, CSV/XLSX safety, escaping."""

from __future__ import annotations

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import openpyxl
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from uniontrends.present import export
from uniontrends.present.export import ExportError, NotebookOutputs, notebook_to_html
from uniontrends.present.tables import display_table, write_csv, write_workbook
from uniontrends.safe import escape_html

# a 1x1 red PNG, built once
_buf = io.BytesIO()
_f = plt.figure(figsize=(0.1, 0.1))
_f.savefig(_buf, format="png", dpi=10)
plt.close(_f)
PNG_B64 = base64.b64encode(_buf.getvalue()).decode()

SECRET_SOURCE = "secret_variable_name_xyz = compute_totals(42)"
HIDDEN_MARKDOWN = "this markdown cell must vanish"


def _executed_notebook(markdown_output: str = "**Result**") -> nbformat.NotebookNode:
    """An already-executed notebook: code with text, image and Markdown outputs."""
    code = new_code_cell(SECRET_SOURCE, execution_count=1)
    code.outputs = [
        new_output("stream", name="stdout", text="visible printed text\n"),
        new_output("display_data", data={"image/png": PNG_B64, "text/plain": "<Figure>"}),
        new_output(
            "display_data", data={"text/markdown": markdown_output, "text/plain": "<Markdown>"}
        ),
    ]
    hidden = new_markdown_cell(HIDDEN_MARKDOWN)
    hidden.metadata["tags"] = ["remove_cell"]
    return new_notebook(
        cells=[new_markdown_cell("# Disputes\nThe question we answer."), code, hidden],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


def test_notebook_to_html_has_no_code_and_embeds_images(tmp_path):
    nb_path = tmp_path / "02_dispute_resolution.ipynb"
    nbformat.write(_executed_notebook(), nb_path)
    out = notebook_to_html(nb_path, tmp_path / "out" / "02.html", title="Disputes 2022")
    text = out.read_text(encoding="utf-8")
    assert SECRET_SOURCE not in text
    assert "compute_totals" not in text
    assert "Traceback" not in text
    # nbconvert adds an alt attribute before src, so match the tag, not a fixed prefix
    assert re.search(r'<img [^>]*src="data:image/png;base64,', text)
    assert "visible printed text" in text
    assert "The question we answer." in text
    assert HIDDEN_MARKDOWN not in text
    assert "<title>Disputes 2022</title>" in text
    assert "In&nbsp;[" not in text and "In [1]" not in text


def test_notebook_to_html_accepts_node_and_keeps_caller_notebook(tmp_path):
    nb = _executed_notebook()
    out = notebook_to_html(nb, tmp_path / "a.html", title="T")
    assert out.stat().st_size > 1000
    assert "title" not in nb.metadata


def test_notebook_to_html_embeds_markdown_images(tmp_path):
    (tmp_path / "logo.png").write_bytes(base64.b64decode(PNG_B64))
    nb = new_notebook(cells=[new_markdown_cell("![logo](logo.png)")])
    nb_path = tmp_path / "n.ipynb"
    nbformat.write(nb, nb_path)
    text = notebook_to_html(nb_path, tmp_path / "n.html").read_text(encoding="utf-8")
    assert 'src="logo.png"' not in text
    assert "data:image/png;base64," in text


def test_remove_input_tag_keeps_outputs(tmp_path):
    nb = _executed_notebook()
    nb.cells[1].metadata["tags"] = ["remove-input"]
    text = notebook_to_html(nb, tmp_path / "b.html").read_text(encoding="utf-8")
    assert "visible printed text" in text and SECRET_SOURCE not in text


def test_html_export_escapes_data_text(tmp_path):
    label = "Disputes <script>alert('x')</script>"
    nb = _executed_notebook(markdown_output=f"Indicator: {escape_html(label)}")
    text = notebook_to_html(nb, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<script>alert(" not in text
    assert "&lt;script&gt;" in text


def test_html_declares_the_content_security_policy(tmp_path):
    from bs4 import BeautifulSoup
    from uniontrends.safe import CONTENT_SECURITY_POLICY

    text = notebook_to_html(_executed_notebook(), tmp_path / "p.html").read_text("utf-8")
    soup = BeautifulSoup(text, "html.parser")
    metas = [m for m in soup.head.find_all("meta") if m.get("http-equiv")]
    assert [(m["http-equiv"], m["content"]) for m in metas] == [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    ]
    assert "script-src" not in CONTENT_SECURITY_POLICY  # default-src 'none' covers scripts
    assert CONTENT_SECURITY_POLICY.startswith("default-src 'none';")
    assert not soup.find_all(["script", "link"])  # nothing the policy would have to refuse


def test_notebook_to_html_bad_path_is_clear_error(tmp_path):
    with pytest.raises(ExportError, match="cannot read notebook"):
        notebook_to_html(tmp_path / "missing.ipynb", tmp_path / "x.html")


def test_escape_html():
    assert escape_html("<b>&\"'") == "&lt;b&gt;&amp;&quot;&#x27;"
    assert escape_html(12) == "12"


def test_figure_writes_valid_png_and_svg(tmp_path):
    outputs = NotebookOutputs(tmp_path / "putuo" / "2022", "02_dispute_resolution")
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    fig.uniontrends_metadata = {"Title": "t", "Description": "Illustrative data (synthetic)"}
    png, svg = outputs.figure(fig, "disputes_trend")
    plt.close(fig)
    assert png == tmp_path / "putuo/2022/02_dispute_resolution/figures/disputes_trend.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    head = svg.read_text(encoding="utf-8")[:400]
    assert head.startswith("<?xml") and "<svg" in svg.read_text(encoding="utf-8")
    assert b"Illustrative data (synthetic)" in png.read_bytes()
    assert outputs.paths() == [png, svg]


@pytest.mark.parametrize("bad", ["../x", "a/b", "a\\b", "..", "", "x..y", "/abs", ".hidden"])
def test_names_must_be_slugs(tmp_path, bad):
    outputs = NotebookOutputs(tmp_path, "nb")
    with pytest.raises(ExportError, match="slug"):
        outputs.table(pd.DataFrame({"a": [1]}), bad)
    with pytest.raises(ExportError):
        NotebookOutputs(tmp_path, bad)


def test_table_csv_has_bom_and_chinese(tmp_path):
    outputs = NotebookOutputs(tmp_path, "nb")
    df = pd.DataFrame({"indicator": ["劳动争议调处"], "value": [1200]})
    path = outputs.table(df, "disputes")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back.loc[0, "indicator"] == "劳动争议调处" and back.loc[0, "value"] == 1200


def test_workbook_sheets_and_formula_injection(tmp_path):
    outputs = NotebookOutputs(tmp_path, "nb")
    evil = pd.DataFrame(
        {
            "label": ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "plain"],
            "value": [1, -2.5, 3, 4, 5],
        }
    )
    outputs.table(evil, "a_very_long_table_name_that_exceeds_thirty_one_chars_1")
    outputs.table(evil, "a_very_long_table_name_that_exceeds_thirty_one_chars_2")
    outputs.table(pd.DataFrame({"x": [1]}), "short")
    path = outputs.workbook()
    assert path == tmp_path / "nb" / "tables.xlsx"
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert len(names) == 3 and len(set(n.lower() for n in names)) == 3
    assert all(len(n) <= 31 for n in names)
    assert names[2] == "short"
    ws = wb[names[0]]
    assert ws["A2"].value == '=HYPERLINK("http://x","y")'
    assert ws["A2"].data_type == "s"  # text, not a formula
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert ws["B3"].value == -2.5 and ws["B3"].data_type == "n"  # numbers stay numbers
    assert outputs.paths()[-1] == path


def test_csv_formula_injection_prefixed(tmp_path):
    df = pd.DataFrame({"label": ["=1+1", "\tx", "ok"], "value": [-1, 2, 3]})
    path = write_csv(df, tmp_path / "t.csv")
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert back["label"].tolist()[0] == "'=1+1"
    assert back["label"].tolist()[2] == "ok"
    assert back["value"].tolist() == [-1, 2, 3]


def test_sheet_names_sanitised(tmp_path):
    sheets = write_workbook(
        {"a/b:c": pd.DataFrame({"x": [1]}), "A_B_C": pd.DataFrame({"x": [2]})}, tmp_path / "w.xlsx"
    )
    assert sheets["a/b:c"] == "a_b_c"
    assert sheets["A_B_C"] == "A_B_C~2"


def test_workbook_none_without_tables(tmp_path):
    assert NotebookOutputs(tmp_path, "nb").workbook() is None


def test_display_table_separators_and_escaping():
    df = pd.DataFrame({"indicator": ["<script>x</script>"], "year": [2022], "value": [1234567.5]})
    out = display_table(df, "en").to_html()
    assert "1,234,567.50" in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert ">2022<" in out
    zh = display_table(df, "zh").to_html()
    assert "指标" in zh and "数值" in zh


def test_display_table_shows_small_p_values_as_bounds():
    df = pd.DataFrame({"p_value": [0.0004, 0.0167, None]})
    html = display_table(df, "en").to_html()
    assert "&lt;\u00a00.001" in html and "0.017" in html and "nan" not in html


def test_display_table_shows_whole_numbers_without_decimals():
    df = pd.DataFrame({"count": [38.0, 17000.0], "share": [1.0, 0.85], "p_value": [0.5, 0.02],
                       "findings": [14, 43]})  # fmt: skip
    html = display_table(df, "en").to_html()
    assert ">38<" in html and ">17,000<" in html  # not 38.00
    assert ">14<" in html and ">43<" in html  # an integer column too (the report's counts)
    assert ">1.00<" in html and ">0.85<" in html  # a column with fractions keeps its decimals
    assert ">0.500<" in html  # p-values keep their own format


def test_display_table_hides_a_row_counter_and_left_aligns_text():
    df = pd.DataFrame({"statement": ["a sentence"], "value": [1.0]})
    html = display_table(df, "en").to_html()
    assert 'class="row_heading' not in html  # no 0, 1, 2 ... column
    assert "text-align: left" in html
    named = display_table(df.set_index("statement"), "en").to_html()
    assert 'class="row_heading' in named  # a meaningful index stays


def test_plots_figure_alt_text_lands_in_png_metadata(tmp_path):
    from PIL import Image
    from uniontrends import config
    from uniontrends.data.catalog import load_catalog
    from uniontrends.data.regions import load_regions
    from uniontrends.present import plots

    series = pd.DataFrame(
        {
            "region": "putuo",
            "year": [2018, 2019, 2020],
            "indicator": "disputes_mediated",
            "value": [1.0, 2.0, 3.0],
            "source": "synthetic",
            "provenance": "synthetic",
        }
    )
    fig = plots.trend_figure(
        series,
        "disputes_mediated",
        "zh",
        catalog=load_catalog(config.DATA_DIR),
        region_names=load_regions(config.DATA_DIR),
    )
    png, _ = NotebookOutputs(tmp_path, "nb").figure(fig, "t")
    info = Image.open(png).info
    assert info["Title"] == "普陀区：劳动争议调处"
    assert plots.SYNTHETIC_NOTE["zh"] in info["Description"]


def test_html_loads_nothing_from_the_network(tmp_path):
    """A circulated report opens offline: no script or stylesheet is fetched from a CDN."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Report")])
    text = export.notebook_to_html(nb, tmp_path / "r.html").read_text("utf-8")
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+href=\"https?:", text)
    assert "cdnjs" not in text
