"""Project paths and the defaults of the entry points, defined once.

Only the entry points (the CLI, ``notebook.session.start`` and ``run.runner.run``) read the
default folders; everything below them is given its data package and folders (a lint test,
tests/test_architecture.py, checks).
"""

from __future__ import annotations

from pathlib import Path

# lib/uniontrends/config.py -> parents[2] is the repository root (editable install).
PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJ_ROOT / "data"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
OUTPUTS_DIR = PROJ_ROOT / "outputs"

DEFAULT_REGION = "putuo"
DEFAULT_YEAR = 2022
DEFAULT_WINDOW = 5
DEFAULT_LANG = "en"
