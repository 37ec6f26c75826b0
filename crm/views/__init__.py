"""The people side of the web UI: Today, the directory, a person's page, the contact log, the ledger.

Views stay thin: they read through selectors, change state through crm.services, and turn a service's
ValidationError into form errors.
"""
