"""A report section as an HTML form, generated from the schema: field names in, raw cells out.

Names: `<field>` and `<field>__unit` for a field; `<table>-<row>-<column>` (and `__unit`) for a line;
`explain__<path>` for the explanation a warning asks for.
"""

from __future__ import annotations

from portal.reports.schema import Field, Section, Table
from portal.reports.values import cell, is_blank_row, section_data, table_rows

BLANK_ROWS = 2  # empty lines offered at the end of every table


def _cell_from(form, name: str, spec: Field) -> dict | str:
    text = (form.get(name) or "").strip()
    if spec.units:
        unit = form.get(f"{name}__unit")
        return {"v": text, "u": unit if unit in spec.units else spec.default_unit}
    return {"v": text}


def read(form, sec: Section) -> tuple[dict, dict]:
    """(section values, explanations) from a submitted form; blank lines are dropped."""
    values: dict = {}
    for item in sec.items:
        if isinstance(item, Table):
            rows = []
            for row_number in range(item.max_rows):
                names = [f"{item.key}-{row_number}-{c.key}" for c in item.columns]
                if not any(name in form for name in names):
                    break
                row = {c.key: _cell_from(form, name, c) for c, name in zip(item.columns, names, strict=True)}
                if not is_blank_row(row):
                    rows.append(row)
            values[item.key] = rows
        else:
            values[item.key] = _cell_from(form, item.key, item)
    explanations = {key.removeprefix("explain__"): (form.get(key) or "").strip()
                    for key in form if key.startswith("explain__") and key.removeprefix("explain__").startswith(
                        sec.key + ".")}
    return values, explanations


def rows_for_display(data: dict, sec: Section, table: Table, extra: int = BLANK_ROWS) -> list[dict]:
    rows = table_rows(data, sec, table)
    return rows + [{} for _ in range(min(extra, table.max_rows - len(rows)))]


def field_text(data: dict, sec: Section, spec: Field) -> tuple[str, str | None]:
    return row_text(section_data(data, sec), spec)


def row_text(row: dict, spec: Field) -> tuple[str, str | None]:
    text, unit = cell(row.get(spec.key))
    return text, unit or spec.default_unit
