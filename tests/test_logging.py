"""What the console shows of a request (LOGGING in config/settings.py): a refusal is one line, not a crash."""

import io
import logging

import pytest


def console_handlers() -> list[logging.StreamHandler]:
    """The handlers that print a record of django.request: its own and its ancestors' while they propagate (not
    pytest's, which captures records for caplog)."""
    handlers, logger = [], logging.getLogger("django.request")
    while logger:
        handlers += [
            h for h in logger.handlers if isinstance(h, logging.StreamHandler) and "pytest" not in type(h).__module__
        ]
        logger = logger.parent if logger.propagate else None
    return handlers


@pytest.fixture
def console(settings):
    """What the console shows, as in `make run`: DEBUG on (Django's own console handler prints only then), and
    every handler configured at start-up writing into one buffer instead of its stream."""
    settings.DEBUG = True
    buffer = io.StringIO()
    handlers = console_handlers()
    streams = [handler.setStream(buffer) for handler in handlers]

    def read() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield read
    for handler, stream in zip(handlers, streams, strict=True):
        handler.setStream(stream)


def test_a_refused_viewer_is_one_line_without_a_traceback(client, carol, console):
    client.force_login(carol)
    console()

    response = client.get("/influencers/add/")

    assert response.status_code == 403
    assert console().splitlines() == ["Forbidden (Permission denied): /influencers/add/"]


def test_a_page_that_is_not_there_is_one_line(client, carol, console):
    client.force_login(carol)
    console()

    response = client.get("/nowhere/")

    assert response.status_code == 404
    assert console().splitlines() == ["Not Found: /nowhere/"]
