"""QStash: the REST client, the normal form of a schedule, and the qstash target."""
