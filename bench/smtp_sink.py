"""A real SMTP server (aiosmtpd) that records what it receives, and can answer errors or go down.

Used by the integration tests and by the dispatch benchmark (bench.dispatch), so both count the same way:
one entry per accepted DATA, by Message-ID.
"""

import asyncio
import logging
import socket
import threading
import time
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self, *, pipelining: bool = False):
        self.pipelining = pipelining  # advertise PIPELINING (RFC 2920), as Postfix does
        self.lock = threading.Lock()
        self.message_ids: list[str] = []
        self.peers: set[tuple] = set()  # one (address, port) per SMTP session that delivered something
        self.refuse: dict[str, str] = {}  # recipient -> SMTP answer, e.g. "554 5.7.1 Rejected"
        self.refuse_senders: dict[str, str] = {}  # sender -> SMTP answer to its MAIL
        self.contents: list[bytes] | None = None  # every message as received, when a test asks (a list)
        self.delay = 0.0  # seconds a slow relay takes to answer a message it has taken
        self.started: list[tuple[str, float]] = []  # (recipient, time.time() of its transaction's MAIL)
        self._headers = BytesHeaderParser()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # a handler with this hook sets it itself
        if self.pipelining:  # aiosmtpd reads commands one by one from its buffer: pipelined ones just work
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        answer = self.refuse_senders.get(address)
        if answer:
            return answer
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        envelope.started = time.time()
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refuse.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        with self.lock:
            self.started.append((address, envelope.started))
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Headers only: the sink must not be the bottleneck of the dispatch benchmark.
        message_id = self._headers.parsebytes(envelope.content)["Message-ID"]
        with self.lock:
            self.message_ids.append(message_id)
            self.peers.add(session.peer)
            if self.contents is not None:
                self.contents.append(envelope.original_content)
        if self.delay:  # the message is taken (it will be delivered) before the client hears so
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def received(self) -> list[str]:
        with self.lock:
            return list(self.message_ids)

    def transactions(self) -> list[tuple[str, float]]:
        with self.lock:
            return list(self.started)

    def sessions(self) -> int:
        with self.lock:
            return len(self.peers)

    def count(self) -> int:
        with self.lock:
            return len(self.message_ids)


class SmtpSink:
    def __init__(self, *, pipelining: bool = False):
        self.port = free_port()
        self.recorder = Recorder(pipelining=pipelining)
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        # aiosmtpd logs every command at INFO: at hundreds of mails a second that costs more than the mail.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def received(self) -> list[str]:
        return self.recorder.received()
