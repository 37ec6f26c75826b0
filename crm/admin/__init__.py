"""The managers' back office for people: the directory, channels and audience, the contact log, the ledger."""

from crm.admin import directory, influencers  # noqa: F401  (registers the admins)
