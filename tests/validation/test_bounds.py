"""Bounds of one message: elements, attributes, depth, size and XML version, each refused with a clear error."""

from __future__ import annotations

import pytest

from gateway.bounds import MAX_MESSAGE_BYTES, Bounds
from gateway.config import load_settings
from gateway.generate import large_jw323, small_jw301
from gateway.validation import inspect, validate
from gateway.xmlsafe import DocumentRefusedError, check_bounds, parse


def _refusal(data: bytes, bounds: Bounds) -> str:
    result = inspect(data, bounds=bounds).result
    assert not result.well_formed and not result.valid
    assert [f.kind for f in result.errors] == ["xml"]
    return result.errors[0].message


def test_too_many_elements_are_refused_before_the_tree_is_built() -> None:
    """A document past max_elements gets an error naming the limit; one element fewer passes."""
    data = b"<a>" + b"<b/>" * 999 + b"</a>"  # 1,000 elements
    assert "more than 999 elements" in _refusal(data, Bounds(max_elements=999))
    check_bounds(data, Bounds(max_elements=1000))  # exactly at the limit: allowed


def test_an_element_limit_is_counted_exactly_when_the_bytes_only_suggest_it() -> None:
    """Comments full of '<' and text with '=' raise the byte estimate but are not elements or attributes."""
    noisy = b"<a><!--" + b"<<<< ==== " * 2000 + b"--><b/></a>"
    check_bounds(noisy, Bounds(max_elements=5, max_attributes=0))  # the exact count decides: two elements


def test_too_many_attributes_are_refused() -> None:
    """100,001 attributes past a limit of 100,000 are refused on their number, not validated one by one."""
    extra = " ".join(f'a{i}="x"' for i in range(100_001))
    data = small_jw301(seed=1).replace(b"<jw301:Client>", f"<jw301:Client {extra}>".encode(), 1)
    assert "more than 100,000 attributes" in _refusal(data, Bounds())


def test_depth_is_bounded_by_the_setting_and_by_libxml2() -> None:
    """Nesting past max_depth, or past libxml2's own 256, is refused with the limit in the text."""
    deep = b"<a>" * 40 + b"</a>" * 40
    assert "deeper than 32 levels" in _refusal(deep, Bounds(max_depth=32))
    very = b"<a>" * 300 + b"</a>" * 300
    assert "deeper than 256 levels" in _refusal(very, Bounds())


def test_xml_1_1_is_refused_with_a_clear_error() -> None:
    """version="1.1" (which lxml would parse) is refused as not XML 1.0."""
    body = small_jw301(seed=1).split(b"?>", 1)[1]
    for prolog in (b'<?xml version="1.1" encoding="UTF-8"?>', b"<?xml version='1.1'?>"):
        with pytest.raises(DocumentRefusedError, match=r"XML version '1.1'; messages must be XML 1.0"):
            parse(prolog + body)


def test_the_size_limit_is_op179s_25_mb_and_a_25_mib_message_is_refused_on_its_size() -> None:
    """25 MiB is more than OP179's 25,000,000 bytes: refused on its size with the limit, not by libxml2."""
    assert MAX_MESSAGE_BYTES == 25_000_000 == load_settings().max_message_bytes
    data = b"<a><!--" + b"x" * (25 * 1024 * 1024 - 14) + b"--></a>"
    assert len(data) == 25 * 1024 * 1024
    message = validate(data).errors[0].message
    assert message == f"document is {len(data)} bytes, more than the maximum of 25000000 bytes (OP179)"


def test_libxml2s_text_limit_is_named_plainly() -> None:
    """A comment over libxml2's 10,000,000-byte value limit is refused with that limit, not "Comment too big"."""
    data = b"<a><!--" + b"x" * 10_000_001 + b"--></a>"
    message = validate(data).errors[0].message
    assert message.startswith("a text, comment or attribute value is longer than 10,000,000 bytes")


def test_the_largest_legal_declaratie_meets_no_bound() -> None:
    """20,000 Prestaties (13.5 MB): within every default bound by the byte estimate alone, and valid."""
    data = large_jw323(20_000, seed=1)
    check_bounds(data, Bounds())
    assert validate(data).valid


def test_settings_feed_the_bounds() -> None:
    """Each KETENPOORT_MAX_* setting reaches the Bounds the stages use; depth cannot pass libxml2's 256."""
    settings = load_settings(max_elements=10, max_attributes=2, max_depth=8, max_findings=5, max_findings_per_kind=3)
    bounds = Bounds.from_settings(settings)
    assert (bounds.max_elements, bounds.max_attributes, bounds.max_depth) == (10, 2, 8)
    assert (bounds.max_findings, bounds.max_findings_per_kind) == (5, 3)
    assert bounds.stuf_jz_envelope_only is False  # the default refuses what it cannot check
    assert Bounds.from_settings(load_settings(stuf_jz_envelope_only=True)).stuf_jz_envelope_only is True
    with pytest.raises(ValueError, match="less than or equal to 256"):
        load_settings(max_depth=257)


def test_freed_memory_is_handed_back_when_idle_after_work_and_at_most_once_per_interval() -> None:
    """On glibc (the Debian image) the idle trim reaches malloc_trim, only after work, and paced per process."""
    from gateway.memory import IdleTrim, release_freed_memory

    assert release_freed_memory() is True
    pacer = IdleTrim(interval_s=3600.0)
    assert pacer.idle() is False  # no work since the last trim: nothing to hand back
    pacer.worked()
    assert pacer.idle() is True  # idle after work: trimmed
    pacer.worked()
    assert pacer.idle() is False  # within the interval: other threads' allocations are not held up again


def test_the_first_trim_does_not_wait_for_the_interval_on_a_young_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """time.monotonic() counts from boot: a machine up for ten minutes still trims after its first work."""
    from gateway import memory

    monkeypatch.setattr(memory.time, "monotonic", lambda: 600.0)
    pacer = memory.IdleTrim(interval_s=3600.0)
    pacer.worked()
    assert pacer.idle() is True
