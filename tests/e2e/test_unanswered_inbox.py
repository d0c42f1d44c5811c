"""The unanswered-question inbox through the real assistant: a question it cannot answer as asked reaches the
inbox (and the turn log), an administrator attaches it to a service, and the assistant then answers it.

Attaching writes a service file and rebuilds the index, so this stack runs on temporary copies of both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scripts.stack import ROOT
from tests.e2e.conftest import LiveStack, start_live_stack, text_of

pytestmark = pytest.mark.rasa

# "换本子" is how residents say renewing the driving licence booklet; the guide does not say it that way.
QUESTION = "换本子要啥手续"
SERVICE = "机动车驾驶证换证"
LICENCE_FILE = "jidongche-jiashizheng-huanzheng.yaml"
PASSWORD = "inbox-admin-password"


@pytest.fixture(scope="module")
def inbox_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    knowledge = tmp_path_factory.mktemp("knowledge")
    shutil.copytree(ROOT / "knowledge" / "services", knowledge / "services")
    if (ROOT / "var" / "index").is_dir():  # only the attached questions are embedded again
        shutil.copytree(ROOT / "var" / "index", knowledge / "index")
    with start_live_stack(
        KNOWLEDGE_SERVICES_DIR=str(knowledge / "services"), KNOWLEDGE_INDEX_DIR=str(knowledge / "index")
    ) as stack:
        env = dict(os.environ, DATABASE_URL=stack.database_url, ADMIN_PASSWORD=PASSWORD, PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-m", "api", "create-admin", "--username", "inbox-admin"], env=env, check=True)
        yield stack


def eventually(read: Any, timeout: float = 15.0) -> Any:
    """`read()` once it returns something truthy (the turn log is written after the reply has gone out)."""
    deadline = time.monotonic() + timeout
    while not (value := read()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


def test_an_unanswered_question_attached_to_a_service_is_then_answered(inbox_stack: LiveStack) -> None:
    first = inbox_stack.chat("e2e-inbox-1", QUESTION)
    assert "luan_turn" not in str(first) and "custom" not in str(first)
    assert "来源" not in text_of(first)  # not answered from the knowledge base
    assert eventually(lambda: inbox_stack.query("SELECT 1 FROM assistant_turns WHERE outcome = 'unanswered'"))

    http = httpx.Client(base_url=inbox_stack.gateway, timeout=120)
    login = http.post("/api/auth/login", json={"username": "inbox-admin", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    groups = eventually(lambda: http.get("/api/staff/unanswered", headers=headers).json())
    [group] = [g for g in groups if g["example"] == QUESTION]
    detail = http.get(f"/api/staff/unanswered/{group['id']}", headers=headers).json()
    assert [q["answered_now"] for q in detail["questions"]] == [False]

    attached = http.post(f"/api/staff/unanswered/{group['id']}/attach", json={"service": SERVICE}, headers=headers)
    assert attached.status_code == 200, attached.text
    assert attached.json()["added"] == [QUESTION]
    assert [(q["answered_now"], q["best_service"]) for q in attached.json()["questions"]] == [(True, SERVICE)]

    # The Rasa server notices the rebuilt index on a later message (a manifest check at most once a second).
    time.sleep(2)
    answer = text_of(inbox_stack.chat("e2e-inbox-2", QUESTION))
    assert SERVICE in answer and "来源" in answer
    answered = eventually(lambda: inbox_stack.query("SELECT service FROM assistant_turns WHERE outcome = 'answered'"))
    assert answered == [(SERVICE,)]
    assert QUESTION not in (ROOT / "knowledge" / "services" / LICENCE_FILE).read_text(encoding="utf-8")
