"""`make bench` (assistant part): messages through `POST /api/chat` with the trained model.

Starts the whole stack (gateway with GATEWAY_WORKERS workers and RASA_SERVERS Rasa servers, 2 of each by
default, and the action server) on PostgreSQL and Redis,
then measures knowledge answers:
- 1 resident, messages back to back;
- 20 residents chatting at once (arriving at random moments), each waiting THINK_SECONDS (default 1 s)
  before the next message
  (people read and type; this is the load the latency goal is about);
- 20 residents with no pause at all (saturation throughput, the worst case).
Also prints each process's resident memory (RSS) at rest, after chat and knowledge searches (each gateway
worker on its own). Everything stays on loopback.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import redis

from scripts.bench_api import percentile
from scripts.stack import ROOT, Stack

ADMIN_URL = os.environ.get("POSTGRES_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")
THINK_SECONDS = float(os.environ.get("THINK_SECONDS", "1.0"))
# One Rasa server per core: each is one Python process, so a second one is what uses the second core.
RASA_SERVERS = int(os.environ.get("RASA_SERVERS", "2"))
GATEWAY_WORKERS = int(os.environ.get("GATEWAY_WORKERS", "2"))
CONVERSATION_LENGTH = 10
QUESTIONS = [
    "社保卡丢了怎么补办",
    "公积金提取需要什么材料",
    "新生儿上户口去哪里办",
    "居住证多久能办好",
    "无犯罪记录证明怎么开",
    "驾驶证到期换证要钱吗",
    "异地就医备案怎么弄",
    "低保申请要什么条件",
    "个体户营业执照怎么办",
    "孩子上小学怎么报名",
]


def processes(pid: int) -> list[tuple[str, int]]:
    """A process and its children, each with its role: uvicorn's supervisor and its workers (spawned
    interpreters), or a helper (multiprocessing's resource tracker)."""
    found = [("", pid)]
    for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        found.append(("helper" if b"resource_tracker" in command else "worker", int(child)))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB (0 when it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


async def resident(http: httpx.AsyncClient, sender: str, count: int, think: float, latencies: list[float]) -> None:
    """`count` questions, in conversations of CONVERSATION_LENGTH (a resident who comes back later is a new
    conversation session; Rasa's cost per message grows with the length of the current session)."""
    if think:
        # Residents arrive at random moments, not all in the same millisecond: a synchronised start is a
        # burst of 20 first messages that no website or WeChat account sees.
        await asyncio.sleep(random.uniform(0, think))
    issued = ""
    for i in range(count):
        question = QUESTIONS[(hash(sender) + i) % len(QUESTIONS)]
        if i % CONVERSATION_LENGTH == 0:  # a new conversation: an id of its own, as a new widget gets (not timed)
            issued = (await http.post("/api/chat/session")).raise_for_status().json()["sender"]
        started = time.perf_counter()
        payload = {"sender": issued, "message": question}
        response = await http.post("/api/chat", json=payload)
        latencies.append((time.perf_counter() - started) * 1000)
        text = " ".join(m.get("text", "") for m in response.json()["messages"])
        if response.status_code != 200 or "来源" not in text:
            raise RuntimeError(f"not a knowledge answer for {question!r}: {response.status_code} {text[:120]}")
        if think:
            await asyncio.sleep(think * random.uniform(0.5, 1.5))


async def scenario(base: str, residents: int, per_resident: int, think: float) -> tuple[float, list[float]]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=residents + 5)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        started = time.perf_counter()
        run = uuid.uuid4().hex[:6]
        await asyncio.gather(
            *(resident(http, f"bench-{run}-{r}", per_resident, think, latencies) for r in range(residents))
        )
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies


async def knowledge_searches(base: str, count: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for i in range(count):
            response = await http.get("/api/knowledge/search", params={"q": QUESTIONS[i % len(QUESTIONS)]})
            response.raise_for_status()


def show(name: str, rate: float, latencies: list[float]) -> None:
    print(
        f"{name:<44} {rate:7.1f} msg/s   p50 {statistics.median(latencies):6.1f} ms"
        f"   p99 {percentile(latencies, 0.99):6.1f} ms   (n={len(latencies)})",
        flush=True,
    )


def main() -> int:
    name = f"luan_chatbench_{uuid.uuid4().hex[:8]}"
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = dict(
        os.environ,
        DATABASE_URL=f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}",
        REDIS_URL=REDIS_URL,
        REDIS_PREFIX=prefix,
        SERVICE_TOKEN=secrets.token_urlsafe(32),
        RATE_LIMIT_PER_MINUTE="1000000",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    subprocess.run([sys.executable, "-m", "api", "migrate"], env=env, cwd=ROOT, check=True)
    stack = Stack(
        env=env,
        gateway_port=8098,
        rasa_port=5096,
        actions_port=5099,
        workers=GATEWAY_WORKERS,
        rasa_servers=RASA_SERVERS,
        quiet=True,
    )
    try:
        stack.start()
        if not stack.wait_ready(600):
            print("the stack did not come up", file=sys.stderr)
            return 1
        base = stack.gateway_url
        asyncio.run(scenario(base, 2, 10, 0))  # warm-up: first requests load lazy parts
        asyncio.run(knowledge_searches(base, 10))  # the gateway's own search (its embedding model loads then)
        time.sleep(2)
        print(
            f"stack: gateway ({GATEWAY_WORKERS} workers), {RASA_SERVERS} Rasa server(s), action server on "
            f"PostgreSQL + Redis, {os.cpu_count()} cores"
        )
        # Per process: the memory goals (issue 15, docs/deployment.md) are per gateway worker and per server.
        for proc_name, proc in stack.procs.items():
            for role, pid in processes(proc.pid):
                print(f"RSS at rest {f'{proc_name} {role}'.strip():<17} {rss_mb(pid):8.0f} MB")
        show("knowledge answer, 1 resident", *asyncio.run(scenario(base, 1, 60, 0)))
        show(
            f"knowledge answer, 20 residents ({THINK_SECONDS:g} s think)",
            *asyncio.run(scenario(base, 20, 20, THINK_SECONDS)),
        )
        show("knowledge answer, 20 residents (no pause)", *asyncio.run(scenario(base, 20, 10, 0)))
    finally:
        stack.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        with redis.Redis.from_url(REDIS_URL) as client:  # conversations, locks, rate limits of this run
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
