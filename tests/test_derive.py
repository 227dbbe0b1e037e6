"""Derived rates: values by hand, qualifier and provenance propagation, bad denominators."""

import pandas as pd
import pytest
from uniontrends.data import derive
from uniontrends.errors import DataError

CATALOG = {
    "indicators": [
        {"id": "disputes_mediated", "unit": "cases", "kind": "flow"},
        {"id": "union_members", "unit": "persons", "kind": "stock"},
        {"id": "disputes_per_1000_members", "unit": "per_1000_members", "kind": "rate",
         "numerator": "disputes_mediated", "denominator": "union_members", "scale": 1000},
    ]
}  # fmt: skip
COLS = ["region", "year", "indicator", "value", "qualifier", "unit", "source", "provenance"]


def _panel(rows):
    return pd.DataFrame(rows, columns=COLS)


def test_rate_value_qualifier_provenance():
    panel = _panel([
        ("putuo", 2022, "disputes_mediated", 300, "at_least", "cases", "a", "reported"),
        ("putuo", 2022, "union_members", 12000, "exact", "persons", "b", "synthetic"),
        ("putuo", 2021, "disputes_mediated", 250, "approx", "cases", "a", "official_annual"),
        ("putuo", 2021, "union_members", 10000, "exact", "persons", "b", "official_annual"),
    ])  # fmt: skip
    out = derive.add_derived(panel, CATALOG)
    rate = out[out["indicator"] == "disputes_per_1000_members"].set_index("year")
    assert rate.loc[2022, "value"] == pytest.approx(25.0)
    assert rate.loc[2022, "qualifier"] == "at_least"
    assert rate.loc[2022, "provenance"] == "synthetic"
    assert rate.loc[2021, "value"] == pytest.approx(25.0)
    assert rate.loc[2021, "qualifier"] == "approx"
    assert rate.loc[2021, "provenance"] == "official_annual"
    assert len(out) == 6 and len(panel) == 4  # input untouched


def test_ratio_qualifier_rules():
    q = derive.combine_ratio_qualifier
    assert q("exact", "exact") == "exact"
    assert q("at_least", "exact") == "at_least"
    assert q("exact", "at_least") == "at_most"
    assert q("at_least", "at_least") == "approx"
    assert q("approx", "exact") == "approx"
    assert derive.combine_sum_qualifier(["exact", "at_least"]) == "at_least"
    assert derive.combine_sum_qualifier(["at_most", "at_least"]) == "approx"


def test_existing_rate_is_kept():
    panel = _panel([
        ("putuo", 2022, "disputes_mediated", 300, "exact", "cases", "a", "reported"),
        ("putuo", 2022, "union_members", 12000, "exact", "persons", "b", "reported"),
        ("putuo", 2022, "disputes_per_1000_members", 30, "exact", "per_1000_members", "c",
         "reported"),
    ])  # fmt: skip
    out = derive.add_derived(panel, CATALOG)
    assert len(out) == 3
    assert out.loc[out["indicator"] == "disputes_per_1000_members", "value"].item() == 30


def test_zero_denominator_and_duplicates_are_errors():
    panel = _panel([
        ("putuo", 2022, "disputes_mediated", 3, "exact", "cases", "a", "reported"),
        ("putuo", 2022, "union_members", 0, "exact", "persons", "b", "reported"),
    ])  # fmt: skip
    with pytest.raises(DataError, match="denominator_positive"):
        derive.add_derived(panel, CATALOG)
    with pytest.raises(DataError, match="duplicate"):
        derive.add_derived(pd.concat([panel, panel]), CATALOG)


def test_catalog_forms_are_equivalent():
    class Ind:
        def __init__(self, d):
            self.__dict__.update({k: None for k in derive._FIELDS} | d)

    as_objects = [Ind(d) for d in CATALOG["indicators"]]
    assert derive.catalog_entries(as_objects)["disputes_per_1000_members"]["scale"] == 1000
    assert set(derive.catalog_entries(CATALOG["indicators"])) == set(
        derive.catalog_entries(CATALOG)
    )
