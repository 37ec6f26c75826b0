"""The reports in the admin: an overview (the "Reports" entry of the index) and one page per report.

Managers only: every view checks `reports.view_reports` first, so a staff member without it gets a 403, not the
admin's login page; the admin's own checks (login, staff) apply after that.
"""

from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reports.cache import computed
from reports.exports import to_csv, to_xlsx
from reports.filters import ReportFilterForm
from reports.models import VIEW_REPORTS, Report
from reports.registry import REPORTS
from reports.selectors.base import PAGE_ROWS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return request.user.has_perm(VIEW_REPORTS)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(VIEW_REPORTS)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path("", self._managers_only(self.overview_view), name="reports_report_changelist"),
            path("<slug:slug>/", self._managers_only(self.report_view), name="reports_report_detail"),
            path("<slug:slug>/figures/", self._managers_only(self.figures_view), name="reports_report_figures"),
            path("<slug:slug>/csv/", self._managers_only(self.csv_view), name="reports_report_csv"),
            path("<slug:slug>/xlsx/", self._managers_only(self.xlsx_view), name="reports_report_xlsx"),
        ]

    def _managers_only(self, view):
        protected = self.admin_site.admin_view(view)

        def gate(request, *args, **kwargs):
            if request.user.is_authenticated and not request.user.has_perm(VIEW_REPORTS):
                raise PermissionDenied
            return protected(request, *args, **kwargs)

        return update_wrapper(gate, view)

    def _context(self, request, title, form) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "reports": REPORTS.values(),
            "query": urlencode(form.filters().as_query()),
        }

    def overview_view(self, request):
        """One card per report; each card's key figures come from figures_view, fetched by the page's script.

        Building the eight reports here would be eight reports' queries in one page (about 30); each card is one
        small request instead, within a report page's budget, and the eight run side by side.
        """
        form = ReportFilterForm(request.GET or None)
        return TemplateResponse(request, "admin/reports/overview.html", self._context(request, _("Reports"), form))

    def figures_view(self, request, slug):
        """A report's key figures alone: the overview's card for that report."""
        kind, form, report = self._report(request, slug)
        context = {"figures": report.result.figures, "computed_at": report.computed_at}
        return TemplateResponse(request, "admin/reports/_figures.html", context)

    def _report(self, request, slug, *, refresh: bool = False):
        """The report as kept (reports.cache), with the first PAGE_ROWS rows of its long tables."""
        kind, form = self._kind(slug), ReportFilterForm(request.GET or None)
        return kind, form, computed(kind, form.filters(), limit=PAGE_ROWS, refresh=refresh)

    def _download(self, request, slug):
        """A download has every row and is computed when asked: it is rare, and can be far bigger than a page."""
        kind, form = self._kind(slug), ReportFilterForm(request.GET or None)
        return kind, form, kind.build(form.filters())

    @staticmethod
    def _kind(slug):
        kind = REPORTS.get(slug)
        if kind is None:
            raise Http404(_("No such report."))
        return kind

    def report_view(self, request, slug):
        if "refresh" in request.GET:
            # "Recompute now": computed and kept, then the page as usual (a reload does not compute it again).
            self._report(request, slug, refresh=True)
            query = request.GET.copy()
            del query["refresh"]
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        kind, form, report = self._report(request, slug)
        context = self._context(request, kind.title, form) | {
            "kind": kind,
            "result": report.result,
            "computed_at": report.computed_at,
            "refresh_minutes": max(1, settings.REPORTS_REFRESH_SECONDS // 60),
            "chart_summary": chart_summary(kind.title, report.result.chart),
        }
        return TemplateResponse(request, "admin/reports/report.html", context)

    def csv_view(self, request, slug):
        kind, form, result = self._download(request, slug)
        response = HttpResponse(to_csv(result), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self._filename(kind, form)}.csv"'
        return response

    def xlsx_view(self, request, slug):
        kind, form, result = self._download(request, slug)
        response = HttpResponse(to_xlsx(result), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{self._filename(kind, form)}.xlsx"'
        return response

    @staticmethod
    def _filename(kind, form) -> str:
        filters = form.filters()
        return slugify(f"{kind.slug} {filters.date_from} {filters.date_to}")


def chart_summary(title, chart: dict) -> str:
    """The chart said in a sentence, its text alternative: what it plots, over how many bars, where the figures are."""
    if not chart:
        return ""
    count = len(chart["labels"])
    return ngettext(
        "%(title)s: a chart of %(series)s, %(count)s bar; the tables below have every figure.",
        "%(title)s: a chart of %(series)s, %(count)s bars; the tables below have every figure.",
        count,
    ) % {
        "title": title,
        "series": ", ".join(dataset["label"] for dataset in chart["datasets"]),
        "count": number_format(count),
    }
