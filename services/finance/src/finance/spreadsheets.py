"""Reports as XLSX workbooks a secretariat clerk opens in Excel or WPS: one sheet, a Chinese
and an English heading row, amounts as numbers with two decimals (VND none), frozen headings.
Written with openpyxl (ARCHITECTURE.md: openpyxl or xlsxwriter)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    zh: str
    en: str
    width: int = 16


Cell = str | int | Decimal | None


def workbook(
    title_zh: str, title_en: str, columns: Sequence[Column], rows: Sequence[Sequence[Cell]]
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title_en[:31]
    ws.append([f"{title_zh} / {title_en}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([c.zh for c in columns])
    ws.append([c.en for c in columns])
    for cell in (*ws[2], *ws[3]):
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(row=2, column=index).column_letter].width = column.width
    for row_cells in ws.iter_rows(min_row=4):
        for cell in row_cells:
            if isinstance(cell.value, Decimal):
                exponent = cell.value.as_tuple().exponent
                places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
                cell.number_format = "#,##0" + ("." + "0" * places if places else "")
    ws.freeze_panes = "A4"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
