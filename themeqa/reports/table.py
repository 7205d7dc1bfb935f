"""The table every report writer takes: a title, a header row, body rows and notes.

Why one plain dataclass: tallies, Table 1, co-occurrence and later reports (agreement,
quantitative results) all end as "a titled grid with notes", and the DOCX/XLSX/CSV/Markdown
writers should not care which report made it. Cells are plain Python values (str, int,
float, None); formatting such as "6 (60.0)" is done by whoever builds the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ReportTable"]


@dataclass
class ReportTable:
    """A report table.

    ``key`` names the table in files (sheet name, CSV file stem); ``title`` is the APA-style
    caption; ``notes`` are printed under the table ("Note. Counts are participants …");
    ``indent`` gives, per body row, the indentation level of its first cell (0 = none), which
    is how Table 2 shows subordinate themes under their superordinate theme.
    """

    key: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    notes: list[str] = field(default_factory=list)
    indent: list[int] | None = None

    def __post_init__(self) -> None:
        width = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(
                    f"table {self.key!r}: row {i + 1} has {len(row)} cells, header has {width}"
                )
        if self.indent is not None and len(self.indent) != len(self.rows):
            raise ValueError(
                f"table {self.key!r}: indent has {len(self.indent)} entries for {len(self.rows)} rows"
            )

    def row_indent(self, i: int) -> int:
        """Indentation level of body row ``i`` (0 when the table has no indentation)."""
        return 0 if self.indent is None else int(self.indent[i])

    def cell_text(self, value: object) -> str:
        """The text a writer prints for one cell: None is blank, floats keep their digits."""
        if value is None:
            return ""
        return str(value)
