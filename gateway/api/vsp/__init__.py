"""VECOZO's VSP-Koppeling served by Ketenpoort (Push, Pull, Berichtstatus): aanbieder software works unchanged."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api.vsp import pull, push, status

router = APIRouter()
router.include_router(push.router)
router.include_router(pull.router)
router.include_router(status.router)

__all__ = ["router"]
