"""Bounds on a zip-based spreadsheet (XLSX) before anything opens it.

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
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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
