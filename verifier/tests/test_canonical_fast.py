"""The fast path of canonical JSON writes exactly the bytes of the step-by-step RFC 8785 serializer,
and refuses exactly what it refuses (issue 18 §2: canonical JSON is on every append)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail_verify import canonical_json as cj

text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12)
keys = st.one_of(text, st.sampled_from(["\ue000", "\U0001f600", "a\x7f", "\u2028", "é"]))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    text,
    st.floats(allow_nan=False),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=20,
)


def _outcome(serialize: object, value: object) -> bytes | str:
    """The bytes written, or the refusal's message."""
    try:
        return serialize(value)  # type: ignore[operator,no-any-return]
    except cj.CanonicalJSONError as exc:
        return str(exc)


@given(values)
def test_it_writes_the_same_bytes_or_the_same_refusal_as_the_careful_path(value: object) -> None:
    assert _outcome(cj.canonicalize, value) == _outcome(cj._canonicalize_careful, value)


@pytest.mark.parametrize(
    "value",
    [
        {"\ue000": 1, "\U0001f600": 2},  # UTF-16 order differs from code point order
        {"a": "\ud800"},
        {"\ud800": 1},
        [1.5],
        2**53,
        {"x": {"y": [True, None, '\x00\x1f"\\']}},
    ],
)
def test_it_agrees_on_the_edges(value: object) -> None:
    assert _outcome(cj.canonicalize, value) == _outcome(cj._canonicalize_careful, value)
