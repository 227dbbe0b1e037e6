"""Write the second bundled example, examples/oecd-netherlands/annual/nld.csv, from the real
OECD series in data/reference/ (no synthetic row; tests/test_oecd_example.py checks the
committed file equals what this script writes).

Usage: .venv/bin/python tools/write_oecd_example.py
"""

from __future__ import annotations

from pathlib import Path

from uniontrends.data.reference import OECD_FILE, write_oecd_annual

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "oecd-netherlands"

if __name__ == "__main__":
    print(write_oecd_annual(ROOT / "data" / "reference" / OECD_FILE, "nld",
                            EXAMPLE / "annual" / "nld.csv"))  # fmt: skip
