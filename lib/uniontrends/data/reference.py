"""Real published union-density series (ILOSTAT, OECD TUD) as one tidy table in base units.

The raw copies in ``data/reference/`` are read-only; this module only reads them (see
``data/reference/README.md`` for their provenance). Output columns are
``model.ANNUAL_COLUMNS`` plus ``dataset`` ("ilostat" | "oecd") and ``region_name``.

Rules:
- region is the lowercase ISO3 code ("chn"); region_name is the English country name (the OECD
  file carries names; ILOSTAT codes get the OECD name, or China / "Hong Kong, China", else the
  code itself).
- union_density is a share (percent / 100); union_members and employees are persons
  (thousands x 1000). provenance is ``reference``, qualifier ``exact``.
- One source per (dataset, region, indicator): where a country has several sources (ILOSTAT
  source codes, OECD ADM administrative vs SVY survey data), we keep the source with the most
  years, ties broken by ADM before SVY (OECD) or by the most recent last year, then the code
  (ILOSTAT). Administrative and survey measures of density differ in level, so splicing them
  into one series would put an artificial break into any trend; keeping one avoids that at the
  cost of the other source's years. In the OECD file the three series of a country have the
  same years per source, so TUD, TUM and EEM always come from the same source.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from uniontrends.data.model import ANNUAL_COLUMNS
from uniontrends.data.tables import MAX_BYTES
from uniontrends.errors import DataError, Problem

ILOSTAT_FILE = "ilostat_union_density.csv"
OECD_FILE = "oecd_trade_union_density.csv"
REFERENCE_COLUMNS = (*ANNUAL_COLUMNS, "dataset", "region_name")

# ILOSTAT codes outside the OECD file that the suite names (China is the comparison of interest).
_EXTRA_NAMES = {"CHN": "China", "HKG": "Hong Kong, China"}
_OECD_SERIES = {
    "TUD": ("union_density", "share"),
    "TUM": ("union_members", "persons"),
    "EEM": ("employees", "persons"),
}
_OECD_SOURCE_ORDER = {"ADM": 0, "SVY": 1}
_OECD_FLAGS = {"B": "break in series", "E": "estimated value"}


def _read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read one raw CSV (utf-8-sig strips ILOSTAT's byte-order mark) and check its columns."""
    if not path.exists():
        raise DataError([Problem(str(path), "file_exists", "reference file not found")])
    if path.stat().st_size > MAX_BYTES:
        raise DataError([Problem(path.name, "file_too_large", "the reference file is too large")])
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"Flag Codes": "string"})
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
        # EmptyDataError and ParserError are ValueErrors; a damaged copy is named, not raised.
        raise DataError(
            [Problem(path.name, "reference_file", f"cannot read the reference file: "
                     f"{' '.join(str(error).split())[:200]}")]
        ) from None  # fmt: skip
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(
            [
                Problem(str(path), "columns", f"missing column(s) {missing}", row=1, column=c)
                for c in missing
            ]
        )
    return frame


def _keep_one_source(frame: pd.DataFrame, keys: list[str], rank: pd.Series) -> pd.DataFrame:
    """Keep, per keys, the source with the most years; ``rank`` (lower first) breaks ties."""
    stats = (
        frame.assign(_rank=rank)
        .groupby([*keys, "_source"], as_index=False)
        .agg(_n=("year", "size"), _last=("year", "max"), _rank=("_rank", "first"))
        .sort_values(
            [*keys, "_n", "_rank", "_last", "_source"],
            ascending=[True] * len(keys) + [False, True, False, True],
        )
        .drop_duplicates(keys)
    )
    return frame.merge(stats[[*keys, "_source"]], on=[*keys, "_source"], how="inner")


def tidy_ilostat(path: Path, names: dict[str, str]) -> pd.DataFrame:
    """ILOSTAT ILR_TUMT_NOC_RT_A as tidy rows.

    Args:
        path: the raw ILOSTAT CSV (obs_value in percent).
        names: ISO3 code -> English name, used for region_name (the code when absent).

    Returns:
        Frame with REFERENCE_COLUMNS; value is a share in [0, 1].
    """
    raw = _read(path, ("ref_area", "indicator", "source", "time", "obs_value"))
    frame = pd.DataFrame(
        {
            "code": raw["ref_area"].astype(str),
            "year": raw["time"].astype(int),
            "_source": raw["source"].astype(str),
            "value": (raw["obs_value"].astype(float) / 100).round(10),
        }
    )
    frame["indicator"] = "union_density"
    frame = _keep_one_source(frame, ["code", "indicator"], pd.Series(0, index=frame.index))
    frame["source"] = "ILOSTAT ILR_TUMT_NOC_RT_A, source " + frame["_source"]
    frame["unit"] = "share"
    frame["dataset"] = "ilostat"
    frame["region_name"] = frame["code"].map(lambda c: names.get(c, c))
    return _finish(frame)


def tidy_oecd(path: Path) -> pd.DataFrame:
    """OECD Trade Union Dataset (TUD density %, TUM members and EEM employees in thousands).

    Args:
        path: the raw OECD.Stat CSV.

    Returns:
        Frame with REFERENCE_COLUMNS; density as a share, members and employees in persons.
    """
    raw = _read(path, ("COU", "Country", "SOURCE", "SERIES", "TIME", "Value", "Flag Codes"))
    raw = raw[raw["SERIES"].isin(list(_OECD_SERIES))]
    indicator = raw["SERIES"].map(lambda s: _OECD_SERIES[s][0])
    unit = raw["SERIES"].map(lambda s: _OECD_SERIES[s][1])
    value = raw["Value"].astype(float)
    # density comes in percent; members and employees in thousands (PowerCode 3)
    value = value.where(unit != "share", value / 100).where(unit == "share", value * 1000)
    flag = raw["Flag Codes"].map(
        lambda f: f"; flag {f}: {_OECD_FLAGS.get(f, f)}" if pd.notna(f) else ""
    )
    frame = pd.DataFrame(
        {
            "code": raw["COU"].astype(str),
            "year": raw["TIME"].astype(int),
            "_source": raw["SOURCE"].astype(str),
            "indicator": indicator,
            "unit": unit,
            "value": value.round(10),
            "source": "OECD TUD, " + raw["SOURCE"].astype(str) + flag,
            "region_name": raw["Country"].astype(str),
        }
    )
    rank = frame["_source"].map(lambda s: _OECD_SOURCE_ORDER.get(s, 9))
    frame = _keep_one_source(frame, ["code", "indicator"], rank)
    frame["dataset"] = "oecd"
    return _finish(frame)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Common columns, column order and a stable row order."""
    frame = frame.assign(
        region=frame["code"].str.lower(), qualifier="exact", provenance="reference"
    )
    frame = frame.sort_values(["region", "indicator", "year"], kind="stable")
    return frame[list(REFERENCE_COLUMNS)].reset_index(drop=True)


def empty_reference() -> pd.DataFrame:
    """A reference table without rows (a package without reference series)."""
    frame = pd.DataFrame({c: pd.Series(dtype=str) for c in REFERENCE_COLUMNS})
    return frame.astype({"year": int, "value": float})


def tidy_reference(folder: Path | str) -> pd.DataFrame:
    """The reference datasets present as one tidy table, one source per series.

    Args:
        folder: a data package's ``reference/`` folder, holding the raw ILOSTAT and/or OECD
            files (``ILOSTAT_FILE``, ``OECD_FILE``); other files there are not read.

    Returns:
        Frame with ``model.ANNUAL_COLUMNS`` + ``dataset`` + ``region_name``; shares in [0, 1],
        persons as counts; unique on (dataset, region, indicator, year). Empty (no rows) when
        the folder or both files are absent.

    Raises:
        DataError: a reference file lacks a column or cannot be read.
    """
    folder = Path(folder)
    frames, names = [], dict(_EXTRA_NAMES)
    try:
        if (folder / OECD_FILE).is_file():
            oecd = tidy_oecd(folder / OECD_FILE)
            names = dict(zip(oecd["region"].str.upper(), oecd["region_name"], strict=False))
            names.update(_EXTRA_NAMES)
            frames.append(oecd)
        if (folder / ILOSTAT_FILE).is_file():
            frames.insert(0, tidy_ilostat(folder / ILOSTAT_FILE, names))
    except (ValueError, TypeError, KeyError) as error:
        raise DataError(
            [Problem(str(folder.name), "reference_file", f"a reference file has values of the "
                     f"wrong kind: {' '.join(str(error).split())[:200]}")]
        ) from None  # fmt: skip
    if not frames:
        return empty_reference()
    combined = pd.concat(frames, ignore_index=True)
    duplicated = combined.duplicated(["dataset", "region", "indicator", "year"])
    if duplicated.any():
        # cannot happen with one source kept per series; guard the invariant notebooks rely on
        first = combined[duplicated].iloc[0]
        raise DataError([Problem(str(folder), "unique_series", f"duplicate row {dict(first)}")])
    return combined


_OECD_SOURCE_NAMES = {"ADM": "administrative data", "SVY": "survey data"}


def oecd_annual(path: Path | str, country: str) -> pd.DataFrame:
    """One country's OECD members, employees and density as a package's annual rows.

    The source is chosen as ``tidy_oecd`` chooses it (the one with the most years,
    administrative before survey data), so the series has no artificial break; the flags of
    the file are carried: an estimate ("E") becomes qualifier ``approx`` and the source says
    so, a break in series ("B") is said in the source.

    Args:
        path: the raw OECD.Stat TUD file (``OECD_FILE``).
        country: ISO3 code in lower case, e.g. "nld".

    Returns:
        Frame with ``model.ANNUAL_COLUMNS``: region = country, provenance
        ``official_annual`` (the country's statistics as the OECD compiles them), values in
        persons and shares; sorted by indicator (members, employees, density) and year.

    Raises:
        DataError: the file does not hold the country.
    """
    tidy = tidy_oecd(Path(path))
    rows = tidy[tidy["region"] == country].copy()
    if rows.empty:
        raise DataError([Problem(Path(path).name, "country", f"no OECD series for {country!r}")])
    code = rows["source"].str.extract(r"OECD TUD, (\w+)")[0]
    flags = rows["source"].str.extract(r"; flag \w+: (.*)$")[0].fillna("")
    rows["source"] = (
        "OECD Trade Union Dataset (TUD), "
        + code.map(lambda c: f"{_OECD_SOURCE_NAMES.get(c, c)} ({c})")
        + flags.map(lambda f: f"; {f}" if f else "")
    )
    rows["qualifier"] = flags.map(lambda f: "approx" if f == _OECD_FLAGS["E"] else "exact")
    rows["provenance"] = "official_annual"
    order = {"union_members": 0, "employees": 1, "union_density": 2}
    rows = rows.sort_values(["indicator", "year"], key=lambda c: c.map(order) if c.name ==
                            "indicator" else c, kind="stable")  # fmt: skip
    return rows[list(ANNUAL_COLUMNS)].reset_index(drop=True)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".12g")
    return str(value)


def write_oecd_annual(path: Path | str, country: str, out: Path | str) -> Path:
    """Write ``oecd_annual`` of a country as an annual table (UTF-8 CSV, byte-stable).

    Args:
        path: the raw OECD.Stat TUD file.
        country: ISO3 code in lower case.
        out: the CSV to write, e.g. ``<package>/annual/<country>.csv``.

    Returns:
        The path written.
    """
    import csv
    import io

    frame = oecd_annual(path, country)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ANNUAL_COLUMNS)
    for rec in frame.itertuples(index=False):
        writer.writerow([_cell(v) for v in rec])
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    return out
