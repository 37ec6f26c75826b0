"""Importing and exporting the directory of people (CSV and XLSX), with their channels and topics.

One row is one person: name, email, kind, language, city, region, country, topics, then one column per
platform holding the handle. A row matches an existing person by e-mail (case-insensitive) or by any of
its platform + handle pairs (case-insensitive, a leading "@" ignored); it then updates that person instead
of adding a second one. Rows repeated inside the same file match the person the first one created.

A file with any error imports nothing (one transaction), and every faulty row is reported with its
number and the reason. Empty cells never erase what the directory already knows.

The rules of a row live in crm.imports, shared with the fast path the admin runs in the background
(crm.services.imports); this resource is django-import-export's way to the same result, and the export.
"""

from collections.abc import Iterable

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.results import RowResult
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from crm.addresses import email_key
from crm.archives import archive_check
from crm.imports import (
    COLUMNS,
    FORMULA_STARTS,
    PERSON_COLUMNS,
    PLATFORMS,
    TOPIC_MAX_LENGTH,
    Matcher,
    RowChecker,
    cell,
    csv_rows,
    decode_csv,
    handle_key,
    is_blank,
    missing_name_column_error,
    name_required_error,
    new_person_defaults,
    normalise_header,
    several_people_error,
    split_list,
)
from crm.models import Channel, Influencer, Topic

LOOKUP_CHUNK = 500  # below every database's limit on query parameters
BATCH_SIZE = 500


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


def _chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SniffingCSV(base_formats.CSV):
    """CSV as people really save it: a BOM, ',' or ';' or tab, Windows line endings, blank lines."""

    def create_dataset(self, in_stream, **kwargs):
        text = decode_csv(in_stream) if isinstance(in_stream, bytes) else in_stream.lstrip("\ufeff")
        rows = list(csv_rows(text))  # the same reading as the fast path's
        if not rows:
            return tablib.Dataset()
        headers = rows[0]
        dataset = tablib.Dataset(headers=headers)
        width = len(headers)
        for row in rows[1:]:
            # Blank lines stay (skipped at import) so that row numbers still match the file.
            dataset.append((row + [""] * width)[:width])
        return dataset


class CheckedXLSX(base_formats.XLSX):
    """A workbook held to the archive limits (crm.archives) before openpyxl opens it, as the fast path's is."""

    def create_dataset(self, in_stream):
        archive_check(in_stream, inflate=True)
        return super().create_dataset(in_stream)


IMPORT_FORMATS = [SniffingCSV, CheckedXLSX]
EXPORT_FORMATS = [base_formats.CSV, base_formats.XLSX]


class InfluencerResource(resources.ModelResource):
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
        import_order = COLUMNS
        export_order = COLUMNS
        use_transactions = True
        # No savepoint per row (two round trips each): the file is all or nothing anyway, and the writes are
        # ours (save_instance / after_import), so import-export's own bulk lists stay empty.
        use_bulk = True
        # The preview's per-row diff deep-copies every row; the import shows new / updated / skipped instead.
        skip_diff = True
        # Our own checks (choices, e-mail format, lengths) run per row without a query; uniqueness is
        # settled by matching, not by a validation query per row.
        clean_model_instances = False

    # --- Export ---------------------------------------------------------------------------------------------

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

    # --- Import ---------------------------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # All or nothing: a row that fails validation rolls the whole file back, like a row that crashed.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=use_transactions, **kwargs
        )

    def before_import(self, dataset, **kwargs):
        dataset.headers = [normalise_header(h) for h in dataset.headers or []]
        if "name" not in dataset.headers:
            raise missing_name_column_error()
        self._user = kwargs.get("user")
        # The same rules as the fast path (crm.services.imports): crm.imports holds them for both.
        self._check = RowChecker()
        # Keyed to the person object itself, so that a person added by an earlier row (not saved yet) matches too.
        self._matcher: Matcher[Influencer] = Matcher(identify=id)
        self._checked = None
        self._load_matches(dataset)
        self._topics = {t.name.lower(): t for t in Topic.objects.all()}
        # Written in bulk after the last row (see after_import): new people, their topics and every new channel.
        self._new_people: list[Influencer] = []
        self._new_topics: dict[int, set[Topic]] = {}  # id(person) -> topics to add
        self._new_channels: list[Channel] = []
        self._changed_people: dict[int, Influencer] = {}

    def _load_matches(self, dataset) -> None:
        """Find, in a few queries, every existing person the file's e-mails and handles point at."""
        headers = dataset.headers
        emails: set[str] = set()
        handles: dict[str, set[str]] = {platform: set() for platform in PLATFORMS}
        for values in dataset:
            row = dict(zip(headers, values, strict=False))
            if email := email_key(cell(row, "email")):
                emails.add(email)
            for platform in PLATFORMS:
                for handle in split_list(cell(row, platform)):
                    key = handle_key(handle)
                    handles[platform].update({key, "@" + key})
        by_email: dict[str, int] = {}
        by_handle: dict[tuple[str, str], int] = {}
        for chunk in _chunks(sorted(emails)):
            for pk, email in Influencer.objects.filter(email_key__in=chunk).values_list("pk", "email_key"):
                by_email[email] = pk
        # By platform and handle: the unique index on (platform, lower(handle)) finds them.
        for platform, keys in handles.items():
            for chunk in _chunks(sorted(keys)):
                for influencer_id, handle in (
                    Channel.objects.annotate(handle_key=Lower("handle"))
                    .filter(platform=platform, handle_key__in=chunk)
                    .values_list("influencer_id", "handle")
                ):
                    by_handle[(platform, handle_key(handle))] = influencer_id
        people: dict[int, Influencer] = {}
        for chunk in _chunks(sorted(set(by_email.values()) | set(by_handle.values()))):
            people.update(Influencer.objects.in_bulk(chunk))
        self._matcher.by_email.update({email: people[pk] for email, pk in by_email.items()})
        self._matcher.by_handle.update({key: people[pk] for key, pk in by_handle.items()})

    def import_row(self, row, instance_loader, **kwargs):
        if is_blank(row):
            skipped = self.get_row_result_class()()
            skipped.import_type = RowResult.IMPORT_TYPE_SKIP
            return skipped
        # Checked once here; get_or_init_instance, import_instance and save_instance read it for this row.
        self._checked = self._check(row)
        return super().import_row(row, instance_loader, **kwargs)

    def get_or_init_instance(self, instance_loader, row):
        """The person this row is about: by e-mail or by a handle, refusing a row that names two people."""
        matches = self._matcher.matches(self._checked)
        if len(matches) > 1:
            raise several_people_error((str(person), what) for person, what in matches)
        if matches:
            # Possibly a person an earlier row of this file added (not written yet): this row completes it.
            return matches[0][0], False
        return Influencer(), True

    def import_instance(self, instance, row, **kwargs):
        checked = self._checked
        errors = {column: list(messages) for column, messages in checked.errors.items()}
        for column, value in checked.values.items():
            setattr(instance, column, value)
        if not instance.name and "name" not in errors:
            errors["name"] = name_required_error()
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Remember what to write: people, topics and channels are all written in bulk by after_import()."""
        checked = self._checked
        if is_create:
            new_person_defaults(instance, by=self._user)
            self._new_people.append(instance)
        elif instance.pk is not None:
            self._changed_people[instance.pk] = instance
        if topics := self._row_topics(checked.topics):
            self._new_topics.setdefault(id(instance), set()).update(topics)
        for platform, handle in self._matcher.remember(instance, checked):
            self._new_channels.append(Channel(influencer=instance, platform=platform, handle=handle))

    def save_m2m(self, instance, row, **kwargs):
        """Topics are written with the rest in after_import()."""

    def after_import(self, dataset, result, **kwargs):
        """Write the new and changed people (with their history), topics and channels in a few batched queries.

        Row by row, 10,000 new people cost some 100,000 queries (minutes on PostgreSQL); every row was
        validated on its own already, so only a database-level clash (someone added the same e-mail meanwhile)
        can fail here, and it fails the whole file, inside the import's transaction.
        """
        if self._new_people:
            bulk_create_with_history(self._new_people, Influencer, batch_size=BATCH_SIZE, default_user=self._user)
            if any(p.pk is None for p in self._new_people):  # a database that cannot return ids on insert
                by_email = {p.email_key: p for p in self._new_people if p.email_key}  # bulk_create set the keys
                for pk, key in Influencer.objects.filter(email_key__in=list(by_email)).values_list("pk", "email_key"):
                    by_email[key].pk = pk
        if self._changed_people:
            now = timezone.now()
            for person in self._changed_people.values():
                person.updated_at = now  # bulk_update skips auto_now
            bulk_update_with_history(
                list(self._changed_people.values()),
                Influencer,
                [*PERSON_COLUMNS, "email_key", "updated_at"],  # the key as the checker set it with the address
                batch_size=BATCH_SIZE,
                default_user=self._user,
            )
        people = {id(p): p for p in self._new_people}
        people.update({id(p): p for p in self._matcher.by_email.values()})
        people.update({id(p): p for p in self._matcher.by_handle.values()})
        through = Influencer.topics.through
        through.objects.bulk_create(
            (
                through(influencer_id=people[key].pk, topic_id=topic.pk)
                for key, topics in self._new_topics.items()
                for topic in topics
            ),
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,  # a topic the person already had
        )
        for channel in self._new_channels:
            channel.influencer_id = channel.influencer.pk
        Channel.objects.bulk_create(self._new_channels, batch_size=BATCH_SIZE)
        super().after_import(dataset, result, **kwargs)

    def _row_topics(self, names: list[str]) -> list[Topic]:
        topics = []
        for name in names:
            name = name[:TOPIC_MAX_LENGTH]
            topic = self._topics.get(name.lower())
            if topic is None:
                topic = self._topics[name.lower()] = Topic.objects.create(name=name)
            topics.append(topic)
        return topics
