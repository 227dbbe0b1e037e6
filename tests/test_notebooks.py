"""The notebook suite: structure (registry, one parameters cell, thin, paired, generated) and
what running it produces (through the project's warm runner; plain papermill where a user
would use it)."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from uniontrends.config import DATA_DIR, NOTEBOOKS_DIR
from uniontrends.findings.record import read_findings
from uniontrends.notebook.generate import area_notebooks
from uniontrends.notebook.registry import load_registry

REGISTRY = load_registry(NOTEBOOKS_DIR)
NOTEBOOKS = list(REGISTRY.names)
PARAMETERS = {"region", "year", "window", "lang", "data_dir", "output_dir"}
EXPLORER_PARAMETERS = {"data_dir", "lang"}
BATCH = [name for name in NOTEBOOKS if REGISTRY[name].kind != "explorer"]


def test_the_registry_lists_every_notebook_in_the_folder():
    assert sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)
    report = REGISTRY.of_kind("report")
    assert [s.name for s in report] == ["90_annual_report"]
    # the report needs every other notebook and runs last
    assert set(report[0].needs) == set(BATCH) - {"90_annual_report"}
    assert REGISTRY.run_order()[-1] == "90_annual_report"
    assert "explore" in NOTEBOOKS and "explore" not in REGISTRY.run_order()  # never in batch
    areas = [s.area for s in REGISTRY.of_kind("area")]
    assert areas == ["membership", "disputes", "welfare", "skills"]


def test_registry_problems_are_named(tmp_path):
    from uniontrends.errors import DataError

    (tmp_path / "registry.yaml").write_text(
        yaml.safe_dump(
            {
                "notebooks": [
                    {
                        "name": "a",
                        "kind": "analysis",
                        "title_en": "A",
                        "title_zh": "甲",
                        "needs": ["b"],
                    },
                    {
                        "name": "b",
                        "kind": "analysis",
                        "title_en": "B",
                        "title_zh": "乙",
                        "needs": ["a"],
                    },
                    {"name": "c", "kind": "poster", "title_en": "C", "title_zh": "丙"},
                ]
            }  # fmt: skip
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="kind 'poster' is not one of"):
        load_registry(tmp_path)
    text = (tmp_path / "registry.yaml").read_text(encoding="utf-8").replace("poster", "report")
    (tmp_path / "registry.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="the needs of a, b form a cycle"):
        load_registry(tmp_path)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_structure(name):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "Question" in nb.cells[0].source
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    assigned = {t.id for n in ast.parse(tagged[0].source).body for t in n.targets}
    expected = {"explorer": EXPLORER_PARAMETERS, "area": PARAMETERS | {"indicator"}}
    assert assigned == expected.get(REGISTRY[name].kind, PARAMETERS)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs") and cell.get("execution_count") is None
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defs, f"{name}: define functions in the library, not the notebook"
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        names = {a.name for n in imports for a in n.names}
        assert names <= {"uniontrends"}, f"{name}: a notebook imports only the public API"
    meta = json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text("utf-8"))["metadata"]
    assert meta["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_py_pair_in_sync(name):
    ipynb = jupytext.read(NOTEBOOKS_DIR / f"{name}.ipynb")
    py = jupytext.read(NOTEBOOKS_DIR / f"{name}.py")
    as_text = [(c.cell_type, c.source.strip()) for c in ipynb.cells]
    assert as_text == [(c.cell_type, c.source.strip()) for c in py.cells]


def test_area_notebooks_are_their_generated_form():
    for path, text in area_notebooks(REGISTRY).items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} differs from notebooks/templates/area.py + registry.yaml: "
            "edit those and run `make notebooks`"
        )


def _check_outputs(folder: Path, name: str, may_be_empty: bool = False) -> list:
    findings = read_findings(folder / name / "findings.json")
    assert (findings or may_be_empty) and (folder / name / "findings.md").stat().st_size > 0
    assert all(p.stat().st_size > 0 for p in (folder / name).rglob("*") if p.is_file())
    html = (folder / f"{name}.html").read_text(encoding="utf-8")
    assert "Traceback" not in html
    assert "ut.start(" not in html  # no input cells
    assert "PosixPath" not in html  # no cell ends by showing a (temporary) path
    if any((folder / name).glob("figures/*.png")):
        assert "data:image/png;base64," in html  # figures embedded
    return findings


@pytest.mark.notebooks
@pytest.mark.parametrize("region", ["putuo", "dinghai"])
def test_suite_runs(bundled_suite, region):
    folder = bundled_suite / region / "2022" / "en"
    # an illustrative region has no real data for a headline: its report's summary is empty
    found = {name: _check_outputs(folder, name, may_be_empty=name == "90_annual_report"
                                  and region != "putuo") for name in BATCH}  # fmt: skip
    if region != "putuo":
        html = (folder / "90_annual_report.html").read_text(encoding="utf-8")
        assert not found["90_annual_report"] and "Only illustrative (synthetic)" in html
    audit = {f.id: f for f in found["00_data_audit"]}
    if region == "putuo":
        bound = found["02_dispute_resolution"]
        (pub,) = [f for f in bound if f.id == "putuo.disputes_mediated.reported_total"]
        assert pub.value == 1200 and pub.qualifier == "at_least" and pub.interval_high is None
        assert audit["putuo.disputes_mediated.reconciliation"].value >= 1200
    else:
        assert not any(f.statistic == "reported_total" for f in found["02_dispute_resolution"])
    statements = [f.statement("en") for f in found["02_dispute_resolution"]]
    assert any("Labour disputes" in s for s in statements)
    assert all(not f.synthetic for f in found["05_international_context"])
    assert all(f.synthetic for f in found["01_membership_coverage"] if f.statistic == "trend")
    n_all = len(read_findings(folder / "90_annual_report" / "findings_all.json"))
    assert n_all == sum(len(v) for k, v in found.items() if k != "90_annual_report")
    assert (folder / "90_annual_report" / "figures" / "area_disputes.png").stat().st_size > 0


@pytest.mark.notebooks
def test_dispute_notebook_in_chinese(zh_reports):
    folder = zh_reports["dinghai"]
    findings = _check_outputs(folder, "02_dispute_resolution")
    assert any("劳动争议" in f.statement_zh for f in findings)
    csv = (folder / "02_dispute_resolution" / "tables" / "statistics.csv").read_text("utf-8-sig")
    assert "指标" in csv and "合成（示例）" in csv
    html = (folder / "02_dispute_resolution.html").read_text(encoding="utf-8")
    assert "定海（示例）" in html and "劳动争议调处" in html


def _papermill(name: str, out: Path, **params) -> nbformat.NotebookNode:
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


@pytest.mark.notebooks
def test_plain_papermill_with_another_data_dir_uses_its_names_everywhere(tmp_path):
    """A package's own region and indicator names reach every table, figure and finding."""
    from PIL import Image
    from uniontrends.present.export import notebook_to_html

    data = Path(shutil.copytree(DATA_DIR, tmp_path / "data"))
    shutil.rmtree(data / "reported")  # its sources cite the article, which names the district
    for name in ("regions.yaml", "package.yaml"):  # names and the federation's title
        text = (data / name).read_text(encoding="utf-8")
        (data / name).write_text(
            text.replace("Putuo District", "Harbourside Borough").replace("普陀区", "港湾区"),
            encoding="utf-8",
        )
    catalog = data / "indicators.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace("Labour disputes mediated", "Disputes settled"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    nb = _papermill("02_dispute_resolution", out, data_dir=str(data))
    html = notebook_to_html(nb, out / "02.html").read_text(encoding="utf-8")
    folder = out / "02_dispute_resolution"
    findings = read_findings(folder / "findings.json")
    texts = {
        "html": html,
        "findings": " ".join(f.statement_en + f.statement_zh for f in findings),
        "tables": " ".join(p.read_text("utf-8-sig") for p in (folder / "tables").glob("*.csv")),
        "figures": " ".join(str(Image.open(p).info) for p in (folder / "figures").glob("*.png")),
    }
    for where, text in texts.items():
        assert "Putuo District" not in text and "普陀区" not in text, where
        assert "Labour disputes mediated" not in text, where
    assert "Harbourside Borough" in texts["findings"] and "港湾区" in texts["findings"]
    assert "Disputes settled" in texts["tables"] and "Disputes settled" in texts["figures"]
    assert "Harbourside Borough" in texts["figures"] and "Harbourside Borough" in html
    assert "Harbourside Borough Federation of Trade Unions" in html  # package.yaml's title


@pytest.mark.notebooks
@pytest.mark.kernels
def test_bad_parameter_fails_clearly_in_the_notebooks_first_cell(tmp_path):
    # Both bad parameters on one warm kernel, as the runner would run them (a plain papermill
    # run of a notebook is tested above): the session's first call names the rule broken.
    from uniontrends.run import execution, kernels

    cases = [({"lang": "fr"}, "lang 'fr' is not supported"), ({"region": "../x"}, "region")]
    try:
        with kernels.borrowed(NOTEBOOKS_DIR) as kernel:
            for params, message in cases:
                execution.reset_namespace(kernel, NOTEBOOKS_DIR)
                nb = execution.parameterized(
                    NOTEBOOKS_DIR / "01_membership_coverage.ipynb",
                    {"region": "putuo", "lang": "en", "output_dir": str(tmp_path)} | params,
                )
                failure = execution.execute(nb, kernel, timeout=120, cwd=NOTEBOOKS_DIR)
                assert failure is not None and failure.kind == "error", params
                assert failure.message.startswith("ParameterError"), failure.message
                assert message in failure.message
                assert not (tmp_path / "01_membership_coverage").exists()  # nothing written
    finally:
        kernels.shutdown_all()
