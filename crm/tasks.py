"""Celery tasks for people: small wrappers that take ids, over crm.services and crm.imports."""

from celery import shared_task

from config.lockout import login_logs_purge
from crm.imports import import_job_run, import_jobs_enqueue


@shared_task
def enqueue_imports() -> int:
    """Beat, every IMPORT_SWEEP_SECONDS: hand queued import jobs to a worker."""
    return import_jobs_enqueue()


@shared_task(acks_late=True)
def run_import(job_id: int) -> None:
    import_job_run(job_id=job_id)


@shared_task
def purge_old_login_logs() -> int:
    """Beat, daily: the team's login records are kept LOGIN_LOG_RETENTION_DAYS."""
    return login_logs_purge()
