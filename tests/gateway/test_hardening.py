"""HTTP hardening of the gateway: secrets, security headers, body size, API docs, bounded streams."""

from __future__ import annotations

import multiprocessing
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

import api.settings as settings_module
from api.models import EncryptedText
from api.personal_data import decrypt, encrypt
from api.settings import Settings, get_settings

LONG = "x" * 32


# Secrets ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["service_token", "jwt_secret"])
@pytest.mark.parametrize("value", ["", "   ", "short-secret", "y" * 31])
def test_empty_or_short_shared_secrets_are_refused_at_start(name: str, value: str) -> None:
    values = {"service_token": LONG, "jwt_secret": LONG, name: value}
    with pytest.raises(ValidationError, match=f"{name.upper()} must be at least 32 characters"):
        Settings(**values)


def test_secrets_of_32_characters_are_accepted() -> None:
    settings = Settings(service_token=LONG, jwt_secret="z" * 40)
    assert settings.service_token == LONG


def _generate(var_dir: str, results: multiprocessing.Queue[str]) -> None:
    settings_module.VAR_DIR = Path(var_dir)
    results.put(settings_module._local_secret("race.secret"))


def test_workers_starting_together_share_one_secret_file_readable_by_the_owner_only(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[str] = context.Queue()
    workers = [context.Process(target=_generate, args=(str(tmp_path), results)) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    secrets = {results.get(timeout=5) for _ in workers}
    written = (tmp_path / "race.secret").read_text()
    assert secrets == {written} and len(written) >= 32
    assert stat.S_IMODE((tmp_path / "race.secret").stat().st_mode) == 0o600


def test_a_secret_file_still_being_written_is_waited_for_not_read_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path)
    path = tmp_path / "late.secret"
    path.touch(mode=0o600)  # another worker has created it and not yet written
    writer = threading.Timer(0.2, path.write_text, args=("the-other-workers-secret",))
    writer.start()
    assert settings_module._local_secret("late.secret") == "the-other-workers-secret"
    writer.join()


@pytest.fixture
def pii_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_personal_data_stored_under_the_old_key_reads_after_rotation(
    tmp_path: Path, pii_environment: pytest.MonkeyPatch
) -> None:
    table = sa.Table(
        "people", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("phone", EncryptedText)
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'rotation.db'}")
    table.create(engine)
    pii_environment.setenv("PII_KEY", "the-old-key")
    with engine.begin() as connection:
        connection.execute(table.insert().values(id=1, phone="13812345678"))

    get_settings.cache_clear()
    pii_environment.setenv("PII_KEY", "the-new-key")
    pii_environment.setenv("PII_PREVIOUS_KEYS", "an-older-key, the-old-key")
    with engine.begin() as connection:
        connection.execute(table.insert().values(id=2, phone="13987654321"))
        rows = dict(connection.execute(sa.select(table.c.id, table.c.phone)).all())
        stored = dict(connection.execute(sa.text("SELECT id, phone FROM people")).all())
    assert rows == {1: "13812345678", 2: "13987654321"}
    # New data is written under the new key alone: readable once the old key is dropped.
    assert decrypt(stored[2], "the-new-key") == "13987654321"
    with pytest.raises(RuntimeError, match="PII_PREVIOUS_KEYS"):
        decrypt(stored[1], "the-new-key")


def test_rotated_keys_read_in_any_order_and_a_foreign_key_is_refused() -> None:
    token = encrypt("341502199001011234", "key-a")
    assert decrypt(token, "key-c", "key-b", "key-a") == "341502199001011234"
    with pytest.raises(RuntimeError, match="PII_KEY"):
        decrypt(token, "key-c", "key-b")
