"""Celery tasks for people: small wrappers that take ids, over crm.services and crm.imports."""

from celery import shared_task

from config.lockout import login_logs_purge
from crm.feeds.polling import feed_poll, feeds_due
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


@shared_task
def poll_feeds() -> int:
    """Beat, every FEED_SCAN_SECONDS: hand each feed due for a poll to poll_feed. Run twice or from two beats, a
    feed is polled once: its lease, which also wants it due, decides (crm.feeds.polling)."""
    due = feeds_due()
    for feed_id in due:
        poll_feed.delay(feed_id)
    return len(due)


@shared_task
def poll_feed(feed_id: int) -> int | None:
    """Poll one feed; the number of new posts, or None when it was not due or another worker is at it."""
    result = feed_poll(feed_id=feed_id)
    return len(result.new_posts) if result is not None else None
