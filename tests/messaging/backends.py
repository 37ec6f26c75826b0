"""An e-mail backend for unit tests that fails the way a real server would; integration tests use real SMTP."""

from django.core.mail.backends.base import BaseEmailBackend

failure: Exception | None = None


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        if failure is not None:
            raise failure
        return len(email_messages)
