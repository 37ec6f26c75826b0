"""Directory imports in the admin: upload a file, then watch its job's progress while a worker imports it.

The upload only stores the file (crm.imports.import_job_create) and redirects to the job's page, which
polls a small progress fragment with htmx every second until the job is done or failed.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin.rows import ModelAdmin
from crm.imports import import_job_create
from crm.models import ImportJob


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8 or Windows) or Excel (.xlsx)."))


@admin.register(ImportJob)
class ImportJobAdmin(ModelAdmin):
    list_display = ("file_name", "status", "progress", "created", "updated", "invalid", "created_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("created_by",)
    show_full_result_count = False
    fields = (
        "file_name",
        "format",
        "status",
        "total",
        "processed",
        "created",
        "updated",
        "invalid",
        "failure",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields
    change_form_template = "admin/crm/importjob/change_form.html"

    def get_queryset(self, request):
        # The file itself (up to 50 MB a job) is read by the worker only.
        return super().get_queryset(request).defer("content", "errors")

    def has_change_permission(self, request, obj=None):
        return False  # a job is written by its worker; the page only shows it

    @admin.display(description=_("progress"))
    def progress(self, job: ImportJob) -> str:
        return f"{job.percent} %"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="crm_importjob_progress",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = import_job_create(by=request.user, upload=form.cleaned_data["file"])
            except ValidationError as refused:
                form.add_error("file", refused)
            else:
                self.log_addition(request, job, [{"added": {}}])
                self.message_user(
                    request,
                    gettext("“%(file)s” is queued: this page shows the import as it runs.") % {"file": job},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:crm_importjob_change", args=[job.pk]))
        return TemplateResponse(
            request,
            "admin/crm/importjob/upload.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Import people"),
                "opts": self.opts,
                "form": form,
                "has_view_permission": self.has_view_permission(request),
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        extra = {"job": job, "progress_url": self._progress_url(job)} if job is not None else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def progress_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not object_id.isdigit():
            return HttpResponse(status=404)
        job = get_object_or_404(ImportJob.objects.defer("content"), pk=object_id)
        return TemplateResponse(
            request, "admin/crm/importjob/progress.html", {"job": job, "progress_url": self._progress_url(job)}
        )

    @staticmethod
    def _progress_url(job: ImportJob) -> str:
        return reverse("admin:crm_importjob_progress", args=[job.pk])
