"""A piece the admins' inlines share."""

from django.forms.models import BaseInlineFormSet


class ParentRowsFormSet(BaseInlineFormSet):
    """Inline rows whose parent is the page's own object, already in memory.

    Django sets only the rows' foreign key id, so every row that names its parent (a relationship's __str__ names
    the person and the campaign) read the parent again: one query per row. Here the row holds the parent itself.
    """

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        setattr(form.instance, self.fk.name, self.instance)
        return form
