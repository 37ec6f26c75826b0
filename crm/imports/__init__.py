"""Importing the directory from a spreadsheet (CSV or XLSX): in the background, fast, all or nothing.

A file's way, in the order it takes:
- `jobs`: the ImportJob's life — stored by the admin's upload (`import_job_create`), handed to a worker by a
  beat sweep (`import_jobs_enqueue`, crm.tasks), run once (`import_job_run`), its progress and outcome recorded
  for the admin's page (crm.admin.imports).
- `reading`: the stored bytes into numbered rows: CSV as people save it, a workbook once the archive limits
  (zip bombs) let it through.
- `rules`: one row's columns and rules (`RowChecker`), and who the row is about (`Matcher`).
- `checking`: the whole file (`influencers_import`): every row read once, checked and matched without a query
  per row; nothing written if any row is wrong.
- `writing`: the bulk writes of a checked file (COPY on PostgreSQL, executemany on SQLite).

The admin's export of the directory, in the same columns, is crm.exports.
"""

from crm.imports.checking import ImportOutcome, influencers_import
from crm.imports.jobs import import_job_create, import_job_run, import_jobs_enqueue

__all__ = [
    "ImportOutcome",
    "import_job_create",
    "import_job_run",
    "import_jobs_enqueue",
    "influencers_import",
]
