"""A table of the programme dashboard: what its chart draws, what the page shows and what the downloads hold."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    key: str
    title: object
    columns: list
    rows: list[list] = field(default_factory=list)
    note: object | None = None

    def index_of(self, column) -> int:
        """The position of the column with this name (compared as text, in the current language)."""
        return [str(name) for name in self.columns].index(str(column))
