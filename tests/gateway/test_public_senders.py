"""Public resident routes act only in the caller's own namespace (issue 15, item 3), on SQLite and PostgreSQL.

Without the service token a client's `sender` is kept as `api:<sender>` and its `channel` may only be `api` or
`web`: it can neither file in a WeChat resident's channel (and have the gateway push notices into their WeChat,
here a fake WeChat API that records every call) nor rate, like or take over the next message of a WeChat or
widget resident by naming their id. Its own file-then-rate flow keeps working, and the action server's calls
(service token) name the gateway's conversations as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import make_engine, make_session_factory, transaction
from api.models import Case, Evaluation
from api.settings import Settings
from tests.channels.conftest import APP_ID, SECRET
from tests.channels.fake_wechat_api import FakeWeChatApi
from tests.gateway.test_incidents import incident_settings, login, report, seed_directory, stream_lines
from tests.senders import internal_sender, issued_sender

OPENID = "oLuAn_public_api_00000000042"
WECHAT = f"wx:{OPENID}"
COMPLAINT = {"description": "小区门口的路灯坏了一个月没人修", "phone": "13812345678"}


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChatApi]:
    with FakeWeChatApi(APP_ID, SECRET) as server:
        assert isinstance(server, FakeWeChatApi)
        yield server


@pytest.fixture
def settings(database_url: str, tmp_path: Path, wechat_api: FakeWeChatApi) -> Settings:
    """The gateway with WeChat's customer-service API configured: a notice to a WeChat case would be pushed."""
    return incident_settings(
        database_url,
        tmp_path / "photos",
        wechat_app_id=APP_ID,
        wechat_app_secret=SECRET,
        wechat_api_base=wechat_api.url,
    )


def service(settings: Settings) -> dict[str, str]:
    return {"X-Service-Token": settings.service_token}


def stored(settings: Settings, number: str) -> tuple[str | None, str]:
    with transaction(make_session_factory(make_engine(settings.database_url))) as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        return case.sender, case.channel


def test_a_public_client_cannot_file_in_a_residents_channel(client: TestClient, settings: Settings) -> None:
    filings: list[tuple[str, dict[str, Any]]] = [
        ("/api/complaints", COMPLAINT),
        ("/api/commendations", {"text": "社保窗口的工作人员很耐心"}),
        ("/api/suggestions", {"topic": "停车", "content": "老城区停车位太少了"}),
        ("/api/incidents", report()),
    ]
    for path, body in filings:
        for channel in ("wechat", "hotline", "rasa"):
            refused = client.post(path, json={**body, "sender": WECHAT, "channel": channel})
            assert refused.status_code == 403, (path, channel, refused.text)
            assert refused.json()["detail"] == "channel_not_vouched" and "渠道" in refused.json()["message"]
    with transaction(make_session_factory(make_engine(settings.database_url))) as session:
        assert session.scalars(select(Case)).all() == []
    # The action server files for the gateway's WeChat conversation as before.
    vouched = client.post(
        "/api/complaints", json={**COMPLAINT, "sender": WECHAT, "channel": "wechat"}, headers=service(settings)
    )
    assert vouched.status_code == 201, vouched.text
    assert stored(settings, vouched.json()["number"]) == (WECHAT, "wechat")


def test_a_public_report_naming_a_wechat_resident_never_reaches_them(
    client: TestClient, settings: Settings, wechat_api: FakeWeChatApi
) -> None:
    seed_directory(client, settings)
    officer = login(client, "officer_a")
    public = client.post("/api/incidents", json=report(sender=WECHAT, channel="api"))
    assert public.status_code == 201, public.text
    number = public.json()["number"]

    for step, body in (("accept", None), ("resolve", {"note": "灯已换好"})):
        assert client.post(f"/api/grid/incidents/{number}/{step}", headers=officer, json=body).status_code == 200
    # No push to WeChat was even attempted, nothing waits on the resident's stream, and their next message is not
    # taken as the rating of someone else's incident.
    assert (wechat_api.token_fetches, wechat_api.sent, wechat_api.refused) == (0, [], [])
    assert stream_lines(client, WECHAT) == []
    assert client.portal.call(client.app.state.handoff.conversation, WECHAT) is None
    assert len(stream_lines(client, f"api:{WECHAT}")) == 2  # the client's own stream has both steps
    assert stored(settings, number) == (f"api:{WECHAT}", "api")

    # The same report from the action server reaches the resident's WeChat: the fake would have seen a push.
    vouched = client.post("/api/incidents", json=report(sender=WECHAT, channel="wechat"), headers=service(settings))
    assert vouched.status_code == 201, vouched.text
    admin = login(client, "admin1")
    assert client.post(f"/api/grid/incidents/{vouched.json()['number']}/accept", headers=admin).status_code == 200
    assert [(m["touser"], vouched.json()["number"] in m["text"]["content"]) for m in wechat_api.sent] == [
        (OPENID, True)
    ]


def test_a_public_client_files_then_rates_and_likes_as_itself(client: TestClient, settings: Settings) -> None:
    filed = client.post("/api/complaints", json={**COMPLAINT, "sender": "app-user-7"})
    assert filed.status_code == 201, filed.text
    number = filed.json()["number"]
    assert stored(settings, number) == ("api:app-user-7", "api")
    rating = {"case_number": number, "stars": 4, "sender": "app-user-7"}
    assert client.post("/api/evaluations", json=rating).status_code == 201
    assert client.post("/api/evaluations", json=rating).json()["detail"] == "already_evaluated"
    assert client.post("/api/evaluations", json={**rating, "sender": "app-user-8"}).status_code == 404

    suggested = client.post(
        "/api/suggestions", json={"sender": "app-user-7", "topic": "公交", "content": "建议增开夜班公交"}
    )
    assert suggested.status_code == 201, suggested.text
    liked = f"/api/suggestions/{suggested.json()['number']}/likes"
    assert client.post(liked, json={"sender": "app-user-8"}).json()["likes"] == 1
    assert client.post(liked, json={"sender": "app-user-8"}).json()["detail"] == "already_liked"

    # The budget page files under `web` without a sender; the longest sender fits the column once namespaced.
    assert client.post("/api/commendations", json={"text": "办事很快", "channel": "web"}).status_code == 201
    longest = client.post("/api/complaints", json={**COMPLAINT, "sender": "x" * 124})
    assert longest.status_code == 201 and stored(settings, longest.json()["number"])[0] == "api:" + "x" * 124
    assert client.post("/api/complaints", json={**COMPLAINT, "sender": "x" * 125}).status_code == 422


def test_a_public_client_cannot_rate_or_like_as_a_resident(client: TestClient, settings: Settings) -> None:
    web = internal_sender(issued_sender(client))
    for resident, channel in ((WECHAT, "wechat"), (web, "web")):
        filed = client.post(
            "/api/complaints", json={**COMPLAINT, "sender": resident, "channel": channel}, headers=service(settings)
        )
        assert filed.status_code == 201, filed.text
        rating = {"case_number": filed.json()["number"], "stars": 1, "sender": resident}
        refused = client.post("/api/evaluations", json=rating)
        assert refused.status_code == 404 and refused.json()["detail"] == "case_not_found"
        assert client.post("/api/evaluations", json=rating, headers=service(settings)).status_code == 201

    suggested = client.post(
        "/api/suggestions",
        json={"sender": WECHAT, "topic": "公交", "content": "建议增开夜班公交"},
        headers=service(settings),
    )
    liked = f"/api/suggestions/{suggested.json()['number']}/likes"
    # A public like naming the resident is the client's own: the resident's like from the chat still counts.
    assert client.post(liked, json={"sender": WECHAT}).status_code == 200
    assert client.post(liked, json={"sender": WECHAT}, headers=service(settings)).json()["likes"] == 2

    with transaction(make_session_factory(make_engine(settings.database_url))) as session:
        raters = session.scalars(select(Evaluation.sender).order_by(Evaluation.id)).all()
    assert raters == [WECHAT, web]
