"""The bundled suite's findings stay byte-identical to tests/golden/ until a method changes.

A deliberate change of a method or wording regenerates them: `make golden` (or
`pytest tests/test_golden.py --update-golden`), and the diff is reviewed with the change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
REGION_YEARS = [("putuo", 2022), ("dinghai", 2022), ("daishan", 2022)]

pytestmark = pytest.mark.notebooks


@pytest.mark.parametrize(("region", "year"), REGION_YEARS)
def test_findings_equal_the_golden_files(bundled_suite, request, region, year):
    produced = sorted((bundled_suite / region / str(year) / "en").glob("*/findings.json"))
    assert produced, f"the suite wrote no findings for {region} {year}"
    folder = GOLDEN / f"{region}-{year}"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for path in produced:
            shutil.copyfile(path, folder / f"{path.parent.name}.json")
    expected = sorted(p.stem for p in folder.glob("*.json"))
    assert [p.parent.name for p in produced] == expected
    for path in produced:
        golden = (folder / f"{path.parent.name}.json").read_bytes()
        assert path.read_bytes() == golden, (
            f"{region} {year} {path.parent.name}: findings differ from tests/golden "
            "(a method changed? review, then `make golden`)"
        )
