"""Pinyin readings from the cache file (knowledge/pinyin.py): pypinyin's own readings, without pypinyin's
dictionaries in serving processes (about 50 MB each, issue 15)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pypinyin import lazy_pinyin

from knowledge.pinyin import CHARACTERS, Readings

REPO = Path(__file__).resolve().parents[2]


def test_a_new_cache_holds_pypinyins_readings_and_is_reused(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "pinyin.json"
    readings = Readings(path)
    assert readings.char("重") == lazy_pinyin("重")[0]
    assert readings.word("重新") == ("chong", "xin") == tuple(lazy_pinyin("重新"))
    readings.save()
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert len(stored["chars"]) == len(CHARACTERS) and stored["words"] == {"重新": "chong xin"}
    again = Readings(path)
    assert all(again.char(chr(code)) == lazy_pinyin(chr(code))[0] for code in CHARACTERS[::97])
    assert again.word("重新") == ("chong", "xin")


def test_saving_keeps_what_another_process_wrote(tmp_path: Path) -> None:
    path = tmp_path / "pinyin.json"
    first, second = Readings(path), Readings(path)
    first.word("社保")
    first.save()
    second.word("公积金")
    second.save()
    assert set(json.loads(path.read_text(encoding="utf-8"))["words"]) == {"社保", "公积金"}


def test_an_unwritable_cache_only_costs_the_work_again(tmp_path: Path) -> None:
    (tmp_path / "pinyin.json").mkdir()  # a directory where the file should go: nothing can be written
    readings = Readings(tmp_path / "pinyin.json")
    assert readings.word("居住证") == ("ju", "zhu", "zheng")
    readings.save()


def test_searching_with_a_filled_cache_never_imports_pypinyin(tmp_path: Path) -> None:
    script = (
        "import sys, knowledge\n"
        "kb = knowledge.KnowledgeBase.from_settings()\n"
        "assert kb.search('shebaoka').hits[0].service == '社会保障卡申领'\n"
        "print('pypinyin' in sys.modules)\n"
    )
    env = {**os.environ, "KNOWLEDGE_INDEX_DIR": str(tmp_path), "KNOWLEDGE_EMBEDDER": "fake", "PYTHONPATH": str(REPO)}
    runs = [
        subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        for _ in range(2)
    ]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr[-2000:]
    assert [run.stdout.split()[-1] for run in runs] == ["True", "False"]  # the first one fills the cache
