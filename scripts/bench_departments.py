"""Figures of the lookups across departments (docs/departments.md "Figures"): GET /api/property's client against
the stand-in department service on this machine, served by uvicorn in a thread.

1. All three departments answer: latency of a whole lookup (sequential, then 20 at a time).
2. One department hangs (its answers take 5 s): every lookup ends at the budget, with the other two parts.
3. The same department fails instead: after DEPARTMENT_BREAKER_FAILURES lookups its breaker opens and lookups
   no longer wait for it.
Run: PYTHONPATH=. .venv/bin/python scripts/bench_departments.py [--lookups 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api import standin  # noqa: E402
from api.department_lookup import DepartmentLookup, LookupTarget  # noqa: E402
from api.settings import Settings  # noqa: E402
from contract.property_lookup import PROPERTY_SOURCES  # noqa: E402
from scripts.standin_departments import create_app  # noqa: E402
from tests.gateway.server import serve  # noqa: E402

SECRET = "bench-standin-secret-0123456789abcdef"


def broken(mode: str) -> FastAPI:
    app = FastAPI()

    @app.get("/property")
    async def lookup() -> JSONResponse:
        if mode == "hang":
            await asyncio.sleep(5)
        return JSONResponse({"error": "down"}, status_code=500)

    return app


def targets(settings: Settings, base: str, tax_url: str | None = None) -> list[LookupTarget]:
    result = []
    for source in PROPERTY_SOURCES:
        url = tax_url if source.source == "tax" and tax_url else f"{base}/{source.source}/property"
        secret = standin.signing_secret(settings.standin_secret, source.department)
        result.append(LookupTarget(source, url, secret, settings.department_lookup_timeout_seconds))
    return result


async def timed(lookup: DepartmentLookup, aims: list[LookupTarget], count: int, concurrency: int) -> list[float]:
    durations: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            started = time.perf_counter()
            await lookup.property("0012345", aims)
            durations.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(one() for _ in range(count)))
    return durations


def report(name: str, durations: list[float]) -> None:
    ordered = sorted(durations)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    median = statistics.median(ordered)
    print(f"{name:<48} n={len(ordered):<4} p50={median:7.1f} ms  p95={p95:7.1f} ms  max={ordered[-1]:7.1f} ms")


async def bench(settings: Settings, base: str, hang: str, fail: str, count: int) -> None:
    lookup = DepartmentLookup(settings)
    try:
        report("all answer, one at a time", await timed(lookup, targets(settings, base), count, 1))
        report("all answer, 20 at a time", await timed(lookup, targets(settings, base), count, 20))
        budget = settings.department_lookup_budget_seconds * 1000
        hung = await timed(lookup, targets(settings, base, hang), 20, 20)
        report(f"tax hangs (budget {budget:.0f} ms), 20 at a time", hung)
        await lookup.breakers.succeeded(PROPERTY_SOURCES[1].department)
        failing = await timed(lookup, targets(settings, base, fail), settings.department_breaker_failures, 1)
        report("tax fails (500, retried) until the breaker opens", failing)
        report("tax fails, breaker open", await timed(lookup, targets(settings, base, fail), count, 1))
    finally:
        await lookup.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    settings = Settings(database_url="sqlite://", standin_secret=SECRET)
    with serve(create_app(settings, "http://127.0.0.1:9")) as base, serve(broken("hang")) as hang:
        with serve(broken("fail")) as fail:
            print(
                f"timeout {settings.department_lookup_timeout_seconds} s, "
                f"retries {settings.department_lookup_retries}, "
                f"budget {settings.department_lookup_budget_seconds} s, breaker after "
                f"{settings.department_breaker_failures} failures"
            )
            asyncio.run(bench(settings, base, f"{hang}/property", f"{fail}/property", args.lookups))


if __name__ == "__main__":
    main()
