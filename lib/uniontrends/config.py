"""Project paths and the defaults every notebook and command shares, defined once."""

from __future__ import annotations

import os
from pathlib import Path

# lib/uniontrends/config.py -> parents[2] is the repository root (editable install).
PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("UNIONTRENDS_DATA_DIR", PROJ_ROOT / "data"))
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
OUTPUTS_DIR = Path(os.environ.get("UNIONTRENDS_OUTPUTS_DIR", PROJ_ROOT / "outputs"))

CATALOG_FILE = "indicators.yaml"
REGIONS_FILE = "regions.yaml"
REPORTED_DIR = "reported"
ANNUAL_DIR = "annual"
REFERENCE_DIR = "reference"
SOURCES_DIR = "sources"

DEFAULT_REGION = "putuo"
DEFAULT_YEAR = 2022
DEFAULT_WINDOW = 5
DEFAULT_LANG = "en"
LANGS = ("en", "zh")
