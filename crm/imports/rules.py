"""The rules of one row of a directory file: its columns, what each cell may hold, and who the row is about.

One row is one person: name, email, kind, language, city, region, country, topics, then one column per
platform holding the handle. A row matches an existing person by e-mail (case-insensitive) or by any of
its platform + handle pairs (case-insensitive, a leading "@" ignored); it then updates that person instead
of adding a second one. Rows repeated inside the same file match the person the first one created.

`RowChecker` holds a row's own rules (no query), `Matcher` says who a row is about; crm.imports.checking runs
both over a whole file. The export (crm.exports) writes these same columns, so that its file imports back.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils import translation
from django.utils.translation import gettext as _

from core.validators import CONTROL_CHARACTERS, LINE_BREAKS_AND_TABS, one_line_text
from crm.addresses import email_key
from crm.models import Channel, Influencer

PLATFORMS = [p for p in Channel.Platform.values if p != Channel.Platform.OTHER]
PERSON_COLUMNS = ["name", "email", "kind", "language", "city", "region", "country"]
COLUMNS = [*PERSON_COLUMNS, "topics", *PLATFORMS]
LIST_SEPARATORS = re.compile(r"[,;|]")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HANDLE_MAX_LENGTH = Channel._meta.get_field("handle").max_length
TOPIC_MAX_LENGTH = 80
# The columns checked with the model field's own validators (lengths, e-mail format), in this order.
VALIDATED_COLUMNS = [Influencer._meta.get_field(name) for name in ("name", "email", "city", "region", "country")]
# Any character the forms' one-line rules (or Django's NUL rule) might refuse: only then are they run.
UNUSUAL_CHARACTERS = re.compile(f"\x00|{CONTROL_CHARACTERS.pattern}|{LINE_BREAKS_AND_TABS.pattern}")
# A strict subset of the addresses Django's EmailValidator accepts (see _quick_check).
SIMPLE_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.ASCII | re.IGNORECASE
)
CHOICE_COLUMNS = {"kind": Influencer.Kind.choices, "language": Influencer.Language.choices}


def cell(row: Mapping, column: str) -> str:
    value = row.get(column)
    if value is None or value == "":
        return ""
    if value.__class__ is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a spreadsheet turns a numeric cell into 12.0
        value = str(value)
    value = value.strip()
    # Undo our own export's neutralising quote, so that an exported file imports back unchanged.
    if value[:1] == "'" and value[1:].startswith(FORMULA_STARTS):
        value = value[1:]
    return value


def split_list(value: str) -> list[str]:
    if not value:
        return []
    if "," not in value and ";" not in value and "|" not in value:
        return [value]  # one item, the common case: already stripped by cell()
    return [part.strip() for part in LIST_SEPARATORS.split(value) if part.strip()]


def handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def _choice_maps() -> dict[str, dict[str, str]]:
    """Each choice column's accepted spellings: the value, and the label in every language of the product."""
    maps: dict[str, dict[str, str]] = {}
    for column, choices in CHOICE_COLUMNS.items():
        accepted: dict[str, str] = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for key, label in choices:
                    accepted.setdefault(str(label).lower(), key)
        for key, _label in choices:
            accepted[key.lower()] = key
        maps[column] = accepted
    return maps


@dataclass(slots=True)
class CheckedRow:
    """One row after its own rules: what it says about the person, and what is wrong with it."""

    values: dict[str, str] = field(default_factory=dict)  # person columns with a value, cleaned
    topics: list[str] = field(default_factory=list)
    channels: list[tuple[str, str]] = field(default_factory=list)  # (platform, handle without "@")
    errors: dict[str, list[str]] = field(default_factory=dict)
    blank: bool = False  # every cell empty (is_blank): nothing to check, nothing to write

    @property
    def email_key(self) -> str:
        """The row's address as compared (crm.addresses): what the matcher's `by_email` is keyed by."""
        return self.values.get("email_key", "")


def _cells(row: Mapping) -> dict[str, str]:
    """Every non-empty cell of the row as cell() reads it, in one pass (cell() for each column costs more)."""
    cells = {}
    for column, value in row.items():
        if value.__class__ is str:
            value = value.strip()
            if not value:
                continue
            if value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
                value = value[1:]
            cells[column] = value
        elif value is not None and (value := cell(row, column)):
            cells[column] = value
    return cells


def _quick_check(model_field) -> re.Pattern | bool | None:
    """What proves, with the field's maximum length, that the field's validators pass: a pattern to match, True
    when the length is enough, None when only the validators can tell.

    A column whose only validator is its maximum length needs no pattern: len() tells. An e-mail column gets a
    strict subset of what Django's EmailValidator accepts (ASCII dot-atom user, host names, a letters-only TLD):
    nearly every real address, checked with one regex instead of the validator's three and its function calls.
    Anything else, or an address outside the subset, runs the validators themselves, for their exact messages.
    """
    others = [v for v in model_field.validators if not isinstance(v, MaxLengthValidator)]
    if not others:
        return True
    if others == [EmailValidator()] and len(model_field.validators) == 2:
        return SIMPLE_EMAIL
    return None


class RowChecker:
    """The rules one row must follow on its own, with no query: choices, e-mail format, lengths.

    Whether a new person has a name depends on matching (a repeated row may complete someone), so it is
    checked by the caller with `name_required_error`.
    """

    def __init__(self):
        self.choices = _choice_maps()
        # A value within the field's maximum length that matches its quick pattern passes the validators for
        # sure: they (and their lazily translated messages) run only otherwise, to give the same messages.
        self.columns = [
            (model_field.name, model_field.max_length, _quick_check(model_field), model_field)
            for model_field in VALIDATED_COLUMNS
        ]

    @staticmethod
    def line_errors(value: str) -> list[str]:
        """The forms' rules for a one-line text (crm.forms): no NUL, no control character, tab or line break."""
        if not UNUSUAL_CHARACTERS.search(value):
            return []
        try:
            ProhibitNullCharactersValidator()(value)
            one_line_text(value)
        except ValidationError as invalid:
            return list(invalid.messages)
        return []

    def __call__(self, row: Mapping) -> CheckedRow:
        checked = CheckedRow()
        cells = _cells(row)
        if not cells:
            checked.blank = True
            return checked
        # One search over the whole row rather than one per cell: nearly every row has no unusual character
        # at all, and then no cell breaks the one-line rules. (The pattern matches single characters, so
        # joining cells cannot make up a match.)
        plain = not UNUSUAL_CHARACTERS.search("".join(cells.values()))
        values, errors = checked.values, checked.errors
        for name, max_length, quick, model_field in self.columns:
            if value := cells.get(name):
                if not plain and (wrong := self.line_errors(value)):
                    errors[name] = wrong
                    continue
                if name == "country":
                    value = value.upper()
                if quick is not None and len(value) <= max_length and (quick is True or quick.fullmatch(value)):
                    values[name] = value
                    continue
                try:
                    model_field.run_validators(value)
                except ValidationError as invalid:
                    errors[name] = list(invalid.messages)
                else:
                    values[name] = value
        if "email" in values:
            # Written with the address (crm.imports.writing writes the values as they are) and matched by.
            values["email_key"] = email_key(values["email"])
        for column, accepted in self.choices.items():
            if value := cells.get(column):
                if not plain and (wrong := self.line_errors(value)):  # before the message below repeats the value
                    errors[column] = wrong
                    continue
                key = accepted.get(value.lower())
                if key is None:
                    errors[column] = [
                        _("“%(value)s” is not one of: %(choices)s.")
                        % {"value": value, "choices": ", ".join(k for k, _label in CHOICE_COLUMNS[column])}
                    ]
                else:
                    values[column] = key
        if topics := cells.get("topics"):
            if not plain and (wrong := self.line_errors(topics)):
                errors["topics"] = wrong
            else:
                checked.topics = split_list(topics)
        for platform in PLATFORMS:
            if handles := cells.get(platform):
                if not plain and (wrong := self.line_errors(handles)):
                    errors[platform] = wrong
                    continue
                channels = checked.channels
                for handle in split_list(handles):
                    handle = handle.lstrip("@")
                    if len(handle) > HANDLE_MAX_LENGTH:
                        errors.setdefault(platform, []).append(_("This handle is too long."))
                    else:
                        channels.append((platform, handle))
        return checked


def name_required_error() -> list[str]:
    return [_("A new person needs a name.")]


class Matcher:
    """Who a row is about: the person its e-mail or one of its handles already points at, or nobody (a new person).

    A person is their id, or minus the number of the row that adds them (crm.imports.checking).
    """

    def __init__(self):
        self.by_email: dict[str, int] = {}
        self.by_handle: dict[tuple[str, str], int] = {}

    def matches(self, checked: CheckedRow) -> list[tuple[int, list[str]]]:
        """Every distinct person the row points at, each with what pointed at them ("e-mail a@b", "instagram x")."""
        found: dict[int, tuple[int, list[str]]] = {}
        if (email := checked.email_key) and (person := self.by_email.get(email)) is not None:
            found[person] = (person, [_("e-mail %(email)s") % {"email": checked.values["email"]}])
        for platform, handle in checked.channels:
            if (person := self.by_handle.get((platform, handle.lower()))) is not None:
                found.setdefault(person, (person, []))[1].append(f"{platform} {handle}")
        return list(found.values())

    def remember(self, person: int, checked: CheckedRow) -> list[tuple[str, str]]:
        """Point the row's e-mail and handles at `person`; return the channels nobody had yet (to add)."""
        if email := checked.email_key:
            self.by_email[email] = person
        new = []
        for platform, handle in checked.channels:
            key = (platform, handle.lower())
            if key not in self.by_handle:
                self.by_handle[key] = person
                new.append((platform, handle))
        return new


def several_people_error(matches: Iterable[tuple[str, list[str]]]) -> ValidationError:
    """A row that names two people (by e-mail one, by a handle another): nobody can tell which one it means."""
    return ValidationError(
        _("This row matches several people: %(people)s. Fix the row, or merge those people first.")
        % {
            "people": "; ".join(
                _("%(person)s (by %(what)s)") % {"person": person, "what": ", ".join(what)} for person, what in matches
            )
        }
    )
