"""Importing a directory file (CSV or XLSX) in the background, fast, all or nothing.

- `jobs`: the ImportJob's life — stored by the upload, handed to a worker by a beat sweep, run once, its progress
  and outcome recorded for the admin's page.
- `checking`: the fast path itself (`influencers_import`): every row read once, checked and matched without a
  query per row; nothing written if any row is wrong.
- `writing`: the bulk writes of a checked file (COPY on PostgreSQL, executemany on SQLite).
"""

from crm.services.imports.checking import ImportOutcome, influencers_import
from crm.services.imports.jobs import (
    READING_ERRORS,
    UnreadableFile,
    import_job_create,
    import_job_run,
    import_jobs_enqueue,
)

__all__ = [
    "READING_ERRORS",
    "ImportOutcome",
    "UnreadableFile",
    "import_job_create",
    "import_job_run",
    "import_jobs_enqueue",
    "influencers_import",
]
