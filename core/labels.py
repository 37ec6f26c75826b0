"""Labels for the models of every app: get_FOO_display() read from a table made once per field and language, and
the label of a related row that may be gone."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext as _

_labels: dict[tuple, dict] = {}


class ChoiceLabels:
    """Models whose get_FOO_display() looks the label up instead of building it.

    Django's builds a dict of every choice of the field on each call, and hashing its lazy labels translates all
    of them: 55 calls on a person's page, 75 on a page of the directory, about a fifth of the page's rendering.
    """

    def _get_FIELD_display(self, field):
        key = (field, get_language())
        labels = _labels.get(key)
        if labels is None:
            labels = _labels[key] = {make_hashable(value): str(label) for value, label in field.flatchoices}
        value = getattr(self, field.attname)
        return labels.get(make_hashable(value), value)


def related_label(row, field_name: str) -> str:
    """str() of the row a foreign key names, or its model and id when that row is gone.

    A history record keeps the ids its row pointed to (django-simple-history's foreign keys have no constraint):
    once a campaign is deleted, the old versions of its relationships name a campaign that is not there.
    """
    try:
        return str(getattr(row, field_name))
    except ObjectDoesNotExist:
        field = row._meta.get_field(field_name)
        return _("%(model)s #%(id)s (deleted)") % {
            "model": field.related_model._meta.verbose_name,
            "id": getattr(row, field.attname),
        }
