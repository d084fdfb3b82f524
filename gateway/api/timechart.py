"""The overview's throughput chart: inline SVG bars over time with a value axis, a time axis and the range.

No JavaScript and no external asset (the dashboard's Content-Security-Policy allows neither); every
bar keeps a tooltip with its time and count, and the text under the chart says the range, the
total and the peak, so the figures can be read without hovering.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

RANGES = {
    "uur": ("minute", 60, "minuut", "Laatste 60 minuten"),
    "dag": ("hour", 24, "uur", "Laatste 24 uur"),
    "maand": ("day", 30, "dag", "Laatste 30 dagen"),
}
"""Range name → (store bucket, number of buckets, unit of a bucket, caption)."""


@dataclass(frozen=True)
class Throughput:
    """Messages received per bucket over one range, oldest first."""

    points: Sequence[tuple[str, int]]
    unit: str
    caption: str
    start: str
    end: str

    @property
    def total(self) -> int:
        """Messages received in the range."""
        return sum(n for _, n in self.points)

    @property
    def peak(self) -> tuple[str, int] | None:
        """The busiest bucket, or None when nothing was received."""
        best = max(self.points, key=lambda p: p[1], default=None)
        return best if best is not None and best[1] > 0 else None


def nice_top(value: float) -> tuple[float, float]:
    """An axis top at or above ``value`` and its tick step: 1, 2 or 5 times a power of ten, four ticks at most."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)  # whole messages
    return step * math.ceil(value / step), step


def throughput_chart(data: Throughput, *, width: int = 760, height: int = 280) -> str:
    """The SVG: gridlines with counts on the left, times along the bottom, axis titles, one bar per bucket."""
    left, right, top, bottom = 52, 12, 16, 54
    plot_w, plot_h = width - left - right, height - top - bottom
    highest, step = nice_top(max((n for _, n in data.points), default=0))
    n = max(len(data.points), 1)
    slot = plot_w / n
    parts: list[str] = []
    ticks = round(highest / step)
    for i in range(ticks + 1):
        value = step * i
        y = top + plot_h - plot_h * value / highest
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick y" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{value:g}</text>'
        )
    every = -(-n // 12)
    for i, (label, value) in enumerate(data.points):
        h = plot_h * value / highest
        x = left + i * slot
        tip = f"{escape(label)}: {value} bericht{'en' if value != 1 else ''}"
        parts.append(
            f'<g><title>{tip}</title><rect class="bar" x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{max(slot - 2, 1):.1f}" height="{h:.1f}"/></g>'
        )
        if i % every == 0 or i == n - 1:
            parts.append(
                f'<text class="tick x" x="{x + slot / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'font-size="11">{escape(label)}</text>'
            )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>'
        f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}"/>'
        f'<text class="axis-title" x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="12">'
        f"tijd (UTC), {escape(data.start)} – {escape(data.end)}</text>"
        f'<text class="axis-title" transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'font-size="12">berichten per {escape(data.unit)}</text>'
    )
    title = f"Ontvangen berichten per {data.unit}, {data.caption.lower()}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart throughput" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


__all__ = ["RANGES", "Throughput", "nice_top", "throughput_chart"]
