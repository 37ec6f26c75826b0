"""A widget the admins' change pages share."""

from django.contrib.admin.widgets import AutocompleteSelect


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
