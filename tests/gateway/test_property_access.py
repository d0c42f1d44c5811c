"""A resident's property lookup needs the owner's confirmation (api/services/property_access.py), against the
stand-in land registry on a real local server: the owner's ID number gets a code texted to the phone on record
(read from the logging SMS sender), a wrong one a refusal that names nobody, too many wrong ones a lock; the action
server's lookup is answered only with the resident's own, unexpired grant for that certificate. Staff need none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api import standin
from api.db import make_engine, make_session_factory, transaction
from api.main import create_app
from api.migrate import upgrade
from api.models import AuditEntry, PropertyGrant, utcnow
from api.settings import Settings
from contract.property_lookup import PROPERTY_SOURCES, PropertyLookup
from scripts.standin_departments import create_app as create_standin
from tests.gateway.conftest import make_settings
from tests.gateway.server import free_port, serve
from tests.gateway.test_department_connector import login

CERTIFICATE = "皖(2026)六安市不动产权第0012345号"
OWNER, OWNER_PHONE = "341502198003120020", "13855641201"  # the stand-in's sample owner of 0012345
# A valid ID number (check digit right) that owns 0023456 but not 0012345.
OTHER_OWNER = "341503197506080042"


class Gateway:
    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client, self.settings = client, settings

    def service(self, sender: str | None = "wx-owner") -> dict[str, str]:
        headers = {"X-Service-Token": self.settings.service_token}
        return {**headers, "X-Resident-Sender": sender} if sender else headers

    def check(self, id_number: str, sender: str = "wx-owner", certificate: str = CERTIFICATE) -> Any:
        path = f"/api/property/{quote(certificate)}/owner-check"
        return self.client.post(path, json={"id_number": id_number}, headers=self.service(sender))

    def verify(self, code: str, sender: str = "wx-owner", certificate: str = CERTIFICATE) -> Any:
        path = f"/api/property/{quote(certificate)}/owner-check/verify"
        return self.client.post(path, json={"code": code}, headers=self.service(sender))

    def lookup(self, sender: str | None = "wx-owner", certificate: str = CERTIFICATE) -> Any:
        return self.client.get(f"/api/property/{quote(certificate)}", headers=self.service(sender))

    def code(self, phone: str = OWNER_PHONE) -> str:
        text = self.client.app.state.runtime.sms.last_to(phone)  # type: ignore[attr-defined]
        match = re.search(r"验证码是(\d{6})", text or "")
        assert match, text
        return match.group(1)

    def rows(self, model: Any) -> list[Any]:
        with transaction(make_session_factory(make_engine(self.settings.database_url))) as session:
            return list(session.scalars(select(model)))


def start(database_url: str, standin_url: str | None, **overrides: Any) -> Iterator[Gateway]:
    upgrade(database_url)
    settings = make_settings(database_url, standin_secret="test-standin-secret-0123456789abcdef", **overrides)
    with TestClient(create_app(settings)) as client:
        admin = {"Authorization": f"Bearer {login(client, settings, 'admin')}"}
        base = standin_url or f"http://127.0.0.1:{free_port()}"  # None: a land registry that is down
        for source in PROPERTY_SOURCES:
            body = {
                "webhook_url": f"{base}/webhooks/{quote(source.department)}",
                "lookup_url": f"{base}/{source.source}/property",
                "signing_secret": standin.signing_secret(settings.standin_secret, source.department),
            }
            response = client.put(f"/api/staff/departments/{source.department}", json=body, headers=admin)
            assert response.status_code == 200, response.text
        yield Gateway(client, settings)


@pytest.fixture(scope="module")
def standin_url() -> Iterator[str]:
    settings = make_settings("sqlite://", standin_secret="test-standin-secret-0123456789abcdef")
    with serve(create_standin(settings, "http://127.0.0.1:9")) as url:
        yield url


@pytest.fixture
def gateway(database_url: str, standin_url: str) -> Iterator[Gateway]:
    yield from start(database_url, standin_url, property_owner_max_failures=3)


def test_the_owner_gets_a_code_and_then_the_records(gateway: Gateway) -> None:
    assert gateway.lookup().json()["detail"] == "owner_not_verified"
    sent = gateway.check(OWNER)
    assert sent.status_code == 202, sent.text
    assert sent.json() == {"phone_last4": "1201", "expires_in_seconds": 300, "resend_after_seconds": 60}
    text = gateway.client.app.state.runtime.sms.last_to(OWNER_PHONE)  # type: ignore[attr-defined]
    assert "不动产信息查询验证码" in (text or "")
    assert gateway.lookup().status_code == 403  # a code sent is no grant yet

    wrong = gateway.verify("000000" if gateway.code() != "000000" else "111111")
    assert wrong.status_code == 400 and wrong.json()["detail"] == "wrong_code"
    assert wrong.json()["attempts_left"] == 4 and "还可以再试4次" in wrong.json()["message"]
    granted = gateway.verify(gateway.code())
    assert granted.status_code == 200, granted.text
    answer = gateway.lookup()
    assert answer.status_code == 200, answer.text
    lookup = PropertyLookup.from_json(answer.json())
    assert lookup.complete and lookup.parts[2].fields["建筑面积"] == "89.52平方米"

    audited = [(e.action, e.target, e.detail) for e in gateway.rows(AuditEntry) if e.action.startswith("property")]
    check = {"sender": "wx-owner", "id_number": "341502********0020", "owner": True}
    # The lookups refused before the grant are not audited: nothing was asked of the departments.
    assert audited == [
        ("property_owner_check", CERTIFICATE, check),
        ("property_lookup", CERTIFICATE, {"sender": "wx-owner"}),
    ]
    assert OWNER not in str(audited) and OWNER_PHONE not in str(gateway.rows(PropertyGrant)[0].__dict__)


def test_a_grant_is_for_its_resident_and_certificate_only_and_runs_out(gateway: Gateway) -> None:
    assert gateway.check(OWNER).status_code == 202
    assert gateway.verify(gateway.code()).status_code == 200
    assert gateway.lookup(sender="wx-someone-else").json()["detail"] == "owner_not_verified"
    assert gateway.lookup(sender=None).json()["detail"] == "owner_not_verified"
    assert gateway.lookup(certificate="0023456").json()["detail"] == "owner_not_verified"
    assert gateway.lookup().status_code == 200
    with transaction(make_session_factory(make_engine(gateway.settings.database_url))) as session:
        session.execute(update(PropertyGrant).values(granted_until=utcnow() - timedelta(seconds=1)))
    expired = gateway.lookup()
    assert expired.status_code == 403 and expired.json()["detail"] == "owner_verification_expired"
    assert "重新验证" in expired.json()["message"]
    # Staff look any property up, with no grant.
    agent = {"Authorization": f"Bearer {login(gateway.client, gateway.settings, 'agent')}"}
    assert gateway.client.get("/api/property/0023456", headers=agent).status_code == 200


def test_a_resident_holding_a_grant_is_told_so_until_it_runs_out(gateway: Gateway) -> None:
    def held(sender: str = "wx-owner", certificate: str = CERTIFICATE) -> Any:
        path = f"/api/property/{quote(certificate)}/owner-check"
        return gateway.client.get(path, headers=gateway.service(sender))

    assert held().json()["detail"] == "owner_not_verified"
    assert gateway.check(OWNER).status_code == 202
    assert held().status_code == 403  # a code sent is no grant yet
    assert gateway.verify(gateway.code()).status_code == 200
    answer = held()
    assert answer.status_code == 200, answer.text
    until = datetime.fromisoformat(answer.json()["granted_until"])
    minutes = gateway.settings.property_grant_minutes
    assert timedelta(0) < until.replace(tzinfo=until.tzinfo or UTC) - utcnow() <= timedelta(minutes=minutes)
    assert held(sender="wx-someone-else").status_code == 403
    assert held(certificate="0023456").status_code == 403
    with transaction(make_session_factory(make_engine(gateway.settings.database_url))) as session:
        session.execute(update(PropertyGrant).values(granted_until=utcnow() - timedelta(seconds=1)))
    assert held().json()["detail"] == "owner_verification_expired"
    # Only the action server asks, for a named resident.
    path = f"/api/property/{quote(CERTIFICATE)}/owner-check"
    assert gateway.client.get(path).status_code == 401


def test_an_id_number_that_is_no_owners_is_refused_and_names_nobody(gateway: Gateway) -> None:
    refused = gateway.check(OTHER_OWNER)
    assert refused.status_code == 403 and refused.json()["detail"] == "not_owner"
    message = refused.json()["message"]
    assert "不一致" in message and OWNER not in message and "1201" not in message
    # A property the registry does not know is refused the same way: its existence is not told either.
    unknown = gateway.check(OWNER, certificate="0099999")
    assert unknown.status_code == 403 and unknown.json()["message"] == message
    assert gateway.client.app.state.runtime.sms.last_to(OWNER_PHONE) is None  # type: ignore[attr-defined]
    invalid = gateway.check("341502198003120021")  # wrong check digit: never asked of the registry
    assert invalid.status_code == 422 and "身份证号" in invalid.json()["message"]
    assert gateway.verify("123456").json()["detail"] == "code_expired"  # no code was sent


def test_refused_id_numbers_lock_the_resident_and_the_certificate(gateway: Gateway) -> None:
    for _ in range(3):
        assert gateway.check(OTHER_OWNER, sender="wx-guesser").status_code == 403
    locked = gateway.check(OWNER, sender="wx-guesser")  # even the right one, now
    assert locked.status_code == 429 and locked.json()["detail"] == "too_many_owner_checks"
    assert "60分钟后再试" in locked.json()["message"]
    # The certificate is locked for everyone (its serial: the other spelling too), so many senders guess no more.
    assert gateway.check(OWNER, sender="wx-another", certificate="0012345").status_code == 429
    # Another property is not.
    assert gateway.check(OTHER_OWNER, sender="wx-another", certificate="0023456").status_code == 202


def test_the_owner_check_needs_the_action_server_and_a_resident(gateway: Gateway) -> None:
    path = f"/api/property/{quote(CERTIFICATE)}/owner-check"
    body = {"id_number": OWNER}
    assert gateway.client.post(path, json=body).json()["detail"] == "invalid_service_token"
    no_sender = gateway.client.post(path, json=body, headers=gateway.service(None))
    assert no_sender.status_code == 422 and no_sender.json()["detail"] == "sender_required"
    bad = gateway.check(OWNER, certificate="苏(2026)南京市不动产权第0012345号")
    assert bad.status_code == 422 and bad.json()["detail"] == "invalid_certificate"


def test_a_land_registry_that_is_down_is_said_so(database_url: str) -> None:
    for gateway in start(database_url, None, department_lookup_retries=0):
        down = gateway.check(OWNER)
        assert down.status_code == 503 and down.json()["detail"] == "owner_check_unavailable"
        assert "稍后再试" in down.json()["message"]
