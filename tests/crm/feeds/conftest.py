from collections.abc import Iterator

import pytest

from tests.crm.feeds.web import Server


@pytest.fixture(scope="module")
def running_server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


@pytest.fixture
def server(running_server: Server) -> Server:
    running_server.routes.clear()
    running_server.requests.clear()
    return running_server
