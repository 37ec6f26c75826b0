"""A channel's feed: fetched over HTTP with every bound set (fetch), read into posts (parsing)."""
