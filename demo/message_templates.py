"""Ready-made follow-ups for the demo, in French and English: a marketer picks one and adapts it."""

from messaging.models import MessageTemplate

# (name, language, subject, body). The name is what the marketer picks; the signature is added when it is sent.
TEMPLATES = [
    (
        "Des nouvelles ?",
        "fr",
        "Des nouvelles ?",
        "Bonjour,\n\nCela fait un moment que nous ne nous sommes pas parlé : comment allez-vous ? "
        "Qu'est-ce qui vous occupe en ce moment ?\n\nJe serais ravie d'avoir de vos nouvelles.",
    ),
    (
        "Any news?",
        "en",
        "Any news?",
        "Hello,\n\nIt has been a while since we last spoke: how are you? What are you working on at the moment?"
        "\n\nI would love to hear from you.",
    ),
    (
        "Invitation à notre prochain événement",
        "fr",
        "Invitation à notre prochain événement",
        "Bonjour,\n\nNous organisons bientôt un événement qui devrait vous plaire, et nous aimerions beaucoup "
        "vous y voir. Je vous envoie les détails (date, lieu, programme) dès que vous me dites si cela vous "
        "intéresse.\n\nAu plaisir de vous y retrouver !",
    ),
    (
        "Invitation to our next event",
        "en",
        "Invitation to our next event",
        "Hello,\n\nWe are holding an event soon that we think you would enjoy, and we would love to see you "
        "there. Tell me if you are interested and I will send you the details (date, place, programme).\n\n"
        "Hope to see you there!",
    ),
    (
        "Merci pour votre publication",
        "fr",
        "Merci pour votre publication",
        "Bonjour,\n\nUn grand merci pour votre publication : elle nous a beaucoup plu, et votre communauté "
        "a l'air d'avoir apprécié aussi.\n\nÀ très bientôt !",
    ),
    (
        "Thanks for your post",
        "en",
        "Thanks for your post",
        "Hello,\n\nThank you so much for your post: we loved it, and your community seems to have enjoyed it "
        "too.\n\nSee you soon!",
    ),
]


def message_templates() -> list[str]:
    """Create the demo templates that are missing (by name and language); return the names created.

    A template someone edited in the admin is left as it is.
    """
    created = []
    for name, language, subject, body in TEMPLATES:
        _template, was_created = MessageTemplate.objects.get_or_create(
            name=name, language=language, defaults={"subject": subject, "body": body}
        )
        if was_created:
            created.append(name)
    return created
