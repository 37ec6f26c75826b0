"""The mailbox: mail read over IMAP and logged as touches."""
