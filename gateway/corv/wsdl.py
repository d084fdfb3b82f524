"""The WSDL (and its schemas) Ketenpoort serves for each CORV service, with soap:address pointing at itself.

Written here from the service table (:mod:`gateway.corv.services`), never copied from the official files;
``tests/corv/test_wsdl.py`` proves it agrees with the official end-party WSDL of each group on every
operation it offers: input and output elements, fault, and soapAction. The types are Ketenpoort's own
envelope schemas (``schemas/stuf-jz/1.0.9``), served from the same URL with ``?xsd=jz0100`` and
``?xsd=stuf0301``. Each operation also names its WS-Addressing Action (``wsam:Action``, WUS WS008).
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from gateway import paths
from gateway.corv.services import BV03_ACTION, GROUPS, JZ_NS, STUF_NS, soap_action

WSAM_NS = "http://www.w3.org/2007/05/addressing/metadata"
SCHEMA_FILES = {"jz0100": "jz0100-envelope.xsd", "stuf0301": "stuf0301-envelope.xsd"}
"""The ``?xsd=`` names and the bundled schema file each one serves."""


def build_wsdl(group: str, address: str) -> bytes:
    """The WSDL of the ``group`` service at ``address`` (an absolute URL); KeyError for an unknown group."""
    roots = GROUPS[group]
    messages = "".join(f'<message name="{r}"><part name="body" element="JZ:{r}"/></message>' for r in roots)
    port_ops = "".join(
        f'<operation name="{r}"><input message="JZ:{r}" wsam:Action={quoteattr(soap_action(r))}/>'
        f'<output message="JZ:Bv03" wsam:Action="{BV03_ACTION}"/><fault name="fout" message="JZ:Fo03"/></operation>'
        for r in roots
    )
    binding_ops = "".join(
        f'<operation name="{r}"><soap:operation soapAction={quoteattr(soap_action(r))}/>'
        '<input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>'
        '<fault name="fout"><soap:fault name="fout" use="literal"/></fault></operation>'
        for r in roots
    )
    location = quoteattr(address)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
        f' xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:wsam="{WSAM_NS}" xmlns:JZ="{JZ_NS}"'
        f' xmlns:StUF="{STUF_NS}" name="JZ0100" targetNamespace="{JZ_NS}">'
        f"<documentation>Ketenpoort: StUF-Jeugdzorg 1.0.9 {group}, end party (answers Bv03 or Fo03).</documentation>"
        f'<types><xs:schema><xs:import namespace="{JZ_NS}" schemaLocation={quoteattr(address + "?xsd=jz0100")}/>'
        "</xs:schema></types>"
        f"{messages}"
        '<message name="Bv03"><part name="body" element="StUF:Bv03Bericht"/></message>'
        '<message name="Fo03"><part name="body" element="StUF:Fo03Bericht"/></message>'
        f'<portType name="OntvangAsynchroon">{port_ops}</portType>'
        '<binding name="SOAPOntvangAsynchroon" type="JZ:OntvangAsynchroon">'
        '<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>'
        f"{binding_ops}</binding>"
        '<service name="OntvangAsynchroon"><port name="OntvangAsynchroon" binding="JZ:SOAPOntvangAsynchroon">'
        f"<soap:address location={location}/></port></service>"
        "</definitions>\n"
    )
    return text.encode("utf-8")


def schema_text(name: str, address: str) -> bytes:
    """The bundled schema ``name`` (``jz0100`` or ``stuf0301``) with its import pointing back at ``address``."""
    source = paths.schemas_dir() / "stuf-jz" / "1.0.9" / SCHEMA_FILES[name]
    text = source.read_text(encoding="utf-8")
    return text.replace(
        'schemaLocation="stuf0301-envelope.xsd"', f"schemaLocation={quoteattr(address + '?xsd=stuf0301')}"
    ).encode("utf-8")


__all__ = ["SCHEMA_FILES", "WSAM_NS", "build_wsdl", "schema_text"]
