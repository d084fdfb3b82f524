"""Ketenpoort: a data-exchange gateway for Dutch youth care (iJw and CORV / StUF-Jeugdzorg)."""

from __future__ import annotations

from gateway.errors import GatewayError
from gateway.model import Finding, MessageKind, ValidationResult
from gateway.validation import inspect, validate

__version__ = "0.1.0"

__all__ = ["Finding", "GatewayError", "MessageKind", "ValidationResult", "__version__", "inspect", "validate"]
