"""The outbox (outbox: messages, follow-up templates, the team's profiles) and the mailboxes the team reads
(mailboxes: their folders' positions and the mail from unknown senders)."""

from messaging.models.mailboxes import Mailbox, MailboxFolder, UnknownSender
from messaging.models.outbox import Message, MessageTemplate, Profile

__all__ = ["Mailbox", "MailboxFolder", "Message", "MessageTemplate", "Profile", "UnknownSender"]
