"""`make bench` (gateway part): filing a complaint and looking up a status on PostgreSQL, 2 workers.

Starts the gateway with uvicorn (2 workers) on a fresh PostgreSQL database, drives it from this process
with concurrent HTTP clients and prints requests/s and p50/p99 latency. Everything is local (loopback).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("POSTGRES_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def drive(base: str, make_request: Request, total: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                started = time.perf_counter()
                response = await make_request(http, i)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code >= 400:
                    raise RuntimeError(f"{response.status_code}: {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return total / elapsed, latencies


def report(name: str, rate: float, latencies: list[float]) -> None:
    print(
        f"{name:<28} {rate:8.1f} req/s   p50 {statistics.median(latencies):6.1f} ms"
        f"   p99 {percentile(latencies, 0.99):6.1f} ms   (n={len(latencies)})",
        flush=True,
    )


async def bench(base: str) -> None:
    async def complaint(http: httpx.AsyncClient, i: int) -> httpx.Response:
        body = {"description": f"基准测试投诉{i}：小区路灯不亮", "phone": f"139{i:08d}", "name": "测试"}
        return await http.post("/api/complaints", json=body)

    await drive(base, complaint, 50, 5)  # warm-up (connection pools, first queries)
    rate, lat = await drive(base, complaint, 1000, 20)
    report("file complaint (20 conc.)", rate, lat)

    async with httpx.AsyncClient(base_url=base) as http:
        numbers = [(await complaint(http, 10_000 + i)).json()["number"] for i in range(50)]

    async def status(http: httpx.AsyncClient, i: int) -> httpx.Response:
        number = numbers[i % len(numbers)]
        last4 = f"{(10_000 + i % len(numbers)) % 10_000:04d}"
        return await http.get(f"/api/status/{number}", params={"phone_last4": last4})

    await drive(base, status, 200, 10)
    paths = [f"/api/status/{n}?phone_last4={(10_000 + i) % 10_000:04d}" for i, n in enumerate(numbers)]
    for concurrency in (1, 20):
        if shutil.which("wrk"):
            # wrk (C) loads the server without eating the CPU the way a Python client does on 2 cores.
            print(wrk(base, paths, concurrency), flush=True)
        else:
            rate, lat = await drive(base, status, 3000, concurrency)
            report(f"status lookup ({concurrency} conc.)", rate, lat)


def wrk(base: str, paths: list[str], connections: int, seconds: int = 15) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        listed = ", ".join(f'"{p}"' for p in paths)
        script.write(
            f"paths = {{{listed}}}\nrequest = function() return wrk.format('GET', paths[math.random(#paths)]) end\n"
        )
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, base]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    stats = dict(re.findall(r"^\s*(50%|99%|Requests/sec:)\s+(\S+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", output)
    return (
        f"{f'status lookup ({connections} conc., wrk)':<28} {float(stats['Requests/sec:']):8.1f} req/s"
        f"   p50 {stats['50%']:>8}   p99 {stats['99%']:>8}" + (f"   ({errors.group(0)})" if errors else "")
    )


def main() -> int:
    name = f"luan_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        KNOWLEDGE_ENABLED="false",
        RATE_LIMIT_PER_MINUTE="1000000",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    port = os.environ.get("BENCH_PORT", "8099")
    server = None
    try:
        subprocess.run([sys.executable, "-m", "api", "migrate"], env=env, check=True, cwd=ROOT)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:app",
                "--port",
                port,
                "--workers",
                "2",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        print(f"gateway: 2 uvicorn workers on PostgreSQL ({os.cpu_count()} cores, load generator on the same machine)")
        asyncio.run(bench(base))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
