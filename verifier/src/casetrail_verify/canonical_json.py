"""RFC 8785 JSON Canonicalization Scheme (JCS), restricted to the values the ledger needs.

Why: every ledger entry is hashed, so the same logical entry must always serialise to the
same bytes, on any machine and in any language. JCS (RFC 8785) gives that, and it is what
an independent verifier in another language can reproduce.

The accepted value domain is deliberately small:

* ``str`` (valid Unicode scalar values only - a lone surrogate has no UTF-8 encoding),
* ``int`` with ``abs(n) <= 2**53 - 1`` (RFC 8785 §3.2.2.3 serialises numbers as IEEE-754
  doubles; larger integers would silently lose precision, RFC 7493 §2.2),
* ``bool`` and ``None``,
* ``list`` / ``tuple``, and ``dict`` with ``str`` keys.

Floats are refused rather than canonicalised: amounts, durations and coordinates in
enforcement records must be exact, so callers pass them as strings or integers.
:func:`loads_strict` is the matching parser: it refuses the same things on the way in,
plus duplicate object keys (RFC 8785 §3.1 / RFC 7493 §2.3 require unique names).
"""

from __future__ import annotations

import json
import re
from typing import Any

#: RFC 8785 §3.2.2.3 / RFC 7493 §2.2: integers outside ±(2**53 - 1) are not exactly
#: representable as IEEE-754 doubles.
MAX_SAFE_INTEGER = 2**53 - 1

#: Nesting deeper than this is refused with a clear error instead of a RecursionError.
MAX_DEPTH = 200


class CanonicalJSONError(ValueError):
    """The value cannot be represented as canonical JSON (the message names the path)."""


# RFC 8785 §3.2.2.2: strings are serialised like ECMAScript JSON.stringify(): only '"',
# '\\' and the C0 controls are escaped; the five controls with a short form use it, the
# others use \u00XX with lowercase hex. Everything else (including non-ASCII, U+007F and
# U+2028/U+2029) is written literally and then encoded as UTF-8.
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04x}"


def _child_path(path: str, key: str) -> str:
    if _IDENTIFIER.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=True)}]"


def _check_string(value: str, path: str, what: str) -> None:
    # Python str can hold lone surrogates (e.g. from "\ud800" escapes or surrogateescape
    # decoding); they are not Unicode scalar values and have no UTF-8 form (RFC 8785 §3.2.2.2
    # requires the output to be valid UTF-8).
    bad = _LONE_SURROGATE.search(value)
    if bad:
        raise CanonicalJSONError(
            f"{path}: {what} contains the lone surrogate U+{ord(bad.group(0)):04X} at position "
            f"{bad.start()}; it is not valid Unicode and cannot be encoded as UTF-8 "
            "(non-UTF-8 text)"
        )


def _serialize_string(value: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, value) + '"'


def _utf16_sort_key(key: str) -> bytes:
    # RFC 8785 §3.2.3: property names are sorted by their UTF-16 code units, compared as
    # unsigned 16-bit integers. Big-endian UTF-16 bytes compare in exactly that order
    # (unlike code points: U+1F600 is D83D DE00 in UTF-16 and so sorts before U+FB33).
    return key.encode("utf-16-be")


def _serialize(value: object, path: str, depth: int, out: list[str]) -> None:
    if depth > MAX_DEPTH:
        raise CanonicalJSONError(f"{path}: nesting deeper than {MAX_DEPTH} levels")
    # bool before int: bool is a subclass of int in Python.
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalJSONError(
                f"{path}: the integer {value} is outside ±(2**53 - 1) and cannot be "
                "represented exactly in JSON (RFC 8785 §3.2.2.3); pass it as a string"
            )
        # int.__repr__ so that IntEnum and other subclasses serialise as plain digits.
        out.append(int.__repr__(value))
    elif isinstance(value, str):
        _check_string(value, path, "the string")
        out.append(_serialize_string(value))
    elif isinstance(value, float):
        raise CanonicalJSONError(f"{path}: floats are not allowed; use a string or integer")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _serialize(item, f"{path}[{i}]", depth + 1, out)
        out.append("]")
    elif isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise CanonicalJSONError(
                    f"{path}: object keys must be strings, got {type(key).__name__} {key!r}"
                )
            _check_string(key, path, f"the key {key!r}")
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_sort_key)):
            if i:
                out.append(",")
            out.append(_serialize_string(key))
            out.append(":")
            _serialize(value[key], _child_path(path, key), depth + 1, out)
        out.append("}")
    else:
        raise CanonicalJSONError(
            f"{path}: values of type {type(value).__name__} are not allowed in canonical JSON; "
            "use str, int, bool, None, list or dict"
        )


def canonicalize(value: object, *, name: str = "value") -> bytes:
    """Return the RFC 8785 canonical UTF-8 encoding of ``value``.

    ``name`` is the root of the paths in error messages, e.g. ``canonicalize(p, name="payload")``
    reports ``payload.amount: floats are not allowed; use a string or integer``.
    """
    out: list[str] = []
    _serialize(value, name, 0, out)
    # No lone surrogates remain (checked above), so strict UTF-8 encoding cannot fail.
    return "".join(out).encode("utf-8")


def canonicalize_str(value: object, *, name: str = "value") -> str:
    """Like :func:`canonicalize` but returns ``str`` (for storing in a text column)."""
    return canonicalize(value, name=name).decode("utf-8")


# --- strict parsing -----------------------------------------------------------------------


def _reject_float(text: str) -> Any:
    raise CanonicalJSONError(
        f"the number {text} has a fraction or exponent; floats are not allowed, "
        "use a string or integer"
    )


def _reject_constant(text: str) -> Any:
    raise CanonicalJSONError(f"{text} is not valid JSON")


def _parse_int(text: str) -> int:
    number = int(text)
    if abs(number) > MAX_SAFE_INTEGER:
        raise CanonicalJSONError(
            f"the integer {text} is outside ±(2**53 - 1) and cannot be represented exactly "
            "(RFC 8785 §3.2.2.3); pass it as a string"
        )
    return number


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, val in pairs:
        if key in result:
            raise CanonicalJSONError(f"duplicate object key {key!r}")
        result[key] = val
    return result


def _check_parsed_strings(value: Any, path: str) -> None:
    # json.loads turns a "\ud800" escape into a lone surrogate; refuse it anywhere.
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            _check_string(item, where, "the string")
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_string(key, where, f"the key {key!r}")
                stack.append((child, _child_path(where, key)))


def loads_strict(data: bytes | bytearray | memoryview) -> Any:
    """Parse UTF-8 JSON, refusing floats, NaN/Infinity, unsafe integers, duplicate keys and
    lone surrogates (e.g. ``"\\ud800"`` escapes).

    Raises :class:`CanonicalJSONError` (a ``ValueError``) with an English message.
    """
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalJSONError(f"JSON input is not valid UTF-8: {exc}") from exc
    if text.startswith("\ufeff"):
        raise CanonicalJSONError("JSON input must not start with a byte order mark")
    try:
        value = json.loads(
            text,
            parse_float=_reject_float,
            parse_int=_parse_int,
            parse_constant=_reject_constant,
            object_pairs_hook=_unique_pairs,
        )
    except CanonicalJSONError:
        raise
    except RecursionError as exc:
        raise CanonicalJSONError("JSON input is nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise CanonicalJSONError(f"invalid JSON: {exc}") from exc
    _check_parsed_strings(value, "JSON")
    return value


def is_canonical(data: bytes) -> bool:
    """True if ``data`` parses strictly and is byte-for-byte its own canonical form."""
    try:
        return canonicalize(loads_strict(data)) == bytes(data)
    except CanonicalJSONError:
        return False
