"""Import jobs: an uploaded file stored as a row, handed to a worker, imported there with a progress bar.

The web request only stores the file in an ImportJob row (`import_job_create`); a beat sweep hands queued jobs
to the broker (`import_jobs_enqueue`), so a web request never waits on the broker; the task runs
`import_job_run`, which claims the job with a conditional update (a second run does nothing).
"""

import contextlib
import logging
import re
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.imports.checking import ImportOutcome, influencers_import
from crm.imports.reading import UnreadableFile, archive_check, file_rows
from crm.models import ImportJob

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
EXTENSIONS = {".csv": ImportJob.Format.CSV, ".txt": ImportJob.Format.CSV, ".xlsx": ImportJob.Format.XLSX}
Status = ImportJob.Status


def import_job_create(*, by, upload) -> ImportJob:
    """Store an uploaded file (`name`, `size`, `read()`) as a queued job; a worker imports it. No row is read here,
    but a workbook over the archive limits (crm.imports.reading) is refused at once."""
    # The name is shown and stored as text: no NUL (PostgreSQL refuses it) or other control character.
    file_name = re.sub(r"[\x00-\x1f\x7f]", "", upload.name or "")
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in EXTENSIONS:
        raise ValidationError(_("Upload a .csv or .xlsx file."), code="format")
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)d MB: split it in several files.") % {"size": MAX_FILE_BYTES >> 20},
            code="size",
        )
    content = upload.read()
    if EXTENSIONS[suffix] == ImportJob.Format.XLSX:
        # The central directory's sizes and each part's first bytes (the worker unpacks it all before reading).
        # A file that is no zip at all is stored: the worker says it cannot be read, like any unreadable file.
        with contextlib.suppress(zipfile.BadZipFile):
            archive_check(content, inflate=False)
    return ImportJob.objects.create(
        file_name=file_name[-255:],
        content=content,
        format=EXTENSIONS[suffix],
        created_by=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


def import_jobs_enqueue(*, now=None) -> int:
    """Beat: hand every queued job to the broker, after commit; fail the jobs whose worker died.

    A job handed over long ago and still queued lost its message (a broker restart): it is handed over again.
    A duplicate message is harmless, the task claims the job before anything else. Nothing to do costs two
    indexed reads and no write, so running every few seconds never queues behind an import holding SQLite's lock.
    """
    from crm.tasks import run_import  # crm.tasks imports this module: at the top, a cycle

    now = now or timezone.now()
    running = ImportJob.objects.filter(status=Status.RUNNING)
    if stale := list(
        running.filter(started_at__lt=now - timedelta(seconds=settings.IMPORT_TIMEOUT_SECONDS)).values_list(
            "pk", flat=True
        )
    ):
        running.filter(pk__in=stale).update(
            status=Status.FAILED,
            finished_at=now,
            content=b"",
            failure=_(
                "The import stopped before the end (its worker stopped). Nothing was written: upload the file again."
            ),
        )
    due = ImportJob.objects.filter(status=Status.QUEUED).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - timedelta(seconds=settings.IMPORT_RESEND_AFTER_SECONDS))
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:100])
    if not ids:
        return 0
    enqueued = 0
    with transaction.atomic():
        for pk in ids:
            # Conditional: of two sweeps at once, one hands the job over.
            if due.filter(pk=pk).update(enqueued_at=now):
                run_import.delay_on_commit(pk)
                enqueued += 1
    return enqueued


class _Superseded(Exception):
    """The job is no longer ours to finish (marked failed meanwhile): roll the import back."""


def import_job_run(*, job_id: int) -> None:
    """Run one queued job. Safe to call twice: only the call that moves it from queued to running imports."""
    if not ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    ):
        return
    job = ImportJob.objects.defer("content").select_related("created_by").get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job_id)
    with translation.override(job.language):
        try:
            _run(job, jobs)
        except Exception:
            log.exception("import job %s failed", job_id)
            jobs.filter(status=Status.RUNNING).update(
                status=Status.FAILED,
                finished_at=timezone.now(),
                content=b"",
                failure=_("The import stopped on an unexpected error. Nothing was written."),
            )


def _run(job: ImportJob, jobs) -> None:
    # A finished job keeps its figures and errors, not the uploaded file: people's data should not outlive its
    # use, and an erasure cannot reach inside a stored workbook.
    def fail(**fields) -> None:
        jobs.filter(status=Status.RUNNING).update(
            status=Status.FAILED, finished_at=timezone.now(), content=b"", **fields
        )

    def finish(outcome: ImportOutcome) -> None:
        done = jobs.filter(status=Status.RUNNING).update(
            status=Status.DONE,
            finished_at=timezone.now(),
            content=b"",
            total=outcome.rows,
            processed=outcome.rows,
            created=outcome.created,
            updated=outcome.updated,
        )
        if not done:
            raise _Superseded

    try:
        content = bytes(ImportJob.objects.values_list("content", flat=True).get(pk=job.pk))
        rows, total = file_rows(content, job.format)
        del content  # the rows hold the decoded text
        if total is not None:
            jobs.update(total=total)
        outcome = influencers_import(
            rows=rows,
            by=job.created_by,
            progress=lambda n: jobs.update(processed=n),
            before_commit=finish,
        )
    except ValidationError as invalid:  # the file as a whole: no "name" column
        fail(failure=" ".join(invalid.messages))
        return
    except UnreadableFile:
        fail(failure=_("The file could not be read as %(format)s.") % {"format": job.get_format_display()})
        return
    except IntegrityError:
        fail(
            failure=_(
                "Someone changed the directory while the file was imported (the same e-mail or handle was added). "
                "Nothing was written: upload the file again."
            )
        )
        return
    except _Superseded:
        return
    if outcome.invalid:
        fail(
            total=outcome.rows,
            processed=outcome.rows,
            invalid=outcome.invalid,
            errors=outcome.errors,
            failure=_("Some rows have errors. Nothing was written: fix them and upload the file again."),
        )
