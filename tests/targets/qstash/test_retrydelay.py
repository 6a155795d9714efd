"""The safe evaluator of `Upstash-Retry-Delay` expressions."""

from __future__ import annotations

import pytest

from cronctl.targets.qstash.retrydelay import MAX_DELAY_MS, compile_delay, default_backoff_ms


@pytest.mark.parametrize(("expr", "expected"), [
    ("1000", [1000, 1000, 1000]),
    ("1000 * (1 + retried)", [1000, 2000, 3000]),
    ("pow(2, retried) * 1000", [1000, 2000, 4000]),
    ("max(10, pow(2, retried))", [10, 10, 10]),
    ("min(1500, 1000 * (retried + 1))", [1000, 1500, 1500]),
    ("-3 + 4 * 2 - 10 / 5", [3, 3, 3]),
    ("sqrt(16) + abs(-2) + floor(1.9) + ceil(0.1) + round(2.6)", [11, 11, 11]),
    ("exp(retried) * 100", [100, 271, 738]),
    ("  retried*retried  ", [0, 1, 4]),
    ("-(5)", [0, 0, 0]),  # negative delays are no delay
    ("pow(10, 400)", [MAX_DELAY_MS] * 3),  # overflow: capped at one day
    ("1/0", [default_backoff_ms(1), default_backoff_ms(2), default_backoff_ms(3)]),
])
def test_evaluates(expr, expected):
    delay = compile_delay(expr)
    assert [delay.ms(r) for r in range(3)] == expected


@pytest.mark.parametrize("expr", [
    "", "  ", "retried +", "2 ** 3", "foo(1)", "__import__('os')", "pow(1)", "sqrt(1, 2)",
    "1 2", "(1", "1)", "a.b", "retried; 1", "lambda: 1", "(" * 40 + "1" + ")" * 40, "1" * 600,
])
def test_rejects(expr):
    with pytest.raises(ValueError):
        compile_delay(expr)


def test_default_backoff_is_qstash_s():
    assert [default_backoff_ms(n) // 1000 for n in (1, 2, 3, 4, 5)] == [12, 148, 1808, 22026,
                                                                         86400]
