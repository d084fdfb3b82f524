"""The WSDL Ketenpoort serves at ``GET /soap/ggk0310?wsdl``: written here, with its own soap:address.

It describes the same service as the official ``ggk0310_OntvangAsynchroon.wsdl`` (port type
``OntvangAsynchroon``, operations ggk_Di01, ggk_Du01 and Fo01 answered by Bv03 or the fault Fo03,
SOAP 1.1 document/literal, the same soapActions and element names) but declares the body
elements loosely (their content is checked by Ketenpoort, against the specification); a client
that wants the full types builds from the official WSDL and points it at this address.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from gateway.ggk.envelope import ACTION_DI01, ACTION_DU01, ACTION_FO01, GGK_NS, STUF_NS

_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:StUF="{stuf}" xmlns:GGK="{ggk}"
    name="Ketenpoort-GGk0310" targetNamespace="{ggk}">
  <documentation>Ketenpoort: GGk 0310 OntvangAsynchroon (ggk_Di01, ggk_Du01, Fo01; Bv03 or fault Fo03).</documentation>
  <types>
    <xs:schema targetNamespace="{stuf}" elementFormDefault="qualified">
      <xs:complexType name="Open"><xs:sequence>
        <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence></xs:complexType>
      <xs:element name="Bv03Bericht" type="StUF:Open"/>
      <xs:element name="Fo01Bericht" type="StUF:Open"/>
      <xs:element name="Fo03Bericht" type="StUF:Open"/>
    </xs:schema>
    <xs:schema targetNamespace="{ggk}" elementFormDefault="qualified">
      <xs:import namespace="{stuf}"/>
      <xs:element name="envelopHeenbericht-ggk_Di01" type="StUF:Open"/>
      <xs:element name="envelopRetourbericht-ggk_Du01" type="StUF:Open"/>
    </xs:schema>
  </types>
  <message name="ggk_Di01"><part name="body" element="GGK:envelopHeenbericht-ggk_Di01"/></message>
  <message name="ggk_Du01"><part name="body" element="GGK:envelopRetourbericht-ggk_Du01"/></message>
  <message name="Fo01"><part name="body" element="StUF:Fo01Bericht"/></message>
  <message name="Bv03"><part name="body" element="StUF:Bv03Bericht"/></message>
  <message name="Fo03"><part name="body" element="StUF:Fo03Bericht"/></message>
  <portType name="OntvangAsynchroon">
{operations}
  </portType>
  <binding name="SOAPOntvangAsynchroon" type="GGK:OntvangAsynchroon">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
{bindings}
  </binding>
  <service name="StUFOntvangAsynchroonGGK0310Service">
    <port name="OntvangAsynchroon" binding="GGK:SOAPOntvangAsynchroon">
      <soap:address location={address}/>
    </port>
  </service>
</definitions>
"""

_OPERATIONS = (("ggk_Di01", ACTION_DI01), ("ggk_Du01", ACTION_DU01), ("Fo01", ACTION_FO01))


def wsdl(address: str) -> bytes:
    """The service description with ``address`` as its endpoint."""
    operations = "\n".join(
        f'    <operation name="{name}"><input message="GGK:{name}"/><output message="GGK:Bv03"/>'
        f'<fault name="fout" message="GGK:Fo03"/></operation>'
        for name, _ in _OPERATIONS
    )
    bindings = "\n".join(
        f'    <operation name="{name}"><soap:operation soapAction="{action}"/>'
        '<input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>'
        '<fault name="fout"><soap:fault name="fout" use="literal"/></fault></operation>'
        for name, action in _OPERATIONS
    )
    text = _TEMPLATE.format(
        stuf=STUF_NS, ggk=GGK_NS, operations=operations, bindings=bindings, address=quoteattr(address)
    )
    return text.encode("utf-8")


__all__ = ["wsdl"]
