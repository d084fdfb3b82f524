"""Refuse hostile request bodies before they cost memory: size, encoding, type and slow senders."""

from __future__ import annotations

import asyncio

from fastapi import HTTPException, Request

XML_TYPES = frozenset({"application/xml", "text/xml"})


def check_content_type(request: Request) -> None:
    """415 unless the body is declared XML and not compressed (a gzip bomb is never unpacked)."""
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype not in XML_TYPES and not ctype.endswith("+xml"):
        raise HTTPException(415, detail={"error": "unsupported_media_type", "message": "send application/xml"})
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise HTTPException(415, detail={"error": "unsupported_encoding", "message": "compressed bodies are refused"})


async def read_body(request: Request, max_bytes: int, chunk_timeout_s: float) -> bytes:
    """Read the body incrementally; 413 as soon as it passes ``max_bytes``, 408 when it stalls."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(400, detail={"error": "bad_request", "message": "invalid Content-Length"})
        if int(declared) > max_bytes:
            raise HTTPException(413, detail={"error": "too_large", "message": f"more than {max_bytes} bytes"})
    parts: list[bytes] = []
    size = 0
    stream = request.stream().__aiter__()
    while True:
        try:
            async with asyncio.timeout(chunk_timeout_s):  # no extra task per chunk, unlike wait_for
                chunk = await stream.__anext__()
        except StopAsyncIteration:
            break
        except TimeoutError:
            raise HTTPException(408, detail={"error": "timeout", "message": "request body too slow"}) from None
        size += len(chunk)
        if size > max_bytes:
            raise HTTPException(413, detail={"error": "too_large", "message": f"more than {max_bytes} bytes"})
        parts.append(chunk)
    return b"".join(parts)


__all__ = ["XML_TYPES", "check_content_type", "read_body"]
