"""`id__in=[…]` with a number no integer column can hold matches nothing, instead of crashing.

Since Django 5.0, `id=<an out-of-range number>` is an empty result; `id__in` still sends the number to the
database, and SQLite raises OverflowError on it. A tampered id in a form — a topic checkbox, an admin
autocomplete re-rendering what was posted — was a server error. Registered on IntegerField, this covers every
integer column and primary key (AutoField and BigAutoField are IntegerFields).
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def get_prep_lookup(self):
        # A posted id that is no integer ("1.0", ":") matches nothing either: the admin's autocomplete widget
        # re-renders what was posted with id__in, and Django raised ValueError on it (a 500).
        if self.rhs_is_direct_value() and not isinstance(self.rhs, str):
            self.rhs = [value for value in self.rhs if _integer_or_none(self.lhs.output_field, value) is not None]
        return super().get_prep_lookup()

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            # Dropping a number that cannot match changes no result; doing it twice changes nothing either.
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def _integer_or_none(field, value):
    try:
        return field.get_prep_value(value)
    except (TypeError, ValueError):
        return None
