"""Inline SVG bar charts for the dashboard: no JavaScript, no external assets."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def bar_chart(points: Sequence[tuple[str, float]], *, title: str, width: int = 640, height: int = 200) -> str:
    """An accessible SVG bar chart of ``(label, value)`` pairs, safe to embed with ``|safe``."""
    pad, label_h = 8, 18
    top = max((v for _, v in points), default=0.0) or 1.0
    n = max(len(points), 1)
    slot = (width - 2 * pad) / n
    bars = []
    for i, (label, value) in enumerate(points):
        h = (height - label_h - 2 * pad) * (value / top)
        x = pad + i * slot
        y = height - label_h - pad - h
        bars.append(
            f"<g><title>{escape(label)}: {value:g}</title>"
            f'<rect class="bar" x="{x + 1:.1f}" y="{y:.1f}" width="{max(slot - 2, 1):.1f}" height="{h:.1f}"/>'
            f'<text x="{x + slot / 2:.1f}" y="{height - pad:.1f}" text-anchor="middle" font-size="10">'
            f"{escape(label)}</text></g>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title>{escape(title)}</title>'
        + "".join(bars)
        + "</svg>"
    )


__all__ = ["bar_chart"]
