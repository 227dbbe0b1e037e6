"""Test data builders shared by several test modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from uniontrends.findings.record import Finding


def make_finding(indicator: str = "disputes_mediated", **overrides: Any) -> Finding:
    """A valid synthetic Putuo 2018-2022 finding; pass any Finding field to change it."""
    fields: dict[str, Any] = dict(
        id=f"putuo.{indicator}.trend", area="disputes", indicator=indicator, region="putuo",
        period_start=2018, period_end=2022, statistic="trend",
        statement_en=f"{indicator} trend", statement_zh=f"{indicator}趋势", value=1.0,
        unit="cases", evidence="clear", provenance=["synthetic"], synthetic=True,
    )  # fmt: skip
    fields.update(overrides)
    return Finding(**fields)


def add_to_registry(notebooks_dir: Path, name: str, kind: str = "analysis") -> None:
    """List one more notebook in a fixture folder's registry.yaml (it runs after the others)."""
    path = notebooks_dir / "registry.yaml"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"  - {{name: {name}, kind: {kind}, title_en: {name}, title_zh: {name}}}\n")
