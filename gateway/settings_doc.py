"""The README's settings reference, generated from :class:`gateway.config.Settings`.

Every field becomes a row: its environment variable, its default and its meaning (the field's
docstring). The table sits in the README between :data:`BEGIN` and :data:`END`; rewrite it with
``python -m gateway.settings_doc README.md`` and check it with ``--check`` (a test does that, so
the README and the model cannot drift apart).
"""

from __future__ import annotations

import argparse
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from gateway.config import Settings
from gateway.errors import ConfigError

BEGIN = "<!-- settings-reference:begin (generated: python -m gateway.settings_doc README.md) -->"
END = "<!-- settings-reference:end -->"


class UndocumentedSettingError(ConfigError, ValueError):
    """A setting without a docstring: the reference would have no meaning for it."""


def _default(value: Any) -> str:
    if value is None or value == ():
        return "(unset)"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, Path):
        return f"`{value.as_posix() or '.'}`"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def _choices(annotation: Any) -> str:
    if typing.get_origin(annotation) is typing.Literal:
        return " One of: " + ", ".join(f"`{c}`" for c in typing.get_args(annotation)) + "."
    return ""


def rows() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every setting, in the model's order."""
    out = []
    for name, field in Settings.model_fields.items():
        if not field.description:
            raise UndocumentedSettingError(f"Settings.{name} has no docstring: say in one line what it means")
        meaning = " ".join(field.description.split()) + _choices(field.annotation)
        out.append((f"`KETENPOORT_{name.upper()}`", _default(field.default), meaning.replace("|", "\\|")))
    return out


def table() -> str:
    """The Markdown table between the markers (markers included)."""
    lines = [BEGIN, "| setting | default | meaning |", "|---|---|---|"]
    lines += [f"| {var} | {default} | {meaning} |" for var, default, meaning in rows()]
    lines.append(END)
    return "\n".join(lines)


def rewrite(text: str) -> str:
    """``text`` with the table between the markers replaced by the current one."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no settings reference markers ({BEGIN} ... {END})")
    return text[:start] + table() + text[end + len(END) :]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the README's table, or with ``--check`` exit 1 when it is not current."""
    parser = argparse.ArgumentParser(prog="python -m gateway.settings_doc", description=__doc__.split("\n\n")[0])
    parser.add_argument("readme", type=Path, nargs="?", default=Path("README.md"))
    parser.add_argument("--check", action="store_true", help="exit 1 when the README's table is not current")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    try:
        current = rewrite(text)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.check:
        if current != text:
            sys.stderr.write(f"{args.readme}: the settings reference is stale; run python -m gateway.settings_doc\n")
            return 1
        return 0
    args.readme.write_text(current, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["BEGIN", "END", "UndocumentedSettingError", "main", "rewrite", "rows", "table"]
