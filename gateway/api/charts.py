"""Inline SVG waterfall charts for the reconciliation pages: no JavaScript, no external assets.

The overview's throughput chart is :mod:`gateway.api.timechart`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Step:
    """One bar of a waterfall: a total drawn from zero, or a change drawn from the running level."""

    label: str
    value: float
    total: bool = False


def waterfall_chart(steps: Sequence[Step], *, title: str, width: int = 760, height: int = 240) -> str:
    """An accessible SVG waterfall: totals stand on zero, changes float from where the last bar ended."""
    pad, label_h = 8, 30
    spans: list[tuple[float, float]] = []
    level = 0.0
    for step in steps:
        start, end = (0.0, step.value) if step.total else (level, level + step.value)
        spans.append((start, end))
        level = end
    top = max([0.0, *(max(s) for s in spans)])
    bottom = min([0.0, *(min(s) for s in spans)])
    span = (top - bottom) or 1.0
    plot_h = height - label_h - 2 * pad
    slot = (width - 2 * pad) / max(len(steps), 1)

    def y(value: float) -> float:
        return pad + plot_h * (top - value) / span

    bars = []
    for i, (step, (start, end)) in enumerate(zip(steps, spans, strict=True)):
        x = pad + i * slot
        cls = "bar total" if step.total else ("bar" if step.value >= 0 else "bar neg")
        upper, lower = y(max(start, end)), y(min(start, end))
        label = escape(step.label)
        bars.append(
            f"<g><title>{label}: {step.value:g}</title>"
            f'<rect class="{cls}" x="{x + 3:.1f}" y="{upper:.1f}" width="{max(slot - 6, 1):.1f}" '
            f'height="{max(lower - upper, 0.5):.1f}"/>'
            f'<text x="{x + slot / 2:.1f}" y="{height - label_h + 12:.1f}" text-anchor="middle" font-size="11">'
            f"{label}</text>"
            f'<text x="{x + slot / 2:.1f}" y="{height - label_h + 25:.1f}" text-anchor="middle" font-size="11" '
            f'class="value">{step.value:+g}</text></g>'
            if not step.total
            else f"<g><title>{label}: {step.value:g}</title>"
            f'<rect class="{cls}" x="{x + 3:.1f}" y="{upper:.1f}" width="{max(slot - 6, 1):.1f}" '
            f'height="{max(lower - upper, 0.5):.1f}"/>'
            f'<text x="{x + slot / 2:.1f}" y="{height - label_h + 12:.1f}" text-anchor="middle" font-size="11">'
            f"{label}</text>"
            f'<text x="{x + slot / 2:.1f}" y="{height - label_h + 25:.1f}" text-anchor="middle" font-size="11" '
            f'class="value">{step.value:g}</text></g>'
        )
    axis = f'<line class="axis" x1="{pad}" x2="{width - pad}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart waterfall" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title>{escape(title)}</title>'
        + "".join(bars)
        + axis
        + "</svg>"
    )


__all__ = ["Step", "waterfall_chart"]
