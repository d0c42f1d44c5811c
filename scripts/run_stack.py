"""`make run`: start the Rasa server, the action server and the gateway; Ctrl-C stops all three.

Runs with the app environment's Python; the Rasa processes run in .venv-rasa. Ports and hosts come from
the environment (GATEWAY_PORT, RASA_PORT, ACTIONS_PORT), the defaults are the contract's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv-rasa" / "bin" / "rasa")
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")


def rasa_env(base: dict[str, str]) -> tuple[dict[str, str], str]:
    """Rasa's Redis tracker/lock stores take host/port/db, not a URL: derive them from REDIS_URL."""
    env = dict(base)
    redis_url = env.get("REDIS_URL")
    if not redis_url:
        return env, "bot/endpoints.yml"
    parsed = urlparse(redis_url)
    env.update(
        REDIS_HOST=parsed.hostname or "127.0.0.1",
        REDIS_PORT=str(parsed.port or 6379),
        REDIS_DB=(parsed.path.lstrip("/") or "0"),
        REDIS_PASSWORD=parsed.password or "",
        REDIS_PREFIX=env.get("REDIS_PREFIX", "luan:"),
    )
    return env, "bot/endpoints.redis.yml"


def wait_until_up(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(1)
    return False


def main() -> int:
    host = os.environ.get("GATEWAY_HOST", "127.0.0.1")
    gateway_port = os.environ.get("GATEWAY_PORT", "8000")
    rasa_port = os.environ.get("RASA_PORT", "5005")
    actions_port = os.environ.get("ACTIONS_PORT", "5055")
    workers = os.environ.get("GATEWAY_WORKERS", "1")
    base = dict(os.environ, PYTHONPATH=str(ROOT))
    base.setdefault("RASA_URL", f"http://127.0.0.1:{rasa_port}")
    base.setdefault("GATEWAY_URL", f"http://{host}:{gateway_port}")
    base.setdefault("ACTION_SERVER_URL", f"http://127.0.0.1:{actions_port}/webhook")
    env_rasa, endpoints = rasa_env(base)
    commands = {
        "actions": ([RASA, "run", "actions", "--actions", "actions", "--port", actions_port], env_rasa),
        "rasa": (
            [
                RASA,
                "run",
                "--enable-api",
                "--model",
                "models",
                "--endpoints",
                endpoints,
                "--credentials",
                "bot/credentials.yml",
                "--port",
                rasa_port,
                "-i",
                "127.0.0.1",
            ],
            env_rasa,
        ),
        "gateway": (
            [UVICORN, "api.main:app", "--host", host, "--port", gateway_port, "--workers", workers, "--no-access-log"],
            base,
        ),
    }
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, (cmd, env) in commands.items()}

    def stop(*_: object) -> None:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    def terminate(*_: object) -> None:
        stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, terminate)
    gateway = f"http://{host}:{gateway_port}"
    try:
        up = wait_until_up(f"{gateway}/health", 180) and wait_until_up(f"http://127.0.0.1:{rasa_port}/", 300)
        print(
            "\n六安政务智能助手 is " + ("running" if up else "starting (still loading, see the logs)") + ":\n"
            f"  demo page with the chat widget  {gateway}/\n"
            f"  12345 agent console             {gateway}/console\n"
            f"  API docs (OpenAPI)              {gateway}/docs\n"
            f"  health                          {gateway}/health\n"
            f"  Rasa server                     http://127.0.0.1:{rasa_port}  (actions on :{actions_port})\n"
            "  first admin: ADMIN_PASSWORD=... .venv/bin/python -m api create-admin\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while all(proc.poll() is None for proc in procs.values()):
            time.sleep(1)
        dead = [name for name, proc in procs.items() if proc.poll() is not None]
        print(f"stopped because {', '.join(dead)} exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
