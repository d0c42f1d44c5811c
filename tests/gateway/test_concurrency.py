"""Case numbers stay unique when many residents file at once (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from api.db import make_engine
from api.main import create_app
from api.models import Complaint, Service
from api.settings import Settings
from tests.gateway.server import serve


def test_200_complaints_from_20_threads_get_200_distinct_numbers(settings: Settings) -> None:
    with serve(create_app(settings)) as base_url:

        def file(i: int) -> str:
            with httpx.Client(base_url=base_url, timeout=60) as http:
                body = {"description": f"第{i}号测试投诉：路灯不亮", "phone": f"138{i:08d}"}
                response = http.post("/api/complaints", json=body)
                assert response.status_code == 201, response.text
                return str(response.json()["number"])

        with ThreadPoolExecutor(max_workers=20) as pool:
            numbers = list(pool.map(file, range(200)))

    assert len(set(numbers)) == 200
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(Complaint.__table__))
    engine.dispose()
    assert stored == 200


def test_workers_starting_together_all_sync_the_catalogue(settings: Settings) -> None:
    """Several gateway workers start at once and each upserts the catalogue: none may fail."""
    from api.catalogue import sync_catalogue
    from api.db import make_session_factory
    from knowledge.schema import load_categories, load_services
    from knowledge.settings import KnowledgeSettings

    paths = KnowledgeSettings.from_env()
    services = load_services(paths.services_dir, load_categories(paths.categories_file))
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(lambda _: sync_catalogue(sessions, services), range(8)))
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(Service.__table__))
    engine.dispose()
    assert counts == [len(services)] * 8 and stored == len(services)
