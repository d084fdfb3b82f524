"""CORV: StUF-Jeugdzorg 1.0.9 over Digikoppeling WUS (SOAP 1.1, WS-Addressing, two-sided TLS, WS-Security).

``services`` holds the groups and operations, ``envelope`` SOAP 1.1 in and out, ``addressing`` the WUS
WS-Addressing rules, ``parties`` partners, instanties and certificate OINs, ``wssec`` 2W-be-S signatures,
``wsdl`` the WSDL served, ``inbound`` the adapter from one SOAP request to the intake.
"""

from gateway.corv.inbound import CorvService, SoapAnswer, handle
from gateway.corv.parties import Partners, certificate_oin, load_partners

__all__ = ["CorvService", "Partners", "SoapAnswer", "certificate_oin", "handle", "load_partners"]
