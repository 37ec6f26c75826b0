"""The same tables as the page, as CSV and XLSX, with cells a spreadsheet will not run as formulas."""

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from reports.selectors.base import ReportResult, number

# A spreadsheet reads a cell starting with one of these as a formula (or a DDE command): CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Numbers as numbers; text that could start a formula gets a leading apostrophe.

    Control characters a workbook cannot hold (openpyxl raises on them: the XLSX download failed on a name
    typed with one) become U+FFFD first, so that dropping one cannot uncover a formula behind it.
    """
    value = number(value)
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(result: ReportResult) -> str:
    """Each table under its title, a blank line between tables."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, table in enumerate(result.tables):
        if index:
            writer.writerow([])
        writer.writerow([safe_cell(table.title)])
        writer.writerow([safe_cell(c) for c in table.columns])
        writer.writerows([safe_cell(v) for v in row] for row in table.rows)
    return out.getvalue()


def to_xlsx(result: ReportResult) -> bytes:
    """One sheet per table, written by openpyxl."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in result.tables:
        # Sheet titles: at most 31 characters, none of []:*?/\ .
        sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", str(table.title))[:31])
        sheet.append([safe_cell(c) for c in table.columns])
        for row in table.rows:
            sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
