"""The mailbox (issue 16): each team member's mail with influencers, read from their own mailbox over IMAP.

`parsing` reads one raw mail into what is kept of it (ids, addresses, the new text, whether it is automatic, what a
bounce reports); `automatic`, `bounces` and `headers` are its parts. `imap` reads a mailbox read-only, by UID, and
`auth` says how it logs in. Nothing here touches the database yet.
"""
