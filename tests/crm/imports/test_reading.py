"""Hostile workbooks (zip bombs, generated here by bench.bombs): refused before openpyxl opens them, with the
reason shown where the file was uploaded (the upload form) or on the job's page (the worker checks a stored file
again), and nothing written."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bench.bombs import (
    huge_sheet_bomb,
    lying_bomb,
    many_entries_bomb,
    nested_bomb,
    shared_strings_bomb,
    workbook,
)
from crm.imports import import_job_run
from crm.imports.reading import archive_check
from crm.models import ImportJob, Influencer

pytestmark = pytest.mark.django_db


def upload(client, content: bytes, name: str = "people.xlsx"):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("admin:crm_importjob_add"), {"file": file})


def refusal(response) -> str:
    """The upload form's one error on the file (the page answered, with the form)."""
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error in response.content.decode()
    return error


def stored_and_run(alice, content: bytes) -> ImportJob:
    """A job stored before the limits held (or with others): the worker's own check must refuse it."""
    job = ImportJob.objects.create(file_name="people.xlsx", content=content, format="xlsx", created_by=alice)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    ("bomb", "reason"),
    [
        pytest.param(
            lambda: shared_strings_bomb(150),
            "The file is refused: its part “xl/sharedStrings.xml” unpacks to 150.0\xa0MB, more than the 100.0\xa0MB "
            "accepted.",
            id="shared strings",
        ),
        pytest.param(
            lambda: huge_sheet_bomb(150),
            "The file is refused: its part “xl/worksheets/sheet1.xml” unpacks to 150.0\xa0MB, more than the "
            "100.0\xa0MB accepted.",
            id="huge sheet",
        ),
        pytest.param(
            lambda: shared_strings_bomb(20),
            # The ratio depends a little on the zlib that compressed it.
            re.compile(
                r"The file is refused: its part “xl/sharedStrings\.xml” is compressed 2\d\d times, more than the 100 "
                r"times accepted \(a “zip bomb”\)\."
            ),
            id="ratio",
        ),
        pytest.param(
            lambda: many_entries_bomb(1000),
            "The file is refused: it is made of 1006 parts, more than the 1000 accepted.",
            id="many entries",
        ),
        pytest.param(
            nested_bomb,
            "The file is refused: its part “xl/embeddings/oleObject1.bin” is itself an archive (an embedded file). "
            "Save the sheet without it.",
            id="nested zip",
        ),
    ],
)
def test_a_bomb_is_refused_at_upload_with_its_reason_and_nothing_is_stored_or_written(as_alice, alice, bomb, reason):
    content = bomb()
    reason = reason if isinstance(reason, re.Pattern) else re.compile(re.escape(reason))

    assert reason.fullmatch(refusal(upload(as_alice, content)))
    assert not ImportJob.objects.exists()
    # Stored before the check (or under other limits), the worker refuses it the same way, before openpyxl.
    job = stored_and_run(alice, content)
    assert (job.status, bytes(job.content)) == ("failed", b"")
    assert reason.fullmatch(job.failure)
    assert not Influencer.objects.exists()


def test_the_limits_on_the_whole_archive_are_settings(as_alice, settings):
    settings.IMPORT_ARCHIVE_MAX_TOTAL_MB = 5
    three_parts_of_2_mb = {f"xl/media/{n}.txt": b"x" * (2 << 20) for n in range(3)}

    assert refusal(upload(as_alice, workbook(three_parts_of_2_mb, stored=three_parts_of_2_mb))) == (
        "The file is refused: it unpacks to 6.0\xa0MB, more than the 5.0\xa0MB accepted."
    )
    settings.IMPORT_ARCHIVE_MAX_ENTRIES = 5
    assert refusal(upload(as_alice, workbook())) == (
        "The file is refused: it is made of 6 parts, more than the 5 accepted."
    )
    assert not ImportJob.objects.exists()


def test_a_part_that_unpacks_beyond_its_declared_size_is_refused_by_the_worker_and_writes_nothing(as_alice):
    # Its headers declare 1,000 bytes (nothing to see at upload); its stream unpacks to 20 MB.
    response = upload(as_alice, lying_bomb(declared=1000, real_mb=20))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    reason = "The file is refused: its part “xl/sharedStrings.xml” unpacks to more than the 1000\xa0bytes it declares."
    assert (job.status, job.failure, bytes(job.content)) == ("failed", reason, b"")
    assert not Influencer.objects.exists()
    page = as_alice.get(reverse("admin:crm_importjob_change", args=[job.pk])).content.decode()
    assert "unpacks to more than the 1000\xa0bytes it declares." in page


def test_a_refusal_is_in_the_language_of_the_person_who_uploaded(as_alice):
    response = as_alice.post(
        reverse("admin:crm_importjob_add"),
        {"file": SimpleUploadedFile("people.xlsx", nested_bomb())},
        headers={"accept-language": "fr"},
    )

    assert refusal(response).startswith("Le fichier est refusé : ")


def test_a_normal_workbook_still_imports(as_alice):
    response = upload(as_alice, workbook())

    job = ImportJob.objects.get()
    assert response.status_code == 302
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 1)
    assert Influencer.objects.get().email == "ana@example.org"


def test_an_encrypted_part_is_refused_with_its_reason():
    content = bytearray(workbook())
    name = b"xl/workbook.xml"
    central = content.find(b"PK\x01\x02")
    while content[central + 46 : central + 46 + len(name)] != name:
        central = content.find(b"PK\x01\x02", central + 1)
    content[central + 8] |= 0x1  # the central directory's "encrypted" flag, which zipfile reads

    with pytest.raises(ValidationError) as refused:
        archive_check(bytes(content), inflate=False)

    assert refused.value.messages == [
        "The file is refused: its part “xl/workbook.xml” is encrypted. Save the file without a password."
    ]
