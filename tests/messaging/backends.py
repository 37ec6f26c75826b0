"""E-mail backends for unit tests that fail the way a real server would; integration tests use real SMTP."""

from collections.abc import Callable

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

failure: Exception | None = None


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        if failure is not None:
            raise failure
        return len(email_messages)


class Server:
    """How the pretend server behaves; reset by the `server` fixture in tests/messaging/test_delivery.py."""

    def __init__(self):
        self.connections = 0  # sessions opened
        self.refuse_connections: Exception | None = None  # what opening a session raises
        self.answers: dict[str, Exception] = {}  # recipient -> what sending to them raises
        self.after_each_mail: Callable[[], None] | None = None  # e.g. let time pass


server = Server()


class SessionBackend(LocmemBackend):
    """locmem with sessions: counts the connections it opens and fails per recipient like an SMTP server."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = False

    def open(self):
        if self.session:
            return False
        if server.refuse_connections is not None:
            raise server.refuse_connections
        server.connections += 1
        self.session = True
        return True

    def close(self):
        self.session = False

    def send_messages(self, messages):
        opened = self.open()
        try:
            for message in messages:
                answer = server.answers.get(message.to[0])
                if answer is not None:
                    raise answer
                super().send_messages([message])
                if server.after_each_mail is not None:
                    server.after_each_mail()
        finally:
            if opened:
                self.close()
        return len(messages)
