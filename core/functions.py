"""Database functions the apps share."""

from django.db.models import FloatField, Func


class Epoch(Func):
    """A moment as seconds since 1970. Read back as a number: Django's loader of PostgreSQL's timestamps runs in
    Python for each value, and a query that only compares moments need not pay it (docs/PERFORMANCE.md, "Feeds")."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Julian days, from the Unix epoch's (2440587.5), in seconds: any SQLite, and the fraction of a second kept.
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra_context)
