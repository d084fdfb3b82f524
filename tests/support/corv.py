"""CORV test helpers: the official WSDLs and schemas, zeep made to load them, and a two-sided TLS server.

zeep 4.3 cannot load the official StUF-Jeugdzorg WSDLs as published: GML 3.1.1 (imported through
the BG entities) declares ``gml:CountExtentType`` as a ``restriction`` of the list type
``gml:integerOrNullList``. zeep's ``UnresolvedCustomType.resolve`` builds such a restriction as a
subclass of its base's class and calls it with the type's *QName* as only argument; for a
``ListType`` base that argument is taken as the list's item type, so the later
``ListType.resolve()`` calls ``QName.resolve()``: ``AttributeError: 'lxml.etree.QName' object has no
attribute 'resolve'``. :func:`patch_zeep` gives a list restriction its base's item type instead.
"""

from __future__ import annotations

import functools
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from lxml import etree

from gateway.api.server import KEEP_ALIVE_S, tls_options
from gateway.config import Settings
from gateway.corv.addressing import oin_in, with_oin
from gateway.corv.envelope import build_request
from gateway.corv.services import soap_action
from gateway.schemas import SchemaRegistry
from tests.support.pki import Identity, Pki
from tests.support.reference import reference_path

OFFICIAL_WSDLS = {
    "jzberichten": ("jzberichten/jz01010_ontvangAsynchroon_jzberichten.wsdl",
                    "jzberichten/jz0100_ontvangAsynchroon_jzberichten_intermediair.wsdl"),
    "vtberichten": ("vtberichten/jz01010_ontvangAsynchroon_vt-meldingen.wsdl",
                    "vtberichten/jz0100_ontvangAsynchroon_vt-meldingen_intermediair.wsdl"),
    "vvberichten": ("vvberichten/jz01010_ontvangAsynchroon_vvberichten.wsdl",
                    "vvberichten/jz0100_ontvangAsynchroon_vvberichten_intermediair.wsdl"),
    "gmberichten": ("gmberichten/jz01010_ontvangAsynchroon_gmberichten.wsdl",
                    "gmberichten/jz0100_ontvangAsynchroon_gmberichten_intermediair.wsdl"),
}  # fmt: skip
"""Per group: the official end-party WSDL and the intermediary one (relative to normatief/jz0100)."""

_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
_WSA = "http://www.w3.org/2005/08/addressing"
_STUF = "http://www.egem.nl/StUF/StUF0301"
GEMEENTE = "00000001823288444000"
"""A receiver Ketenpoort serves (configured in the partners file)."""
GI = "00000001815095120000"
"""GI Leger des Heils: an instantie of the referentielijst, sending for itself (end party)."""
CORV = "00000004000000059000"
"""The CORV intermediary: it may send for any zender."""
STRANGER = "00000001999999999000"
"""An OIN no partner has."""
KETENPOORT_OIN = CORV
"""The OIN outbound corv routes in the tests send with (wsa:From)."""


def official_wsdl(group: str, *, intermediary: bool = False) -> Path:
    """The official WSDL of ``group`` (end party, or intermediary)."""
    return reference_path("stuf-jeugdzorg-1.0.9", "normatief", "jz0100", OFFICIAL_WSDLS[group][int(intermediary)])


@functools.cache
def patch_zeep() -> None:
    """Let zeep resolve a simpleType that restricts a list type (see the module docstring)."""
    from zeep.xsd.types import collection, unresolved

    original = unresolved.UnresolvedCustomType.resolve

    def resolve(self: Any) -> Any:
        base = self.base_type.resolve()
        if isinstance(base, collection.ListType):
            subclass = type(self.name, (collection.ListType,), {"__module__": "zeep.xsd.dynamic_types"})
            return subclass(base.item_type)
        return original(self)

    unresolved.UnresolvedCustomType.resolve = resolve


@functools.cache
def _official_registry() -> SchemaRegistry:
    return SchemaRegistry([reference_path("stuf-jeugdzorg-1.0.9", "xsd")], bundled=None)


def official_errors(payload: etree._Element) -> list[str]:
    """The official 1.0.9 schemas' errors for a StUF-Jeugdzorg message (empty: valid)."""
    registry = _official_registry()
    qname = etree.QName(payload)
    entry = registry.lookup(qname.namespace or "", qname.localname)
    if entry is None:
        return [f"no official schema declares {qname.localname}"]
    schema = registry.schema_for(entry)
    if schema.validate(payload):
        return []
    return [str(error) for error in schema.error_log]


def wus_errors(payload: etree._Element) -> list[str]:
    """Official schema errors of the Di01, plus any WUS 2W-be WS-Addressing header that is missing or wrong."""
    errors = official_errors(payload)
    header = payload.getroottree().getroot().find(f"{{{_SOAP}}}Header")
    if header is None:
        return [*errors, "no SOAP Header"]
    action = header.findtext(f"{{{_WSA}}}Action")
    if action != soap_action(etree.QName(payload).localname):
        errors.append(f"wsa:Action {action!r}")
    if not (header.findtext(f"{{{_WSA}}}MessageID") or "").startswith("urn:uuid:"):
        errors.append("no wsa:MessageID")
    ontvanger = payload.findtext(f".//{{{_STUF}}}ontvanger/{{{_STUF}}}organisatie")
    if oin_in(header.findtext(f"{{{_WSA}}}To") or "") != ontvanger:
        errors.append("wsa:To does not carry the ontvanger's OIN")
    if oin_in(header.findtext(f"{{{_WSA}}}From/{{{_WSA}}}Address") or "") != KETENPOORT_OIN:
        errors.append("wsa:From does not carry Ketenpoort's OIN")
    return errors


def write_partners(path: Path, *, signed: bool = False) -> Path:
    """A partners file: Ketenpoort serves GEMEENTE; GI sends for itself, CORV for anyone."""
    flag = "true" if signed else "false"
    path.write_text(
        f'receivers = ["{GEMEENTE}"]\n'
        f'[[partner]]\noin = "{GI}"\nsigned = {flag}\n'
        f'[[partner]]\noin = "{CORV}"\nmay_send_as = ["*"]\nsigned = {flag}\n',
        encoding="utf-8",
    )
    return path


def stuf_request(base_url: str, group: str, di01: bytes, *, to_oin: str = GEMEENTE, from_oin: str = GI,
                 message_id: str | None = None) -> tuple[bytes, str]:  # fmt: skip
    """A hand-built WUS request for ``di01`` to ``/soap/stuf-jz/{group}``, and its SOAPAction."""
    root = etree.QName(etree.fromstring(di01)).localname
    action = soap_action(root)
    address = f"{base_url}/soap/stuf-jz/{group}"
    source = with_oin("https://partner.example/soap", from_oin)
    body = build_request(di01, action=action, to=with_oin(address, to_oin), from_=source, message_id=message_id)
    return body, action


@contextmanager
def serving_tls(app: Any, settings: Settings) -> Iterator[str]:
    """Serve ``app`` with the settings' TLS options on a free loopback port; yields its https base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off",
                            timeout_keep_alive=KEEP_ALIVE_S, **tls_options(settings))  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"https://localhost:{port}"
    finally:
        server.should_exit = True
        thread.join()


def tls_client(pki: Pki, identity: Identity | None) -> httpx.Client:
    """An httpx client that trusts ``pki`` and shows ``identity`` (None: no client certificate)."""
    context = ssl.create_default_context(cafile=str(pki.ca_file))
    if identity is not None:
        context.load_cert_chain(str(identity.cert_file), str(identity.key_file))
    return httpx.Client(verify=context, timeout=30.0)


def post_soap(client: httpx.Client, url: str, body: bytes, action: str) -> httpx.Response:
    """POST one SOAP 1.1 request."""
    return client.post(
        url, content=body, headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
    )


__all__ = [
    "CORV",
    "GEMEENTE",
    "GI",
    "KETENPOORT_OIN",
    "OFFICIAL_WSDLS",
    "STRANGER",
    "official_errors",
    "official_wsdl",
    "patch_zeep",
    "post_soap",
    "serving_tls",
    "stuf_request",
    "tls_client",
    "write_partners",
    "wus_errors",
]
