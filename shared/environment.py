"""The ``BILAN_*`` variables read as typed values: text, integers in a range, ports, counts,
durations, flags and URLs, each checked, and refused with a ``SettingError`` that names the
variable in one line (shared/config.py reads each setting with them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit


class SettingError(ValueError):
    """A ``BILAN_*`` variable whose value cannot be used; the message, one line, names it."""

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__(f"{name}={value!r} is refused: {expected}")
        self.name = name


def text(env: Mapping[str, str], name: str) -> str | None:
    """The variable's value without surrounding blanks; None when unset or empty."""
    value = env.get(name, "").strip()
    return value or None


def integer(env: Mapping[str, str], name: str, default: int, low: int, high: int,
             what: str) -> int:  # fmt: skip
    raw = text(env, name)
    if raw is None:
        return default
    # ASCII digits only: int() would also take "1_000", "+5" and other scripts' digits.
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or not low <= int(raw) <= high:
        raise SettingError(name, env[name], what)
    return int(raw)


def port(env: Mapping[str, str], name: str, default: int) -> int:
    return integer(env, name, default, 1, 65_535, "a TCP port is an integer from 1 to 65535")


def count(env: Mapping[str, str], name: str, default: int, low: int = 0) -> int:
    return integer(env, name, default, low, 10**9, f"expected an integer from {low} to 10^9")


def seconds(env: Mapping[str, str], name: str, default: float, zero: bool = False) -> float:
    raw = text(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and (value >= 0 if zero else value > 0)):
        expected = "a number of seconds" if "SECONDS" in name else "a number of hours"
        bound = "0 or more" if zero else "above 0"
        raise SettingError(name, env[name], f"expected {expected}, {bound}")
    return value


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def flag(env: Mapping[str, str], name: str) -> bool:
    raw = (text(env, name) or "0").lower()
    if raw not in _TRUE + _FALSE:
        raise SettingError(name, env[name], f"expected one of {', '.join(_TRUE + _FALSE)}")
    return raw in _TRUE


def url(
    env: Mapping[str, str], name: str, schemes: tuple[str, ...], expected: str
) -> SplitResult | None:
    """The variable as a URL of one of ``schemes``, with a host and a port that is one (None
    when unset); refused otherwise, as ``expected`` says."""
    raw = text(env, name)
    if raw is None:
        return None
    try:
        parts = urlsplit(raw)
        given_port = parts.port
    except ValueError:
        raise SettingError(name, env[name], expected) from None
    if parts.scheme not in schemes or not parts.hostname or given_port == 0 or parts.query:
        raise SettingError(name, env[name], expected)
    if parts.fragment or any(c.isspace() for c in raw):
        raise SettingError(name, env[name], expected)
    return parts
