"""The demo programme's credit ratings and penalty records: synthetic rows for the demo organisations' codes,
one code nobody registered and one invalid row per file (data/demo-*.csv, loadable with `flask records import`)."""

from __future__ import annotations

from pathlib import Path

from portal.records import imports, reading

DEMO_FILES = ("demo-credit-ratings.csv", "demo-penalties.csv")
DATA_DIR = Path(__file__).parent / "data"


def load_demo_records() -> int:
    """Imports the demo files' valid rows; returns how many records it added (none the second time)."""
    created = 0
    for name in DEMO_FILES:
        parsed = reading.read((DATA_DIR / name).read_bytes(), legacy_codes=imports.legacy_codes())
        created += len(imports.apply_rows(parsed, actor=None).new)
    return created
