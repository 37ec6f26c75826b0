"""The mailbox (issue 16): each team member's mail with influencers, read from their own mailbox over IMAP.

`parsing` reads one raw mail into what is kept of it (ids, addresses, the new text, whether it is automatic, what a
bounce reports); `automatic` and `bounces` are its parts. Nothing here touches the database.
"""
