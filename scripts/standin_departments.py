"""A local stand-in for the department systems (样例), so that deliveries, reports and property lookups work on
a fresh machine. `make run` starts it on STANDIN_PORT (8200); `python -m api seed-demo` registers it as every
department's system when none is configured (api/standin.py). Not for production: real departments run their own.

- `POST /webhooks/{department}`: receives a dispatched case, verifies the signature (401 if wrong or stale) and
  keeps the last deliveries in memory (`GET /webhooks/received`).
- `GET /{land|tax|housing}/property?certificate=...`: the sample records of a few certificates (signed too).
- `POST /land/property/owner-check` `{certificate, id_number}` (signed like a webhook): whether that person is a
  registered owner (权利人) and, if so, the mobile phone on record; the land registry is the authority on owners.
- `POST /reports/{number}` `{department, type, note?, result?}`: reports back to the gateway as that
  department, with its credential, the way a real department system would.
"""

from __future__ import annotations

import json
import os
from collections import deque
from typing import Annotated, Any

import httpx
import uvicorn
from fastapi import FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api import standin
from api.department_signing import verify
from api.settings import Settings, get_settings
from contract.property_lookup import PROPERTY_SOURCES, CertificateError, certificate_serial, normalize_certificate

SAMPLE = "（样例）"
# Sample records by certificate serial (written for this project, not real registrations). 0034567 has no tax
# record: a lookup shows a part that answered "not found" next to two that answered.
RECORDS: dict[str, dict[str, dict[str, str]]] = {
    "land": {
        "0012345": {"宗地号": "341502001001GB00012" + SAMPLE, "土地用途": "城镇住宅用地", "使用权类型": "出让",
                    "使用期限": "2086年12月31日止", "分摊土地面积": "23.60平方米"},
        "0023456": {"宗地号": "341503002004GB00107" + SAMPLE, "土地用途": "城镇住宅用地", "使用权类型": "出让",
                    "使用期限": "2089年6月30日止", "分摊土地面积": "31.25平方米"},
        "0034567": {"宗地号": "341502003002GB00233" + SAMPLE, "土地用途": "商服用地", "使用权类型": "出让",
                    "使用期限": "2056年9月30日止", "分摊土地面积": "12.80平方米"},
    },
    "tax": {
        "0012345": {"契税": "已缴清", "完税凭证号": "样例-341500-2026-000118", "缴税日期": "2026年3月18日"},
        "0023456": {"契税": "已缴清", "完税凭证号": "样例-341500-2025-004512", "缴税日期": "2025年11月2日"},
    },
    "housing": {
        "0012345": {"房屋坐落": "六安市金安区梅山南路样例小区1栋2单元301室", "建筑面积": "89.52平方米",
                    "房屋用途": "住宅", "抵押状态": "无", "查封状态": "无"},
        "0023456": {"房屋坐落": "六安市裕安区解放南路样例花园5栋1单元602室", "建筑面积": "118.40平方米",
                    "房屋用途": "住宅", "抵押状态": "已抵押", "查封状态": "无"},
        "0034567": {"房屋坐落": "六安市金安区皖西路样例商业街12号", "建筑面积": "46.10平方米",
                    "房屋用途": "商业", "抵押状态": "无", "查封状态": "无"},
    },
}  # fmt: skip
# The registered owners (权利人) of each sample property with the mobile phone on record: sample ID numbers (valid
# check digits, not real people) and sample phones. 0023456 has two owners (共有).
OWNERS: dict[str, dict[str, str]] = {
    "0012345": {"341502198003120020": "13855641201"},
    "0023456": {"341503197506080042": "13955642302", "341503197809210019": "15056423403"},
    "0034567": {"341502198601150035": "18755644504"},
}
DEPARTMENT_OF = {source.source: source.department for source in PROPERTY_SOURCES}
KEPT_DELIVERIES = 200


class OwnerQuestion(BaseModel):
    certificate: str
    id_number: str


class Report(BaseModel):
    department: str
    type: str
    note: str | None = None
    result: str | None = None


def create_app(settings: Settings, gateway_url: str) -> FastAPI:
    app = FastAPI(title="部门系统（本地样例）", description="Stand-in department systems for development (样例).")
    received: deque[dict[str, Any]] = deque(maxlen=KEPT_DELIVERIES)

    def check(department: str, timestamp: str | None, signature: str | None, payload: bytes) -> None:
        secret = standin.signing_secret(settings.standin_secret, department)
        if not verify(secret, timestamp, signature, payload):
            raise HTTPException(401, "bad or stale signature")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/webhooks/{department}")
    async def webhook(
        department: str,
        request: Request,
        x_luan_timestamp: Annotated[str | None, Header()] = None,
        x_luan_signature: Annotated[str | None, Header()] = None,
        x_luan_delivery: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        body = await request.body()
        check(department, x_luan_timestamp, x_luan_signature, body)
        payload = json.loads(body)
        received.append({"department": department, "delivery": x_luan_delivery, **payload})
        return {"received": x_luan_delivery}

    @app.get("/webhooks/received")
    def deliveries() -> list[dict[str, Any]]:
        return list(received)

    @app.get("/{source}/property")
    def lookup(
        source: str,
        certificate: Annotated[str, Query(max_length=64)],
        x_luan_timestamp: Annotated[str | None, Header()] = None,
        x_luan_signature: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        if source not in RECORDS:
            raise HTTPException(404, "no such department system")
        check(DEPARTMENT_OF[source], x_luan_timestamp, x_luan_signature, certificate.encode())
        try:
            serial = certificate_serial(normalize_certificate(certificate))
        except CertificateError:
            raise HTTPException(422, "not a certificate number") from None
        fields = RECORDS[source].get(serial)
        if fields is None:
            raise HTTPException(404, "no record")
        return {"certificate": certificate, "fields": fields}

    @app.post("/land/property/owner-check")
    async def owner_check(
        request: Request,
        x_luan_timestamp: Annotated[str | None, Header()] = None,
        x_luan_signature: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Whether the ID number is one of the property's owners: `{"owner": true, "phone": ...}` or
        `{"owner": false}`; 404 when there is no such property."""
        body = await request.body()
        check(DEPARTMENT_OF["land"], x_luan_timestamp, x_luan_signature, body)
        try:
            question = OwnerQuestion.model_validate_json(body)
            serial = certificate_serial(normalize_certificate(question.certificate))
        except (ValueError, CertificateError):
            raise HTTPException(422, "not a certificate number and an ID number") from None
        owners = OWNERS.get(serial)
        if owners is None:
            raise HTTPException(404, "no record")
        phone = owners.get(question.id_number.strip().upper())
        return {"owner": True, "phone": phone} if phone else {"owner": False}

    @app.post("/reports/{number}")
    async def report(number: str, body: Report) -> JSONResponse:
        """Report back to the gateway as `department`, with its derived credential."""
        credential = standin.credential(settings.standin_secret, body.department)
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.post(
                    f"{gateway_url}/api/departments/cases/{number}/reports",
                    json=body.model_dump(exclude={"department"}, exclude_none=True),
                    headers={"Authorization": f"Bearer {credential}"},
                )
        except httpx.HTTPError as exc:
            return JSONResponse({"detail": f"gateway {gateway_url} unreachable: {exc}"}, status_code=502)
        return JSONResponse(response.json(), status_code=response.status_code)

    return app


def main() -> None:
    settings = get_settings()
    gateway = os.environ.get("GATEWAY_URL", f"http://{settings.gateway_host}:{settings.gateway_port}")
    uvicorn.run(create_app(settings, gateway), host="127.0.0.1", port=settings.standin_port, log_level="warning")


if __name__ == "__main__":
    main()
