"""The outbox: messages sent, scheduled, failed and cancelled."""

from datetime import timedelta

from messaging.models import Message

from .sizes import _Weighted


class OutboxParts:
    """The builder's outbox (a part of bench.dataset.builder._Builder)."""

    def load_messages(self) -> None:
        rng, now = self.rng, self.now
        rels = self.relationships
        status_of = _Weighted(rng, ["sent", "scheduled", "failed", "cancelled"], [85, 7, 3, 5])
        kind_of = _Weighted(rng, ["reminder", "follow_up", "thank_you", "digest"], [40, 35, 20, 5])
        columns = [
            "id",
            "kind",
            "recipient",
            "to_user_id",
            "influencer_id",
            "relationship_id",
            "language",
            "subject",
            "body",
            "send_at",
            "status",
            "key",
            "due_on",
            "cancel_if_reply",
            "attempts",
            "last_error",
            "sent_at",
            "claim",
            "message_id",
            "created_by_id",
            "created_at",
            "updated_at",
        ]

        def rows():
            for mid in range(1, self.sizes.messages + 1):
                kind, status = kind_of(), status_of()
                rid, person, campaign, _stage, _outcome = (
                    rels[rng.randrange(len(rels))] if rels else (None, 0, None, 0, 0)
                )
                owner = self.owner_of()
                if status == "scheduled":
                    send_at = now + timedelta(hours=rng.randint(1, 24 * 20))
                else:
                    send_at = now - timedelta(hours=rng.randint(1, 24 * 3 * 365))
                to_team = kind in ("reminder", "digest")
                yield (
                    mid,
                    kind,
                    "marketer@bench.example" if to_team else f"person{person + 1}@example.com",
                    owner if to_team else None,
                    None if kind == "digest" else person + 1,
                    rid if kind in ("reminder", "follow_up", "thank_you") else None,
                    "fr",
                    "Des nouvelles ?" if kind == "follow_up" else f"{kind} #{mid}",
                    "Bonjour,\n\nUn petit mot pour prendre des nouvelles.\n\nÀ bientôt",
                    send_at,
                    status,
                    f"bench:{kind}:{mid}",
                    send_at.date() if kind == "reminder" else None,
                    kind == "follow_up" and rng.random() < 0.5,
                    1 if status in ("sent", "failed") else 0,
                    "550 mailbox unavailable" if status == "failed" else "",
                    send_at if status == "sent" else None,
                    "",
                    f"<bench.{mid}@bench.example>",
                    None if to_team else owner,
                    send_at - timedelta(hours=1),
                    send_at,
                )

        self.loader.load(Message, columns, rows())
