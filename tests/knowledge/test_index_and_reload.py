"""The index is stored with its manifest, rebuilt incrementally, and picked up without a restart."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from knowledge import KnowledgeBase, KnowledgeFormatError, KnowledgeSettings
from knowledge.embedders import HashingEmbedder
from knowledge.index import MANIFEST, TEMPORARY_PREFIX, ensure_index, text_hash
from knowledge.schema import load_services

NEW_QUESTION = "银杏树叶子黄了能不能给发个观赏补贴"


def _add_question(path: Path, question: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["questions"] = [*data["questions"][:14], question]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_manifest_describes_the_index(kb: KnowledgeBase, settings: KnowledgeSettings) -> None:
    manifest = json.loads((settings.index_dir / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["model"] == "fake-hashing" and manifest["dim"] == 256
    assert manifest["services"] == len(kb.services)
    first = manifest["passages"][0]
    assert first["hash"] == text_hash(first["text"])
    assert (settings.index_dir / manifest["vectors"]).is_file()


def test_unchanged_passages_are_not_embedded_again(settings: KnowledgeSettings, services_dir: Path) -> None:
    services = load_services(services_dir)
    exact = settings.ann_min_passages
    first = ensure_index(settings.index_dir, services, HashingEmbedder(), ann_min_passages=exact)
    assert first.embedded == len({p.text for p in first.passages})
    assert ensure_index(settings.index_dir, services, HashingEmbedder(), ann_min_passages=exact).embedded == 0
    _add_question(services_dir / "gaoling-jintie-shenling.yaml", NEW_QUESTION)
    changed = ensure_index(settings.index_dir, load_services(services_dir), HashingEmbedder(), ann_min_passages=exact)
    assert changed.embedded == 1


def test_reload_takes_new_content_without_restart(kb: KnowledgeBase, services_dir: Path) -> None:
    before = kb.search(NEW_QUESTION).hits[0].score
    _add_question(services_dir / "gaoling-jintie-shenling.yaml", NEW_QUESTION)
    kb.reload()
    result = kb.search(NEW_QUESTION)
    assert result.hits[0].service == "高龄津贴申领"
    assert result.hits[0].score > before


def test_a_running_knowledge_base_notices_a_rebuilt_index(settings: KnowledgeSettings, services_dir: Path) -> None:
    running = KnowledgeBase.from_settings(settings)
    before = running.search(NEW_QUESTION).hits[0].score
    _add_question(services_dir / "gaoling-jintie-shenling.yaml", NEW_QUESTION)
    time.sleep(0.01)  # a different manifest mtime even on coarse clocks
    KnowledgeBase.from_settings(settings).reload()  # e.g. `python -m knowledge build` in another process
    after = running.search(NEW_QUESTION)
    assert after.hits[0].service == "高龄津贴申领"
    assert after.hits[0].score > before


def test_invalid_file_keeps_the_previous_content(kb: KnowledgeBase, services_dir: Path) -> None:
    count = len(kb.services)
    (services_dir / "broken.yaml").write_text("sample: true\nname: 坏文件\n", encoding="utf-8")
    with pytest.raises(KnowledgeFormatError, match="broken.yaml"):
        kb.reload()
    assert len(kb.services) == count
    assert kb.search("社保卡怎么办").hits[0].service == "社会保障卡申领"


def test_index_is_built_when_missing(settings: KnowledgeSettings) -> None:
    assert not (settings.index_dir / MANIFEST).exists()
    KnowledgeBase.from_settings(settings)
    assert (settings.index_dir / MANIFEST).is_file()
    leftovers = [p.name for p in settings.index_dir.rglob(f"{TEMPORARY_PREFIX}*")]
    assert leftovers == []
