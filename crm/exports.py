"""Exporting the directory of people to a spreadsheet (CSV or XLSX): the admin's export, for managers.

One row is one person, in the columns a directory import reads (crm.imports.rules): name, email, kind, language,
city, region, country, topics, then one column per platform holding the handles. So an exported file imports
back unchanged, and every cell is made inert for spreadsheets (`neutralise`).
"""

from django.db.models import Prefetch
from import_export import fields, resources
from import_export.formats import base_formats
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from crm.imports.rules import COLUMNS, FORMULA_STARTS, PLATFORMS
from crm.models import Channel, Influencer, Topic

EXPORT_FORMATS = [base_formats.CSV, base_formats.XLSX]


def neutralise(value):
    """Make a cell inert for spreadsheets: a quote before a formula-like start (OWASP's advice).

    Control characters a workbook cannot hold (openpyxl refuses them: the XLSX export failed) become U+FFFD
    first, so that dropping one cannot uncover a formula behind it.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


class InfluencerResource(resources.ModelResource):
    """The directory as django-import-export exports it. Importing is crm.imports (the admin's import button leads
    to its upload page): this resource imports nothing."""

    topics = fields.Field(column_name="topics")
    blog = fields.Field(column_name="blog")
    instagram = fields.Field(column_name="instagram")
    youtube = fields.Field(column_name="youtube")
    tiktok = fields.Field(column_name="tiktok")
    x = fields.Field(column_name="x")
    podcast = fields.Field(column_name="podcast")
    newsletter = fields.Field(column_name="newsletter")

    class Meta:
        model = Influencer
        fields = COLUMNS
        export_order = COLUMNS

    def filter_export(self, queryset, **kwargs):
        # Two queries for all topics and channels, whatever the number of people (replacing the admin list's own).
        return queryset.prefetch_related(None).prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            Prefetch("channels", queryset=Channel.objects.order_by("platform", "handle")),
        )

    def export_field(self, field, instance, **kwargs):
        name = self.get_field_name(field)
        if name == "topics":
            value = ", ".join(t.name for t in instance.topics.all())
        elif name in PLATFORMS:
            value = " | ".join(c.handle for c in instance.channels.all() if c.platform == name)
        else:
            value = super().export_field(field, instance, **kwargs)
        return neutralise(value)
