"""A zeep client built from the OFFICIAL GGk 0310 WSDL, pointed at a Ketenpoort server."""

from __future__ import annotations

import uuid
from typing import Any

import requests
import zeep
from zeep.transports import Transport

from tests.ggk.builders import functie, parties
from tests.support.ggk_schema import WSDL

BINDING = "{http://www.stufstandaarden.nl/sectormodel/ggk/0210}SOAPOntvangAsynchroon"


def ggk_service(address: str, token: str) -> Any:
    """The OntvangAsynchroon operations of the official WSDL, sent to ``address`` with a Bearer token."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    client = zeep.Client(str(WSDL), transport=Transport(session=session, timeout=30))
    return client.create_service(BINDING, address)


def send_di01(service: Any, payload: bytes, *, ref: str | None = None) -> Any:
    """Call ggk_Di01 with ``payload`` in every envelope field the specification asks for; zeep's parsed Bv03."""
    afzender, ontvanger = parties(payload)
    return service.ggk_Di01(
        stuurgegevens={
            "berichtcode": "Di01",
            "zender": {"organisatie": afzender, "applicatie": "Backoffice"},
            "ontvanger": {"organisatie": ontvanger, "applicatie": "GGk"},
            "referentienummer": ref or str(uuid.uuid4()),
            "tijdstipBericht": "20261207120000",
            "functie": functie(payload),
        },
        parameters={
            "applicatieVersie": "0001",
            "applicatieSubversie": "0000",
            "functieVersie": "0003",
            "functieSubversie": "0002",
            "bericht": {"_value_1": payload, "contentType": "application/xml"},
        },
    )


__all__ = ["ggk_service", "send_di01"]
