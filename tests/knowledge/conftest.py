"""Knowledge fixtures: a private copy of the real service files and a fast, deterministic embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeBase, KnowledgeSettings

SERVICES_DIR = KnowledgeSettings().services_dir


@pytest.fixture()
def services_dir(tmp_path: Path) -> Path:
    """A copy of knowledge/services that a test may edit."""
    target = tmp_path / "services"
    shutil.copytree(SERVICES_DIR, target)
    return target


@pytest.fixture()
def settings(tmp_path: Path, services_dir: Path) -> KnowledgeSettings:
    return KnowledgeSettings().with_changes(
        services_dir=services_dir, index_dir=tmp_path / "index", embedder="fake", reload_check_seconds=0.0
    )


@pytest.fixture()
def kb(settings: KnowledgeSettings) -> KnowledgeBase:
    return KnowledgeBase.from_settings(settings)


@pytest.fixture(scope="module")
def lexical_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The real service files in lexical mode: its threshold was tuned on the eval set, no model needed."""
    settings = KnowledgeSettings().with_changes(
        index_dir=tmp_path_factory.mktemp("index"), embedder="fake", mode="lexical"
    )
    return KnowledgeBase.from_settings(settings)
