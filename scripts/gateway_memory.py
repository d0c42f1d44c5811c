"""Where the gateway's memory goes: resident memory (RSS) after each step of a start and its first requests.

    .venv/bin/python scripts/gateway_memory.py [--tracemalloc]

Imports api.main, runs the app's lifespan (TestClient) on a throwaway SQLite database, then sends a knowledge
search, a routing request and computes hot-topic keywords (analytics), printing VmRSS after each step with
its private (anon) and file-backed parts: file-backed pages of memory-mapped read-only arrays are shared
between workers and given back under pressure. With --tracemalloc, the largest Python allocations too.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("VmRSS", "RssAnon", "RssFile")


def memory() -> dict[str, float]:
    """This process's resident memory in MB: total, private (anonymous) and file-backed."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in FIELDS:
            values[name] = int(rest.split()[0]) / 1024
    return values


def step(name: str, action: Callable[[], object]) -> None:
    started = time.perf_counter()
    action()
    elapsed = (time.perf_counter() - started) * 1000
    figures = memory()
    print(
        f"{name:<40} RSS {figures['VmRSS']:6.0f} MB (anon {figures['RssAnon']:4.0f}, file {figures['RssFile']:4.0f})"
        f"   {elapsed:7.0f} ms",
        flush=True,
    )


def main() -> int:
    with_tracemalloc = "--tracemalloc" in sys.argv
    if with_tracemalloc:
        tracemalloc.start(8)
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix="gateway-memory-")
    token = "memory-profile-service-token-0123456789"
    os.environ.update(
        DATABASE_URL=f"sqlite:///{workdir}/luan.db",
        SERVICE_TOKEN=token,
        RATE_LIMIT_PER_MINUTE="1000000",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    print(f"{'step':<40} {'resident memory':<38} {'time':>10}")
    step("python", lambda: None)
    modules: dict[str, object] = {}
    step("import api.main", lambda: modules.update(main=__import__("api.main", fromlist=["create_app"])))
    from fastapi.testclient import TestClient

    from api.services.analytics import _keywords

    step("migrate (SQLite, another process)", _migrate)
    client = TestClient(modules["main"].create_app())  # type: ignore[attr-defined]
    step("lifespan (knowledge base, router)", client.__enter__)
    search = {"q": "社保卡丢了怎么补办"}
    step("knowledge search (first)", lambda: client.get("/api/knowledge/search", params=search).raise_for_status())
    for question in ("公积金提取需要什么材料", "juzhuzheng怎么办", "新生儿上户口去哪里办"):
        client.get("/api/knowledge/search", params={"q": question}).raise_for_status()
    step("knowledge search (3 more)", lambda: None)
    headers = {"X-Service-Token": token}
    text = {"text": "我家小区门口的路灯坏了一个多月了，晚上很黑，希望尽快修好"}
    step("routing (first)", lambda: client.get("/api/routing", params=text, headers=headers).raise_for_status())
    complaints = ["小区噪音扰民严重，晚上施工不停", "路灯不亮好几天了", "施工工地夜间噪音太大"]
    step("analytics keywords (first)", lambda: _keywords(complaints, set()))
    client.__exit__(None, None, None)
    step("after the lifespan", lambda: None)
    if with_tracemalloc:
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        print("\nlargest Python allocations (tracemalloc, by file and line):")
        for stat in snapshot.statistics("lineno")[:15]:
            frame = stat.traceback[0]
            print(f"{stat.size / 2**20:8.1f} MB  {frame.filename}:{frame.lineno}")
    return 0


def _migrate() -> None:
    import subprocess

    subprocess.run([sys.executable, "-m", "api", "migrate"], cwd=ROOT, env=dict(os.environ), check=True)


if __name__ == "__main__":
    sys.exit(main())
