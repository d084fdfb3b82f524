"""HTTP API and dashboard (FastAPI)."""

from __future__ import annotations

from gateway.api.app import create_app
from gateway.api.server import serve

__all__ = ["create_app", "serve"]
