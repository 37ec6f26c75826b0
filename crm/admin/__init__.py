"""The managers' back office for people: the directory, channels and audience, the contact log, the ledger, imports,
channels' feeds and their posts."""

from crm.admin import bounces, directory, feeds, imports, influencers  # noqa: F401  (registers the admins)
