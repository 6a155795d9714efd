"""QStash: the REST client and the normal form of a schedule."""
