"""A vectorised reader for the ``--trajecten`` CSV: the file's bytes to numpy columns with no per-row Python.

It handles the plain CSV Ketenpoort writes and most tools export (UTF-8, optional BOM, ``\\n`` or
``\\r\\n``, no quoted fields). Field boundaries come from the positions of commas and newlines;
dates are decoded digit by digit; categorical fields are gathered into fixed-width byte rows and
factorised with ``np.unique``. A file with quotes, or one whose rows do not all have the header's
number of fields, is not handled here (:func:`parse` returns None) and goes to the csv module.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Bytes = npt.NDArray[np.uint8]
Index = npt.NDArray[np.int64]
COMMA, NEWLINE, CR, QUOTE, ZERO = 44, 10, 13, 34, 48
PADDING = bytes(4096)
"""Zero bytes after the data, so gathering the k-th byte of the widest field never indexes past the buffer."""


class Columns:
    """Field start/end offsets per column over one buffer."""

    def __init__(self, buf: Bytes, header: list[str], starts: Index, ends: Index) -> None:
        self.buf = buf
        self.header = header
        self.starts = starts  # shape (rows, columns)
        self.ends = ends

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    def _bounds(self, name: str) -> tuple[Index, Index]:
        i = self.header.index(name)
        return self.starts[:, i], self.ends[:, i]

    def fixed(self, name: str) -> npt.NDArray[np.void]:
        """The column as fixed-width byte rows (zero-padded), one void scalar per row."""
        start, end = self._bounds(name)
        length = end - start
        width = max(int(length.max()) if len(length) else 0, 1)
        out = np.empty((len(start), width), dtype=np.uint8)
        limit = len(self.buf) - 1
        for k in range(width):  # the buffer is padded, so start + k runs past its end only for absurd fields
            where = start + k if k < len(PADDING) else np.minimum(start + k, limit)
            np.multiply(self.buf[where], length > k, out=out[:, k])
        return out.view(f"V{width}").ravel()

    def days(self, name: str) -> npt.NDArray[np.datetime64] | None:
        """ISO dates (YYYY-MM-DD) as datetime64[D], NaT where empty; None when a field is not an ISO date."""
        start, end = self._bounds(name)
        length = end - start
        present = length == 10
        if not np.all(present | (length == 0)):
            return None
        s = start[present]
        b = self.buf
        if len(s) and not (np.all(b[s + 4] == 45) and np.all(b[s + 7] == 45)):
            return None
        digits = [b[s + k].astype(np.int32) - ZERO for k in (0, 1, 2, 3, 5, 6, 8, 9)]
        if any(np.any((d < 0) | (d > 9)) for d in digits):
            return None
        year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        month = digits[4] * 10 + digits[5]
        day = digits[6] * 10 + digits[7]
        if np.any((month < 1) | (month > 12) | (day < 1)):
            return None
        first = ((year - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]")
        value = first + (day - 1).astype("timedelta64[D]")
        if np.any(value.astype("datetime64[M]") != first.astype("datetime64[M]")):  # 2018-02-30 and the like
            return None
        out = np.full(len(start), np.datetime64("NaT"), dtype="datetime64[D]")
        out[present] = value
        return out


def parse(data: bytes) -> Columns | None:
    """Field offsets of a plain CSV, or None when the file needs the csv module (quotes, ragged rows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.endswith(b"\n"):
        data += b"\n"
    buf = np.frombuffer(data + PADDING, dtype=np.uint8)  # the padding holds no comma, newline or quote
    if np.any(buf == QUOTE):
        return None
    first_newline = data.index(b"\n")
    header = [h.strip() for h in data[:first_newline].decode("utf-8").rstrip("\r").split(",")]
    columns = len(header)
    body = buf[first_newline + 1 :]
    offset = first_newline + 1
    separators = np.flatnonzero((body == COMMA) | (body == NEWLINE)) + offset
    is_newline = buf[separators] == NEWLINE
    # drop empty lines (a newline right after a newline), e.g. a trailing blank line
    previous = np.concatenate(([offset - 1], separators[:-1]))
    blank = is_newline & (separators - previous == 1) & (np.concatenate(([True], is_newline[:-1])))
    separators, is_newline = separators[~blank], is_newline[~blank]
    if len(separators) % columns:
        return None
    grid_newline = is_newline.reshape(-1, columns)
    if not (np.all(grid_newline[:, -1]) and not np.any(grid_newline[:, :-1])):
        return None
    ends = separators.reshape(-1, columns).astype(np.int32 if len(data) < 2**31 - len(PADDING) else np.int64)
    starts = np.empty_like(ends)
    starts[:, 1:] = ends[:, :-1] + 1
    starts[1:, 0] = ends[:-1, -1] + 1
    if len(starts):
        starts[0, 0] = offset
    # a CR before the newline belongs to the line ending, not to the last field
    last = ends[:, -1]
    has_cr = (last > starts[:, -1]) & (buf[np.maximum(last - 1, 0)] == CR)
    ends[:, -1] = last - has_cr
    return Columns(buf, header, starts, ends)


def factorize(values: npt.NDArray[np.void]) -> tuple[npt.NDArray[np.int32], list[bytes]]:
    """Codes into the distinct values, and those values as bytes (zero padding removed)."""
    codes, grid = factorize_codes(values)
    return codes, [bytes(row).rstrip(b"\0") for row in grid]


def factorize_codes(values: npt.NDArray[np.void]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    """Codes into the distinct values, which stay a zero-padded byte grid (no Python object per value).

    The fixed-width rows are read as 64-bit words; one word is factorised directly, several are
    hashed into one and the grouping is then checked word by word against each group's first row
    (a hash collision, never seen in practice, falls back to sorting the raw bytes).
    """
    n = len(values)
    width = values.dtype.itemsize
    words_per_row = -(-width // 8)
    padded = np.zeros((n, words_per_row * 8), dtype=np.uint8)
    padded[:, :width] = values.view(np.uint8).reshape(n, width)
    words = padded.view(np.uint64)
    key = words[:, 0].copy()
    for column in range(1, words_per_row):
        key = key * np.uint64(0x9E3779B97F4A7C15) ^ words[:, column]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if words_per_row > 1 and not np.array_equal(words, words[first[inverse]]):
        unique, inverse = np.unique(values, return_inverse=True)
        return inverse.astype(np.int32).ravel(), unique.view(np.uint8).reshape(len(unique), width)
    return inverse.astype(np.int32), padded[first]


__all__ = ["Columns", "factorize", "factorize_codes", "parse"]
