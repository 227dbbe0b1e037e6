"""The data model: columns, qualifiers, provenances, units, kinds and the domain's bounds.

Everything here is a constant that every layer may read; nothing here reads a file.
"""

from __future__ import annotations

# Output languages of every statement, label and table header.
LANGS = ("en", "zh")

# Region ids become folder and file names, so they are slugs: no path separators, no "..".
# \Z, not $: "$" also matches before a trailing newline.
REGION_PATTERN = r"^[a-z][a-z0-9_-]{0,39}\Z"
# Indicator and area ids name files, table columns and finding ids: lower-case snake_case.
INDICATOR_PATTERN = r"^[a-z][a-z0-9_]{0,63}\Z"
# Countries of the reference series: ISO 3166-1 alpha-3 codes in lower case ("chn").
COUNTRY_PATTERN = r"^[a-z]{3}\Z"
YEAR_MIN, YEAR_MAX = 1949, 2100
# A trend needs at least three years; twenty is four terms.
WINDOW_MIN, WINDOW_MAX = 3, 20

# The files and folders of a data package (see data/package.py).
PACKAGE_FILE = "package.yaml"
CATALOG_FILE = "indicators.yaml"
REGIONS_FILE = "regions.yaml"
ANNUAL_DIR = "annual"
REPORTED_DIR = "reported"
REFERENCE_DIR = "reference"
SOURCES_DIR = "sources"

# qualifier: how a value relates to the truth. "at_least" comes from 余/超/以上/多,
# "approx" from 约/近/左右; a lower bound is an interval [value, inf), never an exact value.
QUALIFIERS = ("exact", "at_least", "at_most", "approx")
# An annual row may say that a year has no value: qualifier "missing", value empty ("", "NA",
# "-"), and optionally a missing_reason. In the validated panel its value is NaN and its
# missing_reason a text (MISSING_REASON_DEFAULT when none was given). A published figure is
# never "missing": a figure that was not published has no row.
MISSING = "missing"
ANNUAL_QUALIFIERS = (*QUALIFIERS, MISSING)
MISSING_REASON_DEFAULT = "marked missing"

# provenance: where a value comes from. "synthetic" must be labelled wherever it is shown.
PROVENANCES = ("reported", "official_annual", "synthetic", "reference")
# What each folder of a package may hold: external series belong in reference/ (read by
# data/reference.py), and reported/ holds published figures only.
FOLDER_PROVENANCES = {
    "annual": ("official_annual", "reported", "synthetic"),
    "reported": ("reported",),
}

# kind: flow (counted over a period, sums), stock (level at a date), rate (ratio of two
# indicators), money (yuan over a period, sums).
KINDS = ("flow", "stock", "rate", "money")

# how several years aggregate into one period value
AGGREGATIONS = ("sum", "last", "mean")

# base units only: persons, never 万人; yuan, never 万元; share in [0, 1], never percent.
# Their names in each language are wording: the message catalog's ``unit.<id>``.
UNITS = (
    "persons",
    "person_times",
    "cases",
    "events",
    "items",
    "organisations",
    "households",
    "yuan",
    "share",
    "yuan_per_person_time",
    "per_1000_members",
)

# Long (tidy) tables. An annual row is one region-year-indicator.
ANNUAL_COLUMNS = (
    "region",
    "year",
    "indicator",
    "value",
    "qualifier",
    "unit",
    "source",
    "provenance",
)
# Optional annual columns: why a year is missing; for survey-based rates, the respondents
# (sample_size, a positive number) and the design effect (>= 1) the inference uses. The
# validated panel always has them: "" and NaN where a file leaves them out.
ANNUAL_OPTIONAL_COLUMNS = ("missing_reason", "sample_size", "design_effect")
PANEL_COLUMNS = (*ANNUAL_COLUMNS, *ANNUAL_OPTIONAL_COLUMNS)
# A reported row is a published figure over a period (a five-year total or a stock at its end).
REPORTED_COLUMNS = (
    "region",
    "indicator",
    "period_start",
    "period_end",
    "value",
    "qualifier",
    "unit",
    "source",
    "provenance",
    "phrase_zh",
    "note",
)
