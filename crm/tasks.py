"""Celery tasks for people: small wrappers that take ids, over crm.services."""

from celery import shared_task

from crm.services import imports


@shared_task
def enqueue_imports() -> int:
    """Beat, every IMPORT_SWEEP_SECONDS: hand queued import jobs to a worker."""
    return imports.import_jobs_enqueue()


@shared_task(acks_late=True)
def run_import(job_id: int) -> None:
    imports.import_job_run(job_id=job_id)
