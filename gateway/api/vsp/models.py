"""The VSP-Koppeling's request bodies as pydantic models, written from the Push 1.0.2 and Pull 1.0.0 documents.

Strict like the documents: no unknown fields (``additionalProperties: false``), no nulls, no
coercion (``"3"`` is not an integer), the documents' lengths and ranges. The tests hold these
against the official OpenAPI files with schemathesis.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

Uuid = Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
Text60 = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Text100 = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Text150 = Annotated[str, StringConstraints(min_length=1, max_length=150)]
Text250 = Annotated[str, StringConstraints(min_length=1, max_length=250)]
Versie = Annotated[int, Field(ge=0, le=999)]


class _Strict(BaseModel):
    """No unknown fields, no coercion, and an optional field is absent rather than null."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = [k for k, v in data.items() if v is None]
            if nulls:
                raise ValueError(f"null is not allowed for {', '.join(sorted(map(str, nulls)))}")
        return data


class Relatie(_Strict):
    """A party: its role and (for Ketenpoort required on the afzender) its code, e.g. an AGB code."""

    rol: Text100
    code: Text100 | None = None


class Berichtstroom(_Strict):
    """Which message exchange: type, optional subtype, version, subversion, action."""

    berichttype: Text60
    berichtsubtype: Text60 | None = None
    berichtversie: Versie
    berichtsubversie: Versie
    actie: Text60


class Routeringgegevens(_Strict):
    """Who sends, to whom, in which exchange."""

    afzender: Relatie
    geadresseerden: Annotated[list[Relatie], Field(max_length=100)]
    berichtstroom: Berichtstroom


class Referentiegegevens(_Strict):
    """traceerId (this bericht), conversatieId, and optionally alsAntwoordOp and the sender's referentieId."""

    conversatieId: Uuid  # noqa: N815 - the document's field name
    traceerId: Uuid  # noqa: N815
    alsAntwoordOp: Uuid | None = None  # noqa: N815
    referentieId: Text150 | None = None  # noqa: N815


class SleutelWaardePaar(_Strict):
    """One processing-context entry."""

    sleutel: Text100
    waarde: Annotated[list[Text250], Field(min_length=1, max_length=100)]


class PushMetadata(_Strict):
    """The Push API's ``berichtMetadata`` part."""

    routeringgegevens: Routeringgegevens
    referentiegegevens: Referentiegegevens
    verwerkingscontext: Annotated[list[SleutelWaardePaar], Field(min_length=1, max_length=100)] | None = None


def problem_errors(exc: ValidationError, prefix: str) -> dict[str, list[str]]:
    """A pydantic error as ValidationProblemDetails ``errors``: dotted field path → messages."""
    errors: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "")
        errors.setdefault(path, []).append(str(err["msg"]))
    return errors


__all__ = [
    "UUID_PATTERN",
    "Berichtstroom",
    "PushMetadata",
    "Referentiegegevens",
    "Relatie",
    "Routeringgegevens",
    "SleutelWaardePaar",
    "problem_errors",
]
