"""The notebook suite: structure (one parameters cell, thin, paired) and execution via papermill."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jupytext
import nbformat
import pytest
from uniontrends.config import NOTEBOOKS_DIR
from uniontrends.findings import read_findings

NOTEBOOKS = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))
PARAMETERS = {"region", "year", "window", "lang", "data_dir", "output_dir"}


def test_suite_is_complete():
    assert NOTEBOOKS == [
        "00_data_audit",
        "01_membership_coverage",
        "02_dispute_resolution",
        "03_welfare_impact",
        "04_skills_competitions",
        "05_international_context",
        "90_annual_report",
    ]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_structure(name):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "Question" in nb.cells[0].source
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    assigned = {t.id for n in ast.parse(tagged[0].source).body for t in n.targets}
    assert assigned == PARAMETERS
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs") and cell.get("execution_count") is None
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defs, f"{name}: define functions in the library, not the notebook"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_py_pair_in_sync(name):
    ipynb = jupytext.read(NOTEBOOKS_DIR / f"{name}.ipynb")
    py = jupytext.read(NOTEBOOKS_DIR / f"{name}.py")
    as_text = [(c.cell_type, c.source.strip()) for c in ipynb.cells]
    assert as_text == [(c.cell_type, c.source.strip()) for c in py.cells]


def _run(name: str, out: Path, **params) -> nbformat.NotebookNode:
    import papermill as pm

    params = {"region": "putuo", "lang": "en", "output_dir": str(out)} | params
    executed = out / f"{name}.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / f"{name}.ipynb"),
        str(executed),
        parameters=params,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    return nbformat.read(executed, as_version=4)


def _check_outputs(name: str, out: Path, nb: nbformat.NotebookNode) -> list:
    from uniontrends.export import notebook_to_html

    folder = out / name
    findings = read_findings(folder / "findings.json")
    assert findings and (folder / "findings.md").stat().st_size > 0
    assert all(p.stat().st_size > 0 for p in folder.rglob("*") if p.is_file())
    html = notebook_to_html(nb, out / f"{name}.html").read_text(encoding="utf-8")
    assert "Traceback" not in html
    assert "session.start(" not in html  # no input cells
    assert "PosixPath" not in html  # no cell ends by showing a (temporary) path
    if any(folder.glob("figures/*.png")):
        assert "data:image/png;base64," in html  # figures embedded, also outside the runner
    return findings


SUITE = [
    "00_data_audit",
    "01_membership_coverage",
    "02_dispute_resolution",
    "03_welfare_impact",
    "04_skills_competitions",
    "05_international_context",
    "90_annual_report",
]


@pytest.mark.notebooks
@pytest.mark.parametrize(("region", "lang"), [("putuo", "en"), ("dinghai", "zh")])
def test_suite_runs(tmp_path, region, lang):
    found = {}
    for name in SUITE:
        nb = _run(name, tmp_path, region=region, lang=lang)
        found[name] = _check_outputs(name, tmp_path, nb)
    audit = {f.id: f for f in found["00_data_audit"]}
    if region == "putuo":
        bound = found["02_dispute_resolution"]
        (pub,) = [f for f in bound if f.id == "putuo.disputes_mediated.reported_total"]
        assert pub.value == 1200 and pub.qualifier == "at_least" and pub.interval_high is None
        assert audit["putuo.disputes_mediated.reconciliation"].value >= 1200
    else:
        assert not any(f.statistic == "reported_total" for f in found["02_dispute_resolution"])
    statements = [f.statement(lang) for f in found["02_dispute_resolution"]]
    assert any(("劳动争议" if lang == "zh" else "Labour disputes") in s for s in statements)
    assert all(not f.synthetic for f in found["05_international_context"])
    assert all(f.synthetic for f in found["01_membership_coverage"] if f.statistic == "trend")
    all_path = tmp_path / "90_annual_report" / "findings_all.json"
    n_all = len(read_findings(all_path))
    assert n_all == sum(len(v) for k, v in found.items() if k != "90_annual_report")
    assert (tmp_path / "90_annual_report" / "figures" / "area_disputes.png").stat().st_size > 0


@pytest.mark.notebooks
def test_dispute_notebook_in_chinese(tmp_path):
    nb = _run("02_dispute_resolution", tmp_path, lang="zh")
    findings = _check_outputs("02_dispute_resolution", tmp_path, nb)
    (pub,) = [
        f
        for f in findings
        if f.statistic == "reported_total" and f.indicator == "disputes_mediated"
    ]
    assert pub.value == 1200 and pub.qualifier == "at_least"
    assert "超过1,200件" in pub.statement_zh and "劳动争议" in pub.statement_zh
    csv = (tmp_path / "02_dispute_resolution" / "tables" / "statistics.csv").read_text("utf-8-sig")
    assert "指标" in csv and "合成（示例）" in csv


@pytest.mark.notebooks
@pytest.mark.parametrize(
    ("params", "message"),
    [({"lang": "fr"}, "lang 'fr' is not supported"), ({"region": "../x"}, "region")],
)
def test_bad_parameter_fails_clearly(tmp_path, params, message):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError) as info:
        _run("01_membership_coverage", tmp_path, **params)
    assert "ParameterError" in info.value.ename
    assert message in str(info.value.evalue)


def test_notebooks_have_kernelspec():
    for name in NOTEBOOKS:
        meta = json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text("utf-8"))["metadata"]
        assert meta["kernelspec"]["name"] == "python3"


@pytest.mark.notebooks
def test_hostile_indicator_label_is_escaped_in_html_and_text_in_xlsx(tmp_path):
    """A label pasted from elsewhere with markup or a formula never runs in the report or Excel."""
    import shutil

    import openpyxl
    from uniontrends.config import DATA_DIR
    from uniontrends.export import notebook_to_html

    data = Path(shutil.copytree(DATA_DIR, tmp_path / "data"))
    catalog = data / "indicators.yaml"
    text = catalog.read_text(encoding="utf-8")
    hostile = "<script>alert(1)</script>Labour disputes mediated"
    assert "name_en: Labour disputes mediated," in text
    text = text.replace("name_en: Labour disputes mediated,", f'name_en: "{hostile}",', 1)
    catalog.write_text(text.replace("name_en: Legal aid cases,", 'name_en: "=1+1 aid",', 1))
    out = tmp_path / "out"
    out.mkdir()
    nb = _run("02_dispute_resolution", out, data_dir=str(data))
    html = notebook_to_html(nb, out / "02.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    book = openpyxl.load_workbook(out / "02_dispute_resolution" / "tables.xlsx")
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value == "=1+1 aid"]
    assert cells and all(c.data_type == "s" for c in cells)
