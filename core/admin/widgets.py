"""Boxes of the admins' change pages that show rows the page has already read, instead of reading them again."""

from django.contrib.admin.widgets import AutocompleteSelect

from core.fields import ModelMultipleChoiceField, ReadOnce


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete box that names its selected row from the page's own object when that row was read with it.

    Django's box reads its selected row again by id to print its label: one query per box on every change page,
    for a row the page's object already joined (the person's owner). `preloaded` is that row, set per form; any
    other value (a posted one, a changed one) is looked up as usual.
    """

    preloaded = None

    def optgroups(self, name, value, attr=None):
        row = self.preloaded
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if row is None or selected != {str(row.pk)}:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(row)
        options.append(self.create_option(name, row.pk, label, selected, len(options)))
        return [(None, options, 0)]


def preload_autocomplete(form, field_name: str, row) -> None:
    """Give the form's `field_name` box its selected row (`row`, already in memory), if that box can use it."""
    field = form.fields.get(field_name)
    widget = getattr(field, "widget", None)
    widget = getattr(widget, "widget", widget)  # the admin wraps it with its add / change links
    if isinstance(widget, PreloadedAutocompleteSelect):
        widget.preloaded = row


class _ReadChoices(ReadOnce):
    def __iter__(self):
        if self.field.rows is None:
            yield from super().__iter__()
        else:
            yield from (self.choice(row) for row in self.field.rows)

    def __len__(self):
        return super().__len__() if self.field.rows is None else len(self.field.rows)


class ReadChoicesField(ModelMultipleChoiceField):
    """A multiple choice whose choices are `rows` once the form has read them (with what the object has chosen).

    Validation still goes through the queryset: only what is shown comes from `rows`.
    """

    iterator = _ReadChoices
    rows = None

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.rows = None
        return result
