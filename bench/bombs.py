"""Hostile workbooks (zip bombs) and the peak memory of the import worker reading one.

Run alone: `python -m bench.bombs --mb 1024` builds a workbook of about 1 MB whose shared strings unpack to 1 GB,
then, in a fresh child process, runs the worker's reading of an XLSX job on it and prints the child's peak RSS
(and, for comparison, the same for a normal two-row workbook). The builders are the tests' too
(tests/crm/test_import_archives.py, tests/hostile, tests/integration): every bomb is generated, none is stored.
"""

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MB = 1024 * 1024

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CONTENT_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CONTENT_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CONTENT_TYPE}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" Type="{DOCUMENT}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{DOCUMENT}"><sheets><sheet name="People" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{DOCUMENT}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}
# Row 1 is the header, row 2 one person: shared strings 0 to 3.
STRINGS = ["name", "email", "Ana Martin", "ana@example.org"]
ROWS = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' + (
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
)


def _shared_strings(padding: int = 0) -> Iterator[bytes]:
    """The four strings, then about `padding` bytes more of strings no cell uses: 100 characters each, so that the
    reader keeps an object per string as well as the text."""
    yield f'<sst xmlns="{MAIN}">'.encode()
    yield "".join(f"<si><t>{s}</t></si>" for s in STRINGS).encode()
    string = b"<si><t>" + b"A" * 100 + b"</t></si>"
    chunk = string * (MB // len(string))
    for _ in range(padding // MB):
        yield chunk
    yield b"</sst>"


def _sheet(padding: int = 0) -> Iterator[bytes]:
    """The header and Ana's row, then about `padding` bytes more of rows of ten empty cells (numbered by their
    place: nothing to import, all to read)."""
    yield f'<worksheet xmlns="{MAIN}"><sheetData>{ROWS}'.encode()
    row = b"<row>" + b"<c/>" * 10 + b"</row>"
    chunk = row * (MB // len(row))
    for _ in range(padding // MB):
        yield chunk
    yield b"</sheetData></worksheet>"


def workbook(parts: dict[str, bytes | str | Iterable[bytes]] | None = None, *, stored: Iterable[str] = ()) -> bytes:
    """A minimal XLSX (Ana Martin, one row) with `parts` added or replacing its own; chunks are streamed in."""
    every = {**PARTS, "xl/worksheets/sheet1.xml": _sheet(), "xl/sharedStrings.xml": _shared_strings()}
    every.update(parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in every.items():
            method = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            with archive.open(info, "w") as part:
                for chunk in [content] if isinstance(content, str | bytes) else content:
                    part.write(chunk.encode() if isinstance(chunk, str) else chunk)
    return out.getvalue()


def shared_strings_bomb(mb: int) -> bytes:
    """About mb / 1,000 MB on disk; its shared strings (which openpyxl loads whole) unpack to `mb` MB."""
    return workbook({"xl/sharedStrings.xml": _shared_strings(padding=mb * MB)})


def huge_sheet_bomb(mb: int) -> bytes:
    """A sheet that unpacks to `mb` MB of empty rows after Ana's: small on disk, long to unpack and read."""
    return workbook({"xl/worksheets/sheet1.xml": _sheet(padding=mb * MB)})


def many_entries_bomb(entries: int) -> bytes:
    return workbook({f"xl/media/image{n}.png": b"" for n in range(entries)})


def nested_bomb() -> bytes:
    """A workbook embedding another one (a zip inside), under a name that does not say so."""
    return workbook({"xl/embeddings/oleObject1.bin": workbook()})


def lying_bomb(declared: int = 1000, real_mb: int = 20) -> bytes:
    """Shared strings that declare `declared` bytes (local and central headers) and unpack to `real_mb` MB."""
    content = bytearray(shared_strings_bomb(real_mb))
    name = b"xl/sharedStrings.xml"
    offset = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(name.decode()).header_offset
    size = declared.to_bytes(4, "little")
    content[offset + 22 : offset + 26] = size  # the local header's uncompressed size
    central = content.find(b"PK\x01\x02")
    while content[central + 46 : central + 46 + len(name)] != name:
        central = content.find(b"PK\x01\x02", central + 1)
    content[central + 24 : central + 28] = size  # the central directory's, which zipfile believes
    return bytes(content)


# --- Measuring ---------------------------------------------------------------------------------------------------

CHILD = """
import os, resource, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from crm.imports.reading import file_rows
content = open(sys.argv[1], "rb").read()
try:
    rows, _total = file_rows(content, "xlsx")
    outcome = f"read {sum(1 for _row in rows)} row(s)"
except Exception as error:
    outcome = f"refused: {type(error).__name__}: {' '.join(getattr(error, 'messages', [str(error)]))}"
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, outcome, sep="\\t")
"""


def peak_of_reading(content: bytes) -> tuple[float, str]:
    """Peak RSS (MB) of a fresh process that reads `content` as the import worker reads an XLSX job, and what
    became of it (rows read, or the refusal)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(content)
        file.flush()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, file.name], cwd=BASE_DIR, capture_output=True, text=True, check=True
        )
    peak, outcome = done.stdout.strip().splitlines()[-1].split("\t", 1)
    return float(peak), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="what the shared strings unpack to (MB)")
    args = parser.parse_args()
    bomb = shared_strings_bomb(args.mb)
    normal_peak, normal = peak_of_reading(workbook())
    bomb_peak, outcome = peak_of_reading(bomb)
    print(
        json.dumps(
            {
                "bomb_bytes": len(bomb),
                "unpacks_to_mb": args.mb,
                "bomb_peak_mb": round(bomb_peak),
                "bomb_outcome": outcome,
                "normal_peak_mb": round(normal_peak),
                "normal_outcome": normal,
                "parent_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
