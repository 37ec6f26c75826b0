"""Reports read the other apps' data and store nothing: one unmanaged model carries the managers' permission."""

from django.db import models
from django.utils.translation import gettext_lazy as _

VIEW_REPORTS = "reports.view_reports"


class Report(models.Model):
    """No table: it gives the reports an entry in the admin index and a permission the Manager role holds."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", _("Can view the reports"))]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
