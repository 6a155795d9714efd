"""QStash's `Upstash-Retry-Delay` expressions, parsed and evaluated safely (no `eval`).

Grammar: numbers, the variable `retried`, `+ - * /`, unary minus, parentheses and the functions
pow, sqrt, abs, exp, floor, ceil, round, min, max. The value is a delay in milliseconds.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_DELAY_MS = 86_400_000  # QStash caps every retry delay at one day
_MAX_LENGTH = 512
_MAX_DEPTH = 32
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_]\w*)|(.))")

_FUNCTIONS: dict[str, tuple[int, int, Callable[..., float]]] = {
    # name: (min args, max args, implementation)
    "pow": (2, 2, math.pow),
    "sqrt": (1, 1, math.sqrt),
    "abs": (1, 1, abs),
    "exp": (1, 1, math.exp),
    "floor": (1, 1, math.floor),
    "ceil": (1, 1, math.ceil),
    "round": (1, 1, round),
    "min": (1, 16, min),
    "max": (1, 16, max),
}

Node = Callable[[float], float]  # retried -> value
_BINARY: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
}


def _binary(op: Callable[[float, float], float], lhs: Node, rhs: Node) -> Node:
    return lambda r: op(lhs(r), rhs(r))


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing blanks are left
            break
        out.append(m.group(0).strip())
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            want = f"{expected!r}" if expected else "a value"
            raise ValueError(f"expected {want}, found {tok or 'the end'!r}")
        self.pos += 1
        return tok

    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()!r}")
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = _BINARY[self.take()]
            node = _binary(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek() in ("*", "/"):
            op = _BINARY[self.take()]
            node = _binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek() in ("-", "+"):
            sign = -1.0 if self.take() == "-" else 1.0
            inner = self.unary()
            return lambda r: sign * inner(r)
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok[0].isdigit() or tok[0] == ".":
            value = float(tok)
            return lambda r: value
        if tok == "retried":
            return lambda r: r
        if tok == "(":
            node = self.nested()
            self.take(")")
            return node
        if tok in _FUNCTIONS:
            return self.call(tok)
        raise ValueError(f"unknown name or symbol {tok!r}")

    def nested(self) -> Node:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ValueError("expression is nested too deeply")
        node = self.expr()
        self.depth -= 1
        return node

    def call(self, name: str) -> Node:
        low, high, fn = _FUNCTIONS[name]
        self.take("(")
        args = [self.nested()]
        while self.peek() == ",":
            self.take()
            args.append(self.nested())
        self.take(")")
        if not low <= len(args) <= high:
            raise ValueError(f"{name}() takes {low} argument{'s' if low > 1 else ''}"
                             + (f" to {high}" if high != low else ""))
        return lambda r: float(fn(*(a(r) for a in args)))


@dataclass(frozen=True)
class RetryDelay:
    text: str
    _node: Node

    def ms(self, retried: int) -> int:
        """The delay before the retry that follows `retried` earlier retries (0 for the first)."""
        try:
            value = self._node(float(retried))
        except OverflowError:
            return MAX_DELAY_MS
        except (ArithmeticError, ValueError):
            return default_backoff_ms(retried + 1)
        if math.isnan(value):
            return default_backoff_ms(retried + 1)
        return int(min(MAX_DELAY_MS, max(0.0, value)))


def compile_delay(text: str) -> RetryDelay:
    """Parse once (400 on error at upsert time), evaluate per retry. Raises ValueError."""
    if len(text) > _MAX_LENGTH:
        raise ValueError(f"longer than {_MAX_LENGTH} characters")
    if not text.strip():
        raise ValueError("empty expression")
    return RetryDelay(text, _Parser(text).parse())


def default_backoff_ms(n: int) -> int:
    """QStash's default: min(1 day, e ** (2.5 * n)) seconds before the n-th retry (n >= 1)."""
    try:
        return int(min(86_400.0, math.exp(2.5 * n)) * 1000)
    except OverflowError:
        return MAX_DELAY_MS
