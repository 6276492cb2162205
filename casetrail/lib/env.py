"""Strict environment helpers: a typo in a deployment's variables must stop start-up, not be ignored."""

from __future__ import annotations

import os
import re

# ASCII digits only: int() also takes '１２', '١٢' and '1_000', which no configuration means.
_INTEGER = re.compile(r"[+-]?[0-9]+")

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """A configuration variable has a value we refuse to guess about."""


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigError(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off"
    )


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw.strip()):
        raise ConfigError(f"{name}={raw!r} is not an integer (ASCII digits 0-9)")
    value = int(raw.strip())
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value} is below the minimum {minimum}")
    return value


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip()
    if value not in choices:
        raise ConfigError(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def envlist(name: str) -> list[str]:
    """A comma-separated list of codes (snake_case), each once; unset or empty: no codes. The
    caller checks the codes against what it knows (e.g. the case categories, once apps load)."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return []
    items = [item.strip() for item in raw.split(",")]
    if any(not re.fullmatch(r"[a-z][a-z0-9_]*", item) for item in items):
        raise ConfigError(f"{name}={raw!r} must be comma-separated codes such as elderly,funeral")
    if len(set(items)) != len(items):
        raise ConfigError(f"{name}={raw!r} names a code twice")
    return items
