"""django-simple-history's admin, answering 404 to an id that is not one.

Its history pages look the row up with the id as typed in the URL (any text, since the admin's URLs take a path),
and an integer key given "abc" raises a ValueError: a 500 on a mistyped or hostile URL. Django's own admin pages
send such an id back to the index; these answer what they answer to an id that names nothing, 404.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from core.admin.rows import ChangelistRowsMixin


def _key_or_404(field, value: str) -> None:
    try:
        field.to_python(unquote(value))
    except ValidationError:
        raise Http404 from None


class HistoryAdmin(ChangelistRowsMixin, SimpleHistoryAdmin):
    def history_view(self, request, object_id, extra_context=None):
        _key_or_404(self.model._meta.pk, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _key_or_404(self.model._meta.pk, object_id)
        _key_or_404(self.model.history.model._meta.pk, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)
