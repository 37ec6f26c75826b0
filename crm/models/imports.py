"""A file of people to import, and how far its import went."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.labels import ChoiceLabels


class ImportJob(ChoiceLabels, models.Model):
    """One uploaded directory file, imported in the background (crm.imports), all or nothing.

    The file itself is kept in the row: the web process and the worker share the database, not a disk.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    # Rows of the file, blank lines included (row numbers are line numbers after the header), and how many the
    # worker has checked so far: the progress bar.
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows checked"), default=0)
    created = models.PositiveIntegerField(_("people added"), default=0)
    updated = models.PositiveIntegerField(_("people updated"), default=0)
    invalid = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"row": 3, "errors": {"email": ["Enter a valid email address."]}}, …]: the first rows in error, readable.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # Why the whole file failed when no row is to blame (unreadable file, no "name" column, a clash while writing).
    failure = models.TextField(_("failure"), blank=True)
    # Messages (errors included) are written in the language of whoever uploaded the file.
    language = models.CharField(_("language"), max_length=8, default="en")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # When the sweep last handed the job to the broker: a message lost with the broker is sent again later.
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["status", "enqueued_at"], name="crm_importjob_status_idx")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.processed * 100 // self.total) if self.total else 0
