import pytest

from health.models import Heartbeat
from health.tasks import WORKER, heartbeat
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_a_task_sent_by_the_web_process_is_run_by_a_real_worker_process(broker, worker_process, tmp_path):
    assert not Heartbeat.objects.filter(name=WORKER).exists()

    with broker.connection() as conn:
        heartbeat.apply_async(queue=broker.queue, routing_key=broker.queue, connection=conn)

    ran = wait_for(lambda: Heartbeat.objects.filter(name=WORKER).exists())
    log = (tmp_path / "worker.log").read_text()
    assert ran, f"the worker did not run the task within 60 s ({broker.kind}). Worker log:\n{log}"
    assert worker_process.poll() is None, "the worker process should still be running"
    assert "health.tasks.heartbeat" in log and "succeeded" in log
