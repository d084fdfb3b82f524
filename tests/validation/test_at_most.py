"""xmlsafe's count of a rare byte by finds: exact at the limit, whatever the bytes."""

from __future__ import annotations

import pytest

from gateway.xmlsafe import _at_most


@pytest.mark.parametrize(
    ("data", "limit", "expected"),
    [(b"", 0, True), (b"=", 0, False), (b"=", 1, True), (b"a=b=c=", 3, True), (b"a=b=c=", 2, False), (b"==", 1, False)],
)
def test_at_most_counts_exactly(data: bytes, limit: int, expected: bool) -> None:
    assert _at_most(data, b"=", limit) is expected
    assert (data.count(b"=") <= limit) is expected
