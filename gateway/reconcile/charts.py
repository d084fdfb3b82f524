"""Charts for the report, drawn by matplotlib as SVG text that the HTML embeds inline (no files, no network).

Figures are made with ``matplotlib.figure.Figure`` directly, not pyplot: no global figure state,
so the API may draw reports from several threads.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from itertools import count

import matplotlib as mpl
from matplotlib.figure import Figure

mpl.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "ketenpoort", "font.size": 9})
_SEQUENCE = count(1)
_ID = re.compile(r'id="([^"]+)"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
POSITIVE, NEGATIVE, TOTAL = "#2b8a3e", "#c92a2a", "#1c4e80"


def _svg(fig: Figure, label: str) -> str:
    """The figure as an inline <svg> whose ids cannot clash with another chart's."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = _METADATA.sub("", text[text.index("<svg") :])
    prefix = f"k{next(_SEQUENCE)}-"
    for ident in set(_ID.findall(text)):
        text = text.replace(f'id="{ident}"', f'id="{prefix}{ident}"')
        text = text.replace(f"#{ident})", f"#{prefix}{ident})").replace(f'"#{ident}"', f'"#{prefix}{ident}"')
    return text.replace("<svg ", f'<svg role="img" aria-label="{label}" class="grafiek" ', 1)


def waterfall(steps: Sequence[tuple[str, int]], *, start: str, end: str, title: str) -> str:
    """A waterfall from the first value through the signed steps to the result."""
    labels = [start, *(s[0] for s in steps[1:]), end]
    values = [steps[0][1], *(s[1] for s in steps[1:])]
    fig = Figure(figsize=(8, 3.4))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.08, right=0.99, top=0.9, bottom=0.3)
    level = 0
    for i, value in enumerate(values):
        if i == 0:
            ax.bar(i, value, color=TOTAL)
            level = value
            continue
        bottom = level if value >= 0 else level + value
        ax.bar(i, abs(value), bottom=bottom, color=POSITIVE if value >= 0 else NEGATIVE)
        ax.text(i, bottom + abs(value), f"{value:+,}".replace(",", "."), ha="center", va="bottom")
        level += value
    ax.bar(len(values), level, color=TOTAL)
    ax.text(0, values[0], f"{values[0]:,}".replace(",", "."), ha="center", va="bottom")
    ax.text(len(values), level, f"{level:,}".replace(",", "."), ha="center", va="bottom")
    ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right")
    ax.set_ylabel("aantal")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, title)


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, title: str) -> str:
    """Bars per category, one per series (datahuis vs expected vs published)."""
    fig = Figure(figsize=(8, 3.4))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.08, right=0.78, top=0.9, bottom=0.3)
    width = 0.8 / max(len(series), 1)
    colors = ("#868e96", TOTAL, "#f08c00")
    for n, (name, values) in enumerate(series):
        ax.bar([i + n * width for i in range(len(categories))], values, width, label=name, color=colors[n % 3])
    ax.set_xticks(
        [i + width * (len(series) - 1) / 2 for i in range(len(categories))], categories, rotation=20, ha="right"
    )
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, title)


__all__ = ["grouped_bars", "waterfall"]
