"""A cheap SMTP sink for the dispatch benchmark: its own process, a plain asyncio Protocol.

Why not aiosmtpd (bench.smtp_sink)? In a thread of the bench process it shares the bench's GIL and costs about as
much CPU per message as the worker itself; SMTP is request/response over one connection, so worker and sink take
turns and the measured rate was ~1 / (worker + sink). This sink costs a few tens of microseconds a message and
runs on its own core. It does only what the benchmark needs; the integration tests (refusals, outages) keep
aiosmtpd.

It speaks enough SMTP for smtplib and Django's SMTP backend: the 220 greeting; EHLO (PIPELINING, 8BITMIME, SIZE)
or HELO; MAIL, RCPT, DATA with dot-unstuffing and the end-of-data line; RSET, NOOP, QUIT; 503 on a command out of
sequence, 500 on an unknown command, 501 on bad MAIL/RCPT syntax. It advertises PIPELINING, as Postfix and most
relays do: the buffer may hold several commands, answered in order (the outbox sends MAIL, RCPT and DATA in one
write, messaging.smtp).

For each accepted message it appends its Message-ID (found by a bytes search in the header block, not a parse)
as one line to the `--out` file, which the bench reads. Run: `python -m bench.fast_sink --out FILE`; it binds a
free port on 127.0.0.1 and prints `ready PORT` on stdout once it listens. `FastSink` starts and reads it.
"""

import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

MAX_SIZE = 32 * 1024 * 1024  # advertised with SIZE; a MAIL announcing more is refused (552)
HOSTNAME = b"bench-sink"
EHLO_REPLY = b"250-" + HOSTNAME + b"\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE %d\r\n" % MAX_SIZE
END_OF_DATA = b"\r\n.\r\n"
# The Message-ID header at the start of a line of the header block; \s* also crosses a folded line.
MESSAGE_ID = re.compile(rb"^message-id:\s*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


def message_id(message: bytes) -> bytes:
    """The Message-ID of a message (unstuffed), searched in its header block only; b'' when it has none."""
    end = message.find(b"\r\n\r\n")
    found = MESSAGE_ID.search(message, 0, len(message) if end < 0 else end)
    return found.group(1) if found else b""


def unstuff(data: bytes) -> bytes:
    """RFC 5321 4.5.2: a line of the message that starts with '.' was sent with one more '.' in front."""
    data = data.replace(b"\r\n..", b"\r\n.")
    return data[1:] if data.startswith(b"..") else data


class SmtpSession(asyncio.Protocol):
    """One SMTP connection. States: no greeting yet (`greeted` False); greeted; in a transaction once MAIL is
    accepted (`sender` set), with recipients once RCPT is (`recipients` > 0); reading data after DATA."""

    def __init__(self, out: int):
        self.out = out  # the file descriptor each Message-ID line is written to (O_APPEND)
        self.buffer = b""
        self.greeted = False
        self.in_data = False
        self._reset()

    def _reset(self) -> None:
        self.sender: bytes | None = None
        self.recipients = 0

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(b"220 " + HOSTNAME + b" ESMTP bench sink\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while not self.transport.is_closing():
            if self.in_data:
                # The data ends with CRLF.CRLF; an empty message is just ".CRLF" right after the 354.
                if self.buffer.startswith(b".\r\n"):
                    message, self.buffer = b"", self.buffer[3:]
                else:
                    end = self.buffer.find(END_OF_DATA)
                    if end < 0:
                        return
                    message, self.buffer = self.buffer[: end + 2], self.buffer[end + 5 :]
                self._accept(unstuff(message))
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            self.transport.write(self._command(line))

    def _accept(self, message: bytes) -> None:
        os.write(self.out, message_id(message) + b"\n")
        self.in_data = False
        self._reset()
        self.transport.write(b"250 2.0.0 Message accepted for delivery\r\n")

    def _command(self, line: bytes) -> bytes:
        """The answer to one command line."""
        verb, _, argument = line.partition(b" ")
        verb = verb.upper()
        if verb in (b"EHLO", b"HELO"):
            if not argument.strip():
                return b"501 Syntax: " + verb + b" hostname\r\n"
            self.greeted = True
            self._reset()  # a new EHLO ends any transaction in progress (RFC 5321 4.1.4)
            return EHLO_REPLY if verb == b"EHLO" else b"250 " + HOSTNAME + b"\r\n"
        if verb == b"NOOP":
            return b"250 OK\r\n"
        if verb == b"RSET":
            self._reset()
            return b"250 OK\r\n"
        if verb == b"QUIT":
            self.transport.write(b"221 Bye\r\n")
            self.transport.close()
            return b""
        if verb == b"MAIL":
            if not self.greeted:
                return b"503 Error: send HELO first\r\n"
            if self.sender is not None:
                return b"503 Error: nested MAIL command\r\n"
            if not argument.upper().startswith(b"FROM:"):
                return b"501 Syntax: MAIL FROM:<address>\r\n"
            address, _, params = argument[5:].strip().partition(b" ")
            for param in params.upper().split():
                if param.startswith(b"SIZE="):
                    if not param[5:].isdigit():
                        return b"501 Syntax: SIZE=<number>\r\n"
                    if int(param[5:]) > MAX_SIZE:
                        return b"552 Error: message size exceeds fixed maximum message size\r\n"
            self.sender = address
            return b"250 OK\r\n"
        if verb == b"RCPT":
            if self.sender is None:
                return b"503 Error: need MAIL command\r\n"
            if not argument.upper().startswith(b"TO:") or not argument[3:].strip():
                return b"501 Syntax: RCPT TO:<address>\r\n"
            self.recipients += 1
            return b"250 OK\r\n"
        if verb == b"DATA":
            if not self.recipients:
                return b"503 Error: need RCPT command\r\n"
            self.in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        return b'500 Error: command "' + verb[:20] + b'" not recognized\r\n'


async def serve(out_path: str) -> None:
    out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SmtpSession(out), "127.0.0.1", 0)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print(f"ready {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await stop.wait()
    os.close(out)


class FastSink:
    """Starts the sink process and reads what it received (the same interface as bench.smtp_sink.SmtpSink)."""

    def __init__(self):
        handle, self.path = tempfile.mkstemp(prefix="bench-sink-", suffix=".ids")
        os.close(handle)
        self.process: subprocess.Popen | None = None
        self.port = 0
        self._ids: list[str] = []
        self._read = 0  # bytes of the file already read into _ids

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self) -> None:
        command = [sys.executable, "-m", "bench.fast_sink", "--out", self.path]
        cwd = Path(__file__).resolve().parent.parent
        self.process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, text=True)
        ready = self.process.stdout.readline().split()
        if len(ready) != 2 or ready[0] != "ready":
            self.stop()
            raise RuntimeError(f"the SMTP sink did not start (it said {ready!r})")
        self.port = int(ready[1])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.received()  # reads the last lines before the file goes
        if os.path.exists(self.path):
            os.unlink(self.path)

    def received(self) -> list[str]:
        """Every Message-ID received so far, in order; reads only what was appended since the last call."""
        if os.path.exists(self.path):
            with open(self.path, "rb") as f:
                f.seek(self._read)
                chunk = f.read()
            complete = chunk.rfind(b"\n") + 1  # a line being written is read next time
            self._ids += chunk[:complete].decode().splitlines()
            self._read += complete
        return list(self._ids)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="file each accepted Message-ID is appended to, one a line")
    asyncio.run(serve(parser.parse_args().out))
