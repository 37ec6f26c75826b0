import re

import pytest

from health.models import Heartbeat
from health.tasks import WORKER, heartbeat
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_a_task_sent_by_the_web_process_is_run_by_a_real_worker_process(broker, worker_process, tmp_path):
    assert not Heartbeat.objects.filter(name=WORKER).exists()

    with broker.connection() as conn:
        result = heartbeat.apply_async(queue=broker.queue, routing_key=broker.queue, connection=conn)

    worker_log = tmp_path / "worker.log"
    ran = wait_for(lambda: Heartbeat.objects.filter(name=WORKER).exists())
    assert ran, f"the worker did not run the task within 60 s ({broker.kind}). Worker log:\n{worker_log.read_text()}"
    # The task's row is committed before the worker logs the task's end: wait for that line too.
    succeeded = re.compile(rf"Task health\.tasks\.heartbeat\[{result.id}\] succeeded")
    logged = wait_for(lambda: succeeded.search(worker_log.read_text()) is not None, timeout=10)
    assert logged, f"the worker did not log the task's success ({broker.kind}). Worker log:\n{worker_log.read_text()}"
    assert worker_process.poll() is None, "the worker process should still be running"
