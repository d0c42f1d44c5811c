"""`GET /health`: the state of each dependency."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import RuntimeDep

router = APIRouter(tags=["operations"])


@router.get("/health")
async def health(request: Request, runtime: RuntimeDep) -> JSONResponse:
    checks: dict[str, Any] = {}
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "backend": runtime.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by type
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    if runtime.redis is not None:
        try:
            checks["redis"] = {"ok": bool(runtime.redis.ping())}
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = {"ok": False, "error": type(exc).__name__}
    up, configured = await request.app.state.rasa.servers_up()
    checks["rasa"] = {"ok": up == configured, "servers_up": up, "servers": configured}
    kb = runtime.knowledge
    checks["knowledge"] = {"ok": kb is not None, "services": len(kb.services) if kb is not None else 0}
    # Only the database is essential (cases are filed there). Without Rasa residents' messages become tickets
    # (api/outage.py); without Redis each worker limits and answers on its own (api/ratelimit.py, api/handoff.py):
    # degraded, but a readiness probe must not take every replica out of service for it.
    essential = checks["database"]["ok"]
    status = "ok" if essential and all(c["ok"] for c in checks.values()) else ("degraded" if essential else "down")
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if essential else 503)
