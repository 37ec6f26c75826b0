"""The managers' back office for people: the directory, channels and audience, the contact log, the ledger, imports."""

from crm.admin import bounces, directory, imports, influencers  # noqa: F401  (registers the admins)
