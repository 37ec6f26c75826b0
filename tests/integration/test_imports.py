"""A directory import through the real parts: the admin's upload, beat's sweep, a Celery worker process."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import Channel, ImportJob, Influencer
from tests.integration.conftest import Beat, Worker, configured_broker_env, wait_for

pytestmark = pytest.mark.integration


def test_an_uploaded_file_is_imported_by_the_worker_that_beat_hands_it_to(transactional_db, client, alice, tmp_path):
    queue = f"test-imports-{uuid.uuid4().hex[:10]}"
    env = configured_broker_env() | {"CELERY_DEFAULT_QUEUE": queue, "IMPORT_SWEEP_SECONDS": "1"}
    lines = ["name,email,kind,topics,instagram"] + [f"P{n},p{n}@example.org,ambassador,mode,p{n}" for n in range(300)]
    client.force_login(alice)

    response = client.post(
        reverse("admin:crm_importjob_add"), {"file": SimpleUploadedFile("people.csv", "\n".join(lines).encode())}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "queued"  # the request did not wait for anything

    worker = Worker(queue=queue, env=env, log_path=tmp_path / "worker.log").start()
    beat = Beat(env=env, log_path=tmp_path / "beat.log").start()
    try:
        finished = wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(), timeout=120
        )
    finally:
        beat.stop()
        worker.stop()

    job.refresh_from_db()
    assert finished, f"beat log:\n{beat.log()[-2000:]}\nworker log:\n{worker.log()[-2000:]}"
    assert (job.status, job.created, job.processed, job.total) == ("done", 300, 300, 300), job.failure
    assert Influencer.objects.filter(owner=alice, cadence_days__isnull=False).count() == 300
    assert Channel.objects.count() == 300
    assert "crm.tasks.run_import" in worker.log() and "Sending due task crm-imports" in beat.log()


def test_the_worker_refuses_a_workbook_that_unpacks_beyond_its_headers_and_writes_nothing(
    transactional_db, client, alice, tmp_path
):
    from bench.bombs import lying_bomb

    queue = f"test-imports-{uuid.uuid4().hex[:10]}"
    env = configured_broker_env() | {"CELERY_DEFAULT_QUEUE": queue, "IMPORT_SWEEP_SECONDS": "1"}
    client.force_login(alice)
    # Its headers say 1,000 bytes (the upload's check reads headers): only unpacking shows the 20 MB.
    client.post(reverse("admin:crm_importjob_add"), {"file": SimpleUploadedFile("people.xlsx", lying_bomb())})
    job = ImportJob.objects.get()

    worker = Worker(queue=queue, env=env, log_path=tmp_path / "worker.log").start()
    beat = Beat(env=env, log_path=tmp_path / "beat.log").start()
    try:
        finished = wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status="failed").exists(), timeout=120)
    finally:
        beat.stop()
        worker.stop()

    job.refresh_from_db()
    assert finished, f"worker log:\n{worker.log()[-2000:]}"
    assert job.failure == (
        "The file is refused: its part “xl/sharedStrings.xml” unpacks to more than the 1000\xa0bytes it declares."
    )
    assert bytes(job.content) == b""
    assert not Influencer.objects.exists()
