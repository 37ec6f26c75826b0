"""Celery tasks for people: small wrappers that take ids, over crm.services and crm.imports."""

from celery import shared_task

from config.lockout import login_logs_purge
from crm.imports import import_job_run, import_jobs_enqueue
from crm.services.feeds import channel_feed_look_up, channels_to_look_up


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
def find_feeds() -> int:
    """Beat, every FEED_LOOKUP_SCAN_SECONDS: hand each channel whose page is to be searched for a feed to find_feed.
    Run twice or from two beats, a page is searched once: find_feed's claim decides (crm.services.feeds)."""
    due = channels_to_look_up()
    for channel_id in due:
        find_feed.delay(channel_id)
    return len(due)


@shared_task
def find_feed(channel_id: int) -> bool:
    """Search one channel's page for its feed; True when one was found and given to the channel."""
    return channel_feed_look_up(channel_id=channel_id) is not None
