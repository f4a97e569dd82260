"""The error every store function raises about a database it cannot use (store.failures
names the kinds: a read-only file, a full disk, a damaged file)."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used; the message is one sentence naming the file."""
