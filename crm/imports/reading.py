"""Reading a directory file: its bytes into numbered rows, a workbook held to the archive limits first.

`file_rows` is what the import job reads: CSV as people really save it (a BOM, ',' or ';' or tab, Windows line
endings, the Windows code page), or an XLSX workbook once `archive_check` has let it through. A file that is not
what it claims to be raises `UnreadableFile`; a file with no "name" column, a ValidationError saying so.

Archive limits (zip bombs): bounds on a zip-based spreadsheet (XLSX) before anything opens it.

The upload cap bounds the compressed size only: a workbook of a few MB can unpack to gigabytes (openpyxl loads
the shared strings whole: docs/PERFORMANCE.md has what 1 GB of them cost the worker). `archive_check` refuses,
with a message a person can read, an archive with too many parts, a part or a whole that unpacks to too much, a
part compressed far more than a spreadsheet is, or an archive inside (an embedded file, or a bomb's next layer).

With `inflate=False` (the upload) it trusts the central directory's sizes and reads only each part's first
bytes. With `inflate=True` (the worker, before openpyxl) it also unpacks every part as a stream, in constant
memory, counting what really comes out: a header that lies about a size is caught there, not in openpyxl.
(zipfile itself stops at the declared size and then fails on the checksum, so openpyxl could not be made to hold
more than the headers say; unpacking first turns that into a clear refusal instead of a parse error.)
"""

import copy
import csv
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from crm.imports.rules import COLUMNS
from crm.models import ImportJob


class UnreadableFile(Exception):
    """The file is not the CSV or the workbook it claims to be."""


# What csv and openpyxl raise on a file they cannot read (openpyxl: KeyError, ValueError on a zip that is not
# a workbook).
READING_ERRORS = (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, KeyError, ValueError, OSError)


def file_rows(content: bytes, format: str) -> tuple[Iterator[tuple[int, dict]], int | None]:
    """A stored file's numbered rows (see numbered_rows), and their number when it is cheap to know (CSV) for the
    progress bar. Raises UnreadableFile, now or while the rows are read."""
    try:
        if format == ImportJob.Format.XLSX:
            # Again here: the limits may have changed since the upload, and only unpacking shows a size that lies.
            archive_check(content, inflate=True)
            return _readable(numbered_rows(xlsx_rows(content))), None
        text = decode_csv(content)
        # Counting first costs one more CSV parse (~0.1 s per 100,000 rows).
        total = max(0, sum(1 for _row in csv_rows(text)) - 1)
    except READING_ERRORS as broken:
        raise UnreadableFile from broken
    return _readable(numbered_rows(csv_rows(text))), total


def _readable(rows: Iterable[tuple[int, dict]]) -> Iterator[tuple[int, dict]]:
    try:
        yield from rows
    except READING_ERRORS as broken:
        raise UnreadableFile from broken


def decode_csv(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows still saves "CSV" in the ANSI code page.
        text = content.decode("cp1252")
    return text.lstrip("\ufeff")


def csv_rows(text: str) -> Iterator[list[str]]:
    """CSV as people really save it: ',' or ';' or tab, Windows line endings, blank lines (as empty lists)."""
    start = 0
    first_line = ""
    for line in io.StringIO(text):
        if line.strip():
            first_line = line
            break
        start += len(line)
    delimiter = max([",", ";", "\t"], key=first_line.count)
    return csv.reader(io.StringIO(text[start:], newline=""), delimiter=delimiter)


def xlsx_rows(content: bytes) -> Iterator[list]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        for values in book.active.iter_rows(values_only=True):
            yield list(values)
    finally:
        book.close()


def numbered_rows(rows: Iterator[list]) -> Iterator[tuple[int, dict]]:
    """(number, row as a dict by normalised header) from the first line after the header, which is row 1.

    Blank lines keep their number (so that numbers match the file) and come as empty dicts.
    """
    header = next(rows, None)
    if header is None:
        return
    columns = [normalise_header(h) for h in header]
    if "name" not in columns:
        raise missing_name_column_error()
    for number, values in enumerate(rows, start=1):
        yield number, dict(zip(columns, values, strict=False)) if values else {}


def normalise_header(header) -> str:
    return str(header or "").replace("\ufeff", "").strip().lower()


def missing_name_column_error() -> ValidationError:
    return ValidationError(
        _("The file has no “name” column. The columns are: %(columns)s.") % {"columns": ", ".join(COLUMNS)}
    )


# --- Archive limits (zip bombs) ----------------------------------------------------------------------------------

MB = 1024 * 1024
# What starts an archive: zip (a part, an empty one, a spanned one), gzip, bzip2, xz, 7-Zip, RAR.
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!")
# A small part (an empty sheet, a style sheet) can compress far beyond the ratio and still hold nothing.
RATIO_GRACE_BYTES = MB
CHUNK = MB


@dataclass(frozen=True)
class ArchiveLimits:
    entries: int
    entry_bytes: int
    total_bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> "ArchiveLimits":
        return cls(
            entries=settings.IMPORT_ARCHIVE_MAX_ENTRIES,
            entry_bytes=settings.IMPORT_ARCHIVE_MAX_ENTRY_MB * MB,
            total_bytes=settings.IMPORT_ARCHIVE_MAX_TOTAL_MB * MB,
            ratio=settings.IMPORT_ARCHIVE_MAX_RATIO,
        )


def _refuse(message: str, **values) -> ValidationError:
    return ValidationError(_("The file is refused: %(reason)s") % {"reason": message % values}, code="archive")


def archive_check(content: bytes, *, inflate: bool) -> None:
    """Raise a ValidationError saying why when the archive is over a limit; zipfile.BadZipFile when it is no zip
    (or a damaged one), for the reader to report as unreadable."""
    limits = ArchiveLimits.from_settings()
    # Every part has a central directory record: counting their signature bounds the parts from above before
    # zipfile builds an object for each (a 50 MB archive can list a million empty parts).
    if (records := content.count(b"PK\x01\x02")) > limits.entries:
        raise _too_many_parts(records, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check(archive, limits, inflate=inflate)
    except (ValueError, OSError, EOFError, RuntimeError, NotImplementedError, struct.error, zlib.error) as damaged:
        # Offsets before the file's start, a name that is not UTF-8, inflating garbage, a truncated part, an unknown
        # compression method: a damaged file, not a bomb (tests/hostile/test_import.py found the first two).
        raise zipfile.BadZipFile(str(damaged)) from damaged


def _too_many_parts(count: int, limits: ArchiveLimits) -> ValidationError:
    return _refuse(
        _("it is made of %(count)s parts, more than the %(limit)s accepted."), count=count, limit=limits.entries
    )


def _check(archive: zipfile.ZipFile, limits: ArchiveLimits, *, inflate: bool) -> None:
    parts = archive.infolist()
    if len(parts) > limits.entries:
        raise _too_many_parts(len(parts), limits)
    for part in parts:
        _check_declared(part, limits)
    if (total := sum(part.file_size for part in parts)) > limits.total_bytes:
        raise _refuse(
            _("it unpacks to %(size)s, more than the %(limit)s accepted."),
            size=filesizeformat(total),
            limit=filesizeformat(limits.total_bytes),
        )
    for part in parts:
        _check_content(archive, part, inflate=inflate)


def _check_declared(part: zipfile.ZipInfo, limits: ArchiveLimits) -> None:
    if part.flag_bits & 0x1:
        raise _refuse(_("its part “%(name)s” is encrypted. Save the file without a password."), name=part.filename)
    if part.file_size > limits.entry_bytes:
        raise _refuse(
            _("its part “%(name)s” unpacks to %(size)s, more than the %(limit)s accepted."),
            name=part.filename,
            size=filesizeformat(part.file_size),
            limit=filesizeformat(limits.entry_bytes),
        )
    if part.file_size > RATIO_GRACE_BYTES and part.file_size > limits.ratio * max(part.compress_size, 1):
        raise _refuse(
            _(
                "its part “%(name)s” is compressed %(ratio)s times, more than the %(limit)s times accepted "
                "(a “zip bomb”)."
            ),
            name=part.filename,
            ratio=part.file_size // max(part.compress_size, 1),
            limit=limits.ratio,
        )


def _check_content(archive: zipfile.ZipFile, part: zipfile.ZipInfo, *, inflate: bool) -> None:
    """No archive inside; with `inflate`, no more than the declared size comes out (read in chunks, then dropped)."""
    # zipfile cuts a part at its declared size: a copy declaring one chunk more lets a lie show.
    capped = copy.copy(part)
    capped.file_size = part.file_size + CHUNK
    with archive.open(capped) as stream:
        first = stream.read(8)
        if first.startswith(ARCHIVE_MAGIC):
            raise _refuse(
                _("its part “%(name)s” is itself an archive (an embedded file). Save the sheet without it."),
                name=part.filename,
            )
        if not inflate:
            return
        size = len(first)
        while size <= part.file_size and (chunk := stream.read(CHUNK)):
            size += len(chunk)
    if size > part.file_size:
        raise _refuse(
            _("its part “%(name)s” unpacks to more than the %(size)s it declares."),
            name=part.filename,
            size=filesizeformat(part.file_size),
        )
