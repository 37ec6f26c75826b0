"""Issue 16, the mailbox: how fast a mailbox is read, what it costs, and that a killed worker loses or doubles nothing.

`measure_mailbox(mails=10000, polled=200, kills=5)`, on the current database (the bench's data set) and broker:
1. a real Dovecot (bench/imap_server.py) on loopback; `mails` mails written into one user's INBOX and Sent, a
   third of them with people of the data set (replies from them, mail sent to them), the rest from strangers;
2. first sync: ONE real `celery worker --pool=solo` syncs that mailbox; the figures are mails read per second
   (from the task's publication to the folders' positions reaching the last UID) and the worker's peak memory
   (VmHWM, the resident set's high-water mark, which includes Django and Celery themselves);
3. a sync with nothing new: the same mailbox synced again in this process, 30 times: the median time, with the
   connection and login included;
4. `polled` mailboxes (a few mails each, already read once) synced one after the other in this process, as one
   solo worker does every minute: the time a round takes, which must stay under the minute;
5. kill -9: a second mailbox of `mails` // 3 mails, its worker killed with SIGKILL `kills` times during its first
   sync and started again; then every mail with a known person must be logged exactly once and none missed,
   counted against what the server holds (its STATUS), not against what the sync says it did.
Its rows are deleted afterwards (the contacts it logged touched the people's clocks: the section runs last).

Run it alone: `python -m bench.mailbox --mails 10000` (DATABASE_URL and REDIS_URL say where).
"""

import os
import random
import signal
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from bench.dispatch import _purge, _start_worker, _stop, _wait, _wait_until_ready
from bench.imap_server import ImapServer, User, dovecot_binary
from bench.results import Result

TARGET_RATE = 300.0  # mails per second per worker, first sync
TARGET_MEMORY_MB = 300.0  # the worker's peak resident memory
TARGET_NOTHING_NEW_MS = 50.0  # one mailbox, nothing new
POLL_MINUTE = 60.0  # every mailbox polled every minute by one worker
KNOWN_SHARE = 3  # one mail in three is with a person of the directory

REPLY_BODY = (
    "Bonjour,\n\nMerci pour le brief, c'est très clair. Je peux publier la vidéo le 14 et la story le 15 ; "
    "pour le code promo, est-ce que je peux le mettre en description ?\n\nBelle journée,\n{name}\n\n"
    "Le lun. 3 nov. 2025 à 10:12, Léa <lea@agence.example> a écrit :\n"
    + "> Bonjour, voici le brief de la campagne de printemps, avec les dates et ce que nous proposons.\n"
    * 12
)
STRANGER_BODY = "Hello,\n\nOur newsletter this week: twelve ideas for your spring.\n\n" + "Lorem ipsum dolor. " * 120


def measure_mailbox(*, mails: int = 10000, polled: int = 200, kills: int = 5, log=print) -> list[Result]:
    binary = dovecot_binary()
    if binary is None:
        note = "Dovecot is not installed (apt-get install dovecot-imapd)"
        return [Result("mailbox", "mailbox: not measured", 0, "", "a figure", False, note)]
    run = uuid.uuid4().hex[:8]
    server = ImapServer(binary).start()
    try:
        people = _people(max(1, mails // KNOWN_SHARE))
        log(f"  {mails} mails into one mailbox ({len(people)} people of the data set among them)…")
        first_user = server.new_user()
        expected = _fill(server, first_user, run=f"{run}-a", count=mails, people=people)
        first = _mailbox(server, first_user, run=run)
        results = _first_sync(server, first, mails=mails, expected=expected, run=run, log=log)
        results += _nothing_new(first, log=log)
        results += _polled(server, count=polled, run=run, people=people, log=log)
        results += _killed(server, mails=max(30, mails // 3), kills=kills, run=run, people=people, log=log)
        return results
    finally:
        server.stop()
        _delete(run)


# --- The figures -------------------------------------------------------------------------------------------------


def _first_sync(server: ImapServer, mailbox, *, mails: int, expected: set, run: str, log) -> list[Result]:
    queue = f"bench-mailbox-{run}"
    log_path = Path(settings.VAR_DIR) / f"bench-mailbox-{run}.log"
    worker = _start_worker(queue=queue, log_path=log_path)
    try:
        _wait_until_ready(worker, log_path)
        started = time.monotonic()
        finished = _sync_through(mailbox, server=server, queue=queue, timeout=60 + mails / 20)
        seconds = time.monotonic() - started
        peak_mb = _peak_memory_mb(worker.pid)
    finally:
        _stop(worker)
        _purge(queue)
    logged = _logged(expected)
    rate = mails / seconds
    where = f"{connection.vendor} + {'redis' if settings.REDIS_URL else 'filesystem broker'}"
    note = f"{mails} mails (a third with known people: {len(expected)} contacts expected, {logged} logged)"
    if not finished:
        note += f"; stopped at its timeout after {seconds:.0f} s"
    log(f"  first sync: {rate:.0f} mails/s, {peak_mb:.0f} MB")
    return [
        Result(
            "mailbox",
            f"first sync, mails per second, one worker ({where})",
            round(rate, 1),
            "mails/s",
            f">= {TARGET_RATE:.0f} mails/s",
            finished and rate >= TARGET_RATE and logged == len(expected),
            note,
            {"mails": mails, "seconds": round(seconds, 2), "expected": len(expected), "logged": logged},
        ),
        Result(
            "mailbox",
            "first sync, the worker's peak memory",
            round(peak_mb, 1),
            "MB",
            f"<= {TARGET_MEMORY_MB:.0f} MB",
            peak_mb <= TARGET_MEMORY_MB,
            "VmHWM of the solo worker: Django and Celery included",
        ),
    ]


def _nothing_new(mailbox, *, log, times: int = 30) -> list[Result]:
    from messaging.mailbox.sync import mailbox_sync

    mailbox_sync(mailbox_id=mailbox.pk)  # warm: the server's indexes, this process's imports
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        mailbox_sync(mailbox_id=mailbox.pk)
        samples.append((time.perf_counter() - started) * 1000)
    median = statistics.median(samples)
    log(f"  nothing new: {median:.1f} ms")
    return [
        Result(
            "mailbox",
            "a sync with nothing new, per mailbox (median)",
            round(median, 1),
            "ms",
            f"<= {TARGET_NOTHING_NEW_MS:.0f} ms",
            median <= TARGET_NOTHING_NEW_MS,
            f"{times} syncs of an up-to-date mailbox (INBOX and Sent): connect, log in, one STATUS per folder (its "
            f"UIDNEXT says nothing came); p95 {statistics.quantiles(samples, n=20)[-1]:.1f} ms",
        )
    ]


def _polled(server: ImapServer, *, count: int, run: str, people: list, log) -> list[Result]:
    from messaging.mailbox.sync import mailbox_sync

    boxes = []
    for n in range(count):
        user = server.new_user()
        _fill(server, user, run=f"{run}-p{n}", count=3, people=people)
        boxes.append(_mailbox(server, user, run=run))
    for box in boxes:  # the first read of each, not timed
        mailbox_sync(mailbox_id=box.pk)
    started = time.monotonic()
    for box in boxes:
        mailbox_sync(mailbox_id=box.pk)
    seconds = time.monotonic() - started
    log(f"  {count} mailboxes polled in {seconds:.1f} s")
    return [
        Result(
            "mailbox",
            f"{count} mailboxes polled by one worker, a round",
            round(seconds, 2),
            "s",
            f"<= {POLL_MINUTE:.0f} s",
            seconds <= POLL_MINUTE,
            f"{count} up-to-date mailboxes synced one after the other in one process, as a solo worker does "
            f"each minute: {1000 * seconds / count:.1f} ms each",
        )
    ]


def _killed(server: ImapServer, *, mails: int, kills: int, run: str, people: list, log) -> list[Result]:
    from messaging.models import Mailbox

    user = server.new_user()
    expected = _fill(server, user, run=f"{run}-k", count=mails, people=people)
    mailbox = _mailbox(server, user, run=run)
    queue = f"bench-mailbox-kill-{run}"
    log_path = Path(settings.VAR_DIR) / f"bench-mailbox-kill-{run}.log"
    killed = 0
    rng = random.Random(run)
    try:
        while killed < kills and not _read_to_the_end(mailbox, server):
            worker = _start_worker(queue=queue, log_path=log_path)
            _wait_until_ready(worker, log_path)
            _send(mailbox, queue)
            # Somewhere in the sync: after its first mails are logged, before the last.
            _wait(lambda: _position(mailbox) > 0 or _read_to_the_end(mailbox, server), timeout=60)
            time.sleep(rng.uniform(0.05, 0.6))
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            killed += 1
            # The dead worker's lease would run out by itself; the benchmark does not wait for it.
            Mailbox.objects.filter(pk=mailbox.pk).update(claim="", claimed_at=None)
        worker = _start_worker(queue=queue, log_path=log_path)
        try:
            _wait_until_ready(worker, log_path)
            finished = _sync_through(mailbox, server=server, queue=queue, timeout=60 + mails / 20)
        finally:
            _stop(worker)
    finally:
        _purge(queue)
    logged = _logged(expected)
    twice = _twice(expected)
    on_server = _server_count(server, user)
    read = _read_to_the_end(mailbox, server)
    log(f"  kill -9 ×{killed}: {logged} of {len(expected)} logged, {twice} twice")
    note = (
        f"{mails} mails on the server ({on_server} by its STATUS), worker killed with SIGKILL {killed} times "
        f"during the first sync; {len(expected)} contacts expected"
    )
    return [
        Result(
            "mailbox",
            f"kill -9 ×{killed} during a first sync: mails logged twice",
            twice,
            "mails",
            "0",
            twice == 0,
            note,
        ),
        Result(
            "mailbox",
            f"kill -9 ×{killed} during a first sync: mails missed",
            len(expected) - logged,
            "mails",
            "0",
            finished and read and logged == len(expected) and on_server == mails,
            note + ("" if read else "; the folders' positions did not reach the server's last UID"),
        ),
    ]


# --- The data ----------------------------------------------------------------------------------------------------


def _people(count: int) -> list[tuple[str, str]]:
    from crm.models import Influencer

    rows = Influencer.objects.filter(erased_at__isnull=True).exclude(email="").order_by("pk")
    return list(rows.values_list("name", "email")[:count])


def _fill(server: ImapServer, user: User, *, run: str, count: int, people: list) -> set[tuple[str, str]]:
    """Write `count` mails into the user's INBOX (four in five) and Sent; returns the (address key, Message-ID)
    pairs that must become contacts."""
    from crm.addresses import email_key

    expected: set[tuple[str, str]] = set()
    inbox, sent = [], []
    for raw, person, message_id, outgoing in _mails(run, count, people, user):
        (sent if outgoing else inbox).append(raw)
        if person:
            expected.add((email_key(person), message_id))
    server.deliver(user, "INBOX", inbox)
    server.deliver(user, "Sent", sent)
    return expected


def _mails(run: str, count: int, people: list, user: User) -> Iterator[tuple[bytes, str, str, bool]]:
    me = f"{user.name}@agence.example"
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    for n in range(count):
        known = people and n % KNOWN_SHARE == 0
        outgoing = n % 5 == 4
        name, address = people[(n // KNOWN_SHARE) % len(people)] if known else (f"Stranger {n}", f"s{n}@news.example")
        mail = EmailMessage()
        message_id = f"bench-{run}-{n}@mail.example"
        mail["Message-ID"] = f"<{message_id}>"
        mail["Date"] = format_datetime(start + timedelta(minutes=7 * n))
        if outgoing:
            mail["From"], mail["To"] = f"Léa <{me}>", f"{name} <{address}>"
            mail["Subject"] = f"Campagne de printemps : le brief ({n})"
            mail.set_content(REPLY_BODY.format(name="Léa"))
        else:
            mail["From"], mail["To"] = f"{name} <{address}>", f"Léa <{me}>"
            mail["Subject"] = f"Re: Campagne de printemps ({n})" if known else f"Newsletter n°{n}"
            mail.set_content(REPLY_BODY.format(name=name) if known else STRANGER_BODY)
            if known:
                mail["In-Reply-To"] = f"<brief-{run}-{n}@agence.example>"
        yield bytes(mail), (address if known else ""), message_id, outgoing


def _mailbox(server: ImapServer, user: User, *, run: str):
    """A marketer's own mailbox (mail from strangers is not kept), owned by a team member of its own."""
    from messaging.mailbox.secrets import password_seal
    from messaging.models import Mailbox

    owner = get_user_model().objects.create(
        username=f"bench-mailbox-{run}-{user.name}", email=f"{user.name}@agence.example"
    )
    return Mailbox.objects.create(
        owner=owner,
        name=f"bench-{run}-{user.name}",
        address=f"{user.name}@agence.example",
        host=server.host,
        port=server.port,
        security=Mailbox.Security.NONE,
        username=user.name,
        password_sealed=password_seal(user.password),
    )


# --- Watching ----------------------------------------------------------------------------------------------------


def _send(mailbox, queue: str) -> None:
    from config.celery import app

    app.send_task("messaging.tasks.sync_mailbox", args=[mailbox.pk], queue=queue)


def _sync_through(mailbox, *, server: ImapServer, queue: str, timeout: float) -> bool:
    """Have the worker sync the mailbox until its folders' positions reach the server's last mails; a task that
    ends early (a time limit, a pass that reads in slices) is followed by another."""
    from messaging.models import Mailbox

    deadline = time.monotonic() + timeout
    end = _ends(server, mailbox)
    _send(mailbox, queue)
    while time.monotonic() < deadline:
        if _read_to_the_end(mailbox, server, end=end):
            return _wait(lambda: not Mailbox.objects.filter(pk=mailbox.pk).exclude(claim="").exists(), timeout=30)
        if not Mailbox.objects.filter(pk=mailbox.pk).exclude(claim="").exists():
            time.sleep(0.5)
            if not _read_to_the_end(mailbox, server, end=end) and not (
                Mailbox.objects.filter(pk=mailbox.pk).exclude(claim="").exists()
            ):
                _send(mailbox, queue)
        time.sleep(0.1)
    return False


def _ends(server: ImapServer, mailbox) -> dict[str, int]:
    """The last UID of each folder, as the server says (UIDNEXT - 1)."""
    with server.session(mailbox.username) as session:
        return {f: session.folder.status(f, ["UIDNEXT"])["UIDNEXT"] - 1 for f in ("INBOX", "Sent")}


def _position(mailbox) -> int:
    from messaging.models import MailboxFolder

    return sum(MailboxFolder.objects.filter(mailbox=mailbox).values_list("last_uid", flat=True))


def _read_to_the_end(mailbox, server: ImapServer, *, end: dict[str, int] | None = None) -> bool:
    from messaging.models import MailboxFolder

    end = end or _ends(server, mailbox)
    read = dict(MailboxFolder.objects.filter(mailbox=mailbox).values_list("name", "last_uid"))
    return all(read.get(folder, 0) >= last for folder, last in end.items())


def _server_count(server: ImapServer, user: User) -> int:
    with server.session(user) as session:
        return sum(session.folder.status(f, ["MESSAGES"])["MESSAGES"] for f in ("INBOX", "Sent"))


def _message_ids(expected: set) -> list[str]:
    return sorted({message_id for _, message_id in expected})


def _logged(expected: set) -> int:
    """How many of the expected (person, mail) contacts exist."""
    from crm.models import Contact

    found = set()
    ids = _message_ids(expected)
    for start in range(0, len(ids), 1000):
        rows = Contact.objects.filter(message_id__in=ids[start : start + 1000])
        found |= set(rows.values_list("influencer__email_key", "message_id"))
    return len(found & expected)


def _twice(expected: set) -> int:
    from django.db.models import Count

    from crm.models import Contact

    ids = _message_ids(expected)
    twice = 0
    for start in range(0, len(ids), 1000):
        rows = Contact.objects.filter(message_id__in=ids[start : start + 1000])
        twice += rows.values("influencer", "message_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    return twice


def _peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _delete(run: str) -> None:
    from crm.models import Contact
    from messaging.models import Mailbox

    Contact.objects.filter(message_id__startswith=f"bench-{run}-").delete()
    Mailbox.objects.filter(name__startswith=f"bench-{run}-").delete()
    get_user_model().objects.filter(username__startswith=f"bench-mailbox-{run}-").delete()


def main() -> None:
    import argparse

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from bench import report

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=10000)
    parser.add_argument("--polled", type=int, default=200)
    parser.add_argument("--kills", type=int, default=5)
    options = parser.parse_args()
    results = measure_mailbox(mails=options.mails, polled=options.polled, kills=options.kills)
    report.print_table(results, __import__("sys").stdout, title=f"\nMailbox ({timezone.now():%Y-%m-%d %H:%M})")


if __name__ == "__main__":
    main()
