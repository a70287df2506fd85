"""Hazardous-waste codes of China's National Hazardous Waste List (国家危险废物名录): format, category, lookup.

A waste code is 8 digits written XXX-XXX-XX: digits 1-3 the industry of origin (GB/T 4754-2017), 4-6 a sequence
number, 7-8 the category, the NN of HWNN (DOMAIN.md §4; the 2025 articles as reposted at
http://wzryfz.com/h-nd-123.html). Editions: 2025 (in force 2025-01-01) and 2021 (in force 2021-01-01, kept for
historical data).

What the bundled copy in data/ covers, as checked on 2026-11-25:
- hw_categories.csv: 46 category codes, HW01-HW40 and HW45-HW50, with their Chinese names. 44 names are given
  identically by two independent repository files; HW10 and HW15 by one of them only; HW48's name differs
  between sources and is left empty. No English names: no source for a translation. No source confirms that the
  2021 and 2025 editions keep exactly this table, so it is not treated as complete (CATEGORY_TABLE_COMPLETE).
- hw_codes_2025.csv and hw_codes_2021.csv: no entries. No faithful transcription of either edition's list (code,
  industry, description, hazard as published) was found in the public material searched, and entries are never
  filled in from memory or paraphrase. Drop a transcription of the published list into these files (same
  columns; the loader checks them) and codes start resolving.

So today: a malformed code is an error ("invalid"); a well-formed code whose category is in the table, or is not
(the table is not complete), is "unknown". An unknown code is a warning, never an error: the supplier keeps it and
a reviewer checks it against the published list.

Sources (public repository files found with the stored code index, which gave index file ids but not the
repository, path or commit for these files):
- code-index file 45256694956: Vue component "produceSituation" (危险废物产生概况); its commented-out server response
  "bigCategoryList" has 46 categories with names; its sub-codes (e.g. 397-005-34) show 2016-edition data.
- code-index file 61043648666: src/core/hw-code-db.ts, headed 《国家危险废物名录（2025年版）》, 44 categories listed;
  its descriptions are paraphrases and are not used.
- code-index file 55691238757: a Python seed list of sample codes; used only to record the HW48 name conflict.
- Searched without finding a transcription: the code index (full-list markers 071-001-08, 841-004-01, 398-004-22,
  398-005-22, 900-249-08; the published wording of 900-041-49 and 900-214-08), the stored web pages
  (https://bbs.mala.cn/thread-16798700-1-1.html gives 336-064-17, 261-057-34, 900-214-08 with informal wording
  only) and the documentation corpus.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).with_name("data")
EDITIONS = (2025, 2021)

CODE_PATTERN = re.compile(r"^\d{3}-\d{3}-\d{2}$", re.ASCII)
BARE_CODE_PATTERN = re.compile(r"^\d{8}$", re.ASCII)
CATEGORY_PATTERN = re.compile(r"^HW\d{2}$", re.ASCII)

# No source confirms that the bundled category table is the whole 2021/2025 table, so a code with a category
# outside it is a warning ("unknown"), not an error. Set True only once the table is checked against the list.
CATEGORY_TABLE_COMPLETE = False

CATEGORY_COLUMNS = ("category", "name_zh", "name_en", "source")
CODE_COLUMNS = ("code", "category", "industry_zh", "description_zh", "hazard", "source_edition")

# NFKC already folds full-width digits and the full-width hyphen; these dashes survive it.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")

Status = Literal["known", "unknown", "invalid"]


@dataclass(frozen=True)
class WasteCode:
    """One entry of the list as bundled; text fields are Chinese as published, empty where not transcribed."""

    code: str
    category: str
    category_name_zh: str
    industry_zh: str
    description_zh: str
    hazard: str
    edition: int


@dataclass(frozen=True)
class CodeCheck:
    """Outcome of checking what a supplier typed; `message_key` is stable, the UI maps it to a sentence."""

    code: str | None
    status: Status
    category: str | None
    entry: WasteCode | None
    message_key: str  # "empty", "invalid_format", "unknown_category", "not_in_bundled_list", "in_bundled_list"

    @property
    def is_warning(self) -> bool:
        return self.status == "unknown"


def normalise_code(text: str | None) -> str | None:
    """XXX-XXX-XX, or None when the text is not a waste code; accepts 8 bare digits, spaces, full-width forms."""
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    compact = "".join(folded.split())
    if CODE_PATTERN.fullmatch(compact):
        return compact
    if BARE_CODE_PATTERN.fullmatch(compact):
        return f"{compact[:3]}-{compact[3:6]}-{compact[6:]}"
    return None


def category_of(code: str) -> str:
    """The HW category a normalised code names: its last two digits."""
    return f"HW{code[-2:]}"


def check_code(text: str | None, edition: int = 2025) -> CodeCheck:
    _require_edition(edition)
    if text is None or not text.strip():
        return CodeCheck(None, "invalid", None, None, "empty")
    code = normalise_code(text)
    if code is None:
        return CodeCheck(None, "invalid", None, None, "invalid_format")
    category = category_of(code)
    if category not in _categories():
        return CodeCheck(code, "invalid" if CATEGORY_TABLE_COMPLETE else "unknown", category, None,
                         "unknown_category")
    entry = _codes(edition).get(code)
    if entry is None:
        return CodeCheck(code, "unknown", category, None, "not_in_bundled_list")
    return CodeCheck(code, "known", category, entry, "in_bundled_list")


def lookup(code: str | None, edition: int = 2025) -> WasteCode | None:
    _require_edition(edition)
    normalised = normalise_code(code)
    return None if normalised is None else _codes(edition).get(normalised)


def categories() -> list[tuple[str, str]]:
    """(HWNN, Chinese name) in code order; the name is empty where the sources disagree."""
    return sorted(_categories().items())


def read_categories_csv(path: Path) -> dict[str, str]:
    names: dict[str, str] = {}
    for line_no, row in _rows(path, CATEGORY_COLUMNS):
        category = row["category"]
        if not CATEGORY_PATTERN.fullmatch(category):
            raise ValueError(f"{path.name}:{line_no}: category {category!r} is not HWNN")
        if category in names:
            raise ValueError(f"{path.name}:{line_no}: category {category} listed twice")
        names[category] = row["name_zh"]
    return names


def read_codes_csv(path: Path, edition: int, category_names: dict[str, str]) -> dict[str, WasteCode]:
    """Reads one edition's entries and refuses a file that contradicts the code structure or itself."""
    entries: dict[str, WasteCode] = {}
    for line_no, row in _rows(path, CODE_COLUMNS):
        code, category = row["code"], row["category"]
        where = f"{path.name}:{line_no}"
        if not CODE_PATTERN.fullmatch(code):
            raise ValueError(f"{where}: code {code!r} is not written XXX-XXX-XX")
        if category != category_of(code):
            raise ValueError(f"{where}: code {code} ends in {code[-2:]} but is filed under {category}")
        if category not in category_names:
            raise ValueError(f"{where}: category {category} is not in the category table")
        if row["source_edition"] != str(edition):
            raise ValueError(f"{where}: source_edition {row['source_edition']!r} in the {edition} file")
        if code in entries:
            raise ValueError(f"{where}: code {code} listed twice")
        entries[code] = WasteCode(code=code, category=category, category_name_zh=category_names[category],
                                  industry_zh=row["industry_zh"], description_zh=row["description_zh"],
                                  hazard=row["hazard"], edition=edition)
    return entries


def codes_path(edition: int) -> Path:
    return DATA_DIR / f"hw_codes_{edition}.csv"


def categories_path() -> Path:
    return DATA_DIR / "hw_categories.csv"


@cache
def _categories() -> dict[str, str]:
    return read_categories_csv(categories_path())


@cache
def _codes(edition: int) -> dict[str, WasteCode]:
    return read_codes_csv(codes_path(edition), edition, _categories())


def clear_cache() -> None:
    """Forget the loaded files (tests that point DATA_DIR elsewhere)."""
    _categories.cache_clear()
    _codes.cache_clear()


def _require_edition(edition: int) -> None:
    if edition not in EDITIONS:
        raise ValueError(f"edition {edition!r} is not bundled; editions are {EDITIONS}")


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Data rows with their line numbers; lines starting with # are the file's provenance header."""
    with path.open(encoding="utf-8", newline="") as handle:
        numbered = [(no, line) for no, line in enumerate(handle, start=1) if not line.startswith("#")]
    reader = csv.reader(line for _, line in numbered)
    header = next(reader, None)
    if header is None or tuple(header) != columns:
        raise ValueError(f"{path.name}: columns {header!r}, expected {list(columns)}")
    for values in reader:
        if not values:
            continue
        line_no = numbered[reader.line_num - 1][0]
        if len(values) != len(columns):
            raise ValueError(f"{path.name}:{line_no}: {len(values)} fields, expected {len(columns)}")
        yield line_no, {name: value.strip() for name, value in zip(columns, values, strict=True)}
