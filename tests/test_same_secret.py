"""Token comparisons take the same time whatever the given token's length (issue 30,
suspected): hmac.compare_digest alone returns at once on a length mismatch, so every check
compares fixed-length digests. Observed through the comparisons' arguments (a timing
measurement would be a test of the machine's load)."""

from __future__ import annotations

import hmac

import pytest

from cronctl.secrets import same_secret


@pytest.fixture
def compared(monkeypatch):
    seen: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def spy(a, b):
        seen.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return seen


def test_same_secret():
    assert same_secret("a" * 20, "a" * 20)
    assert not same_secret("a", "a" * 20)
    assert not same_secret("", "x")
    assert same_secret(b"k", "k")


def test_the_dashboards_token_check_compares_equal_lengths(compared):
    from cronctl.ui.auth import Auth, User

    auth = Auth({"t" * 40: User("alice", "admin")})
    for given in ("x", "t" * 39, "t" * 40, "t" * 400):
        auth.check_token(given)
    assert compared and all(a == b for a, b in compared), compared


def test_the_dev_servers_token_check_compares_equal_lengths(compared):
    from cronctl.dev.gate import authorised

    for value in (b"Bearer x", b"Bearer " + b"y" * 300):
        assert not authorised({"headers": [(b"authorization", value)]}, "z" * 40)
    assert not authorised({"method": "POST", "headers": [],
                           "query_string": b"qstash_token=short"}, "z" * 40)
    assert compared and all(a == b for a, b in compared), compared
    assert len(compared) == 3  # the query token too (it was compared with ==)
