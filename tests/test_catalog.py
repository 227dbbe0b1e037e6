"""Tests for uniontrends.catalog: the real catalog, caching, and each catalog rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from uniontrends import config
from uniontrends.data import model
from uniontrends.data.catalog import Indicator, load_catalog, parse_catalog
from uniontrends.data.regions import load_regions
from uniontrends.errors import DataError

_AREAS = {"disputes": {"name_en": "Disputes", "name_zh": "维权"}}


def _entry(**fields: object) -> dict[str, object]:
    entry = {
        "id": "cases_x",
        "area": "disputes",
        "name_en": "Cases",
        "name_zh": "案件",
        "unit": "cases",
        "kind": "flow",
        "aggregation": "sum",
    }
    entry.update(fields)
    return entry


def _rules(raw: dict) -> list[str]:
    with pytest.raises(DataError) as caught:
        parse_catalog(raw, name="cat.yaml")
    assert all(p.file == "cat.yaml" for p in caught.value.problems)
    return [p.rule for p in caught.value.problems]


def test_real_catalog_counts_match_the_yaml() -> None:
    catalog = load_catalog(config.DATA_DIR)
    raw = yaml.safe_load((config.DATA_DIR / model.CATALOG_FILE).read_text("utf-8"))
    assert list(catalog.indicators) == [e["id"] for e in raw["indicators"]]
    assert set(catalog.areas) == set(raw["areas"])
    assert len(catalog.in_area("membership")) == sum(
        e["area"] == "membership" for e in raw["indicators"]
    )
    derived = {ind.id for ind in catalog.derived()}
    assert derived == {e["id"] for e in raw["indicators"] if "numerator" in e}
    assert "union_density" in derived and "app_satisfaction" not in derived


def test_indicator_names_and_units_in_both_languages() -> None:
    catalog = load_catalog(config.DATA_DIR)
    ind = catalog["training_participants"]
    assert isinstance(ind, Indicator)
    assert ind.name("en") == "Workers trained" and ind.name("zh") == "培训职工"
    assert ind.unit_label("en") == "person-times" and ind.unit_label("zh") == "人次"
    assert catalog["disputes_per_1000_members"].scale == 1000.0
    assert catalog.area_name("welfare", "zh") == "服务帮扶"
    with pytest.raises(AttributeError):
        ind.unit = "persons"  # type: ignore[misc]


def test_catalog_is_cached_until_the_file_changes(tmp_path: Path) -> None:
    shutil.copy(config.DATA_DIR / model.CATALOG_FILE, tmp_path / model.CATALOG_FILE)
    first = load_catalog(tmp_path)
    assert load_catalog(tmp_path) is first
    path = tmp_path / model.CATALOG_FILE
    raw = yaml.safe_load(path.read_text("utf-8"))
    raw["indicators"] = raw["indicators"][:3]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    reloaded = load_catalog(tmp_path)
    assert len(reloaded.indicators) == 3


def test_missing_catalog_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="indicators.yaml"):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    ("entries", "rule"),
    [
        ([_entry(unit="万元")], "unit_unknown"),
        ([_entry(kind="count")], "kind_unknown"),
        ([_entry(aggregation="total")], "aggregation_unknown"),
        ([_entry(area="nowhere")], "area_unknown"),
        ([_entry(), _entry()], "duplicate_id"),
        ([_entry(id="r", kind="rate", unit="cases")], "rate_definition"),
        ([_entry(), _entry(id="r", kind="rate", unit="share", numerator="cases_x")], "rate_ratio"),
        (
            [_entry(id="r", kind="rate", unit="share", numerator="a", denominator="b")],
            "numerator_unknown",
        ),
        ([_entry(scale=-1)], "scale_positive"),
        ([_entry(colour="red")], "field_unknown"),
        ([{k: v for k, v in _entry().items() if k != "unit"}], "field_missing"),
    ],
)
def test_each_catalog_rule(entries: list[dict], rule: str) -> None:
    assert rule in _rules({"areas": _AREAS, "indicators": entries})


def test_all_problems_reported_together() -> None:
    rules = _rules({"areas": _AREAS, "indicators": [_entry(unit="万元"), _entry(id="y", kind="x")]})
    assert rules == ["unit_unknown", "kind_unknown"]


def test_regions() -> None:
    regions = load_regions(config.DATA_DIR)
    assert list(regions)[:1] == ["putuo"] and regions["putuo"].has_reported is True
    assert regions.name("putuo", "zh") == "普陀区" and regions.name("unknown") == "unknown"
    assert len(load_regions(Path("/nonexistent"))) == 0


def test_region_keys_must_be_slugs(tmp_path: Path) -> None:
    (tmp_path / model.REGIONS_FILE).write_text("regions:\n  ../etc: {name_en: X}\n", "utf-8")
    with pytest.raises(DataError, match=r"regions.yaml: \[region_slug\] region '../etc'"):
        load_regions(tmp_path)


def test_the_bundled_catalog_measures_what_the_built_in_one_does() -> None:
    from uniontrends.data.catalog import builtin_catalog

    bundled, builtin = load_catalog(config.DATA_DIR), builtin_catalog()
    assert list(bundled.indicators) == list(builtin.indicators)
    measured = ("area", "unit", "kind", "aggregation", "numerator", "denominator", "scale")
    for ident, ind in bundled.indicators.items():
        assert [getattr(ind, f) for f in measured] == [
            getattr(builtin[ident], f) for f in measured
        ], ident
    assert not any(ind.in_article for ind in builtin.indicators.values())


def test_include_selects_built_in_indicators_with_their_areas_and_adds_own_ones() -> None:
    catalog = parse_catalog(
        {
            "include": ["union_members", "employees", "union_density"],
            "areas": {"bargaining": {"name_en": "Bargaining", "name_zh": "集体协商"}},
            "indicators": [
                _entry(id="conciliation_rate", unit="share", kind="rate", aggregation="mean"),
                _entry(id="agreements_renewed", area="bargaining", unit="items"),
            ],
        }
    )
    assert list(catalog.indicators) == [
        "union_members", "employees", "union_density", "conciliation_rate", "agreements_renewed"
    ]  # fmt: skip
    assert list(catalog.areas) == ["membership", "disputes", "bargaining"]
    assert catalog.area_name("disputes", "zh") == "维权调处"  # a built-in area's names
    assert catalog["union_density"].is_derived
    assert len(parse_catalog({"include": "all"}).indicators) == 45


def test_include_needs_the_parts_of_a_derived_rate() -> None:
    with pytest.raises(DataError, match="numerator 'union_members' is not in the catalog; add "
                       "'union_members' to include"):  # fmt: skip
        parse_catalog({"include": ["union_density", "employees"]})
