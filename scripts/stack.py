"""The three processes of the assistant (Rasa server, action server, gateway) as one unit.

Used by `make run` (scripts/run_stack.py), the chat benchmark and the end-to-end tests.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = str(ROOT / ".venv-rasa" / "bin" / "python")
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")
GATEWAY_PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Every process of the stack answers one request at a time per event loop, and the processes already share
# the cores. Multi-threaded numpy/torch math (OpenBLAS, OpenMP) only adds worker threads that spin-wait after
# each small operation, burning a core the other processes need: measured in a Rasa server, 37.8 ms of CPU
# per knowledge answer with the default threads against 18.6 ms with one, for the same wall time.
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
SINGLE_THREADED_MATH = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def rasa_env(base: dict[str, str]) -> tuple[dict[str, str], str]:
    """Rasa's Redis tracker/lock stores take host/port/db, not a URL: derive them from REDIS_URL."""
    env = dict(base)
    redis_url = env.get("REDIS_URL")
    if not redis_url:
        return env, "endpoints.yml"
    parsed = urlparse(redis_url)
    env.update(
        REDIS_HOST=parsed.hostname or "127.0.0.1",
        REDIS_PORT=str(parsed.port or 6379),
        REDIS_DB=(parsed.path.lstrip("/") or "0"),
        REDIS_PASSWORD=parsed.password or "",
        # Rasa silently ignores key prefixes that are not alphanumeric.
        REDIS_PREFIX=re.sub(r"[^A-Za-z0-9]", "", env.get("REDIS_PREFIX", "luan")) or "luan",
        # Personal data must not be kept forever: a conversation's record expires after 30 days of silence.
        TRACKER_RECORD_SECONDS=env.get("TRACKER_RECORD_SECONDS", str(30 * 24 * 3600)),
    )
    return env, "endpoints.redis.yml"


def wait_until_up(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


@dataclass
class Stack:
    """Start with `with Stack(...) as stack:`; ports and environment are the caller's."""

    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    # The local stand-in department systems (scripts/standin_departments.py, docs/departments.md).
    standin_port: int = 8200
    workers: int = 1
    # Rasa servers on rasa_port, rasa_port + 1, ...; more than one needs REDIS_URL (shared trackers and locks).
    rasa_servers: int = 1
    quiet: bool = False
    # Where each process writes its output (<name>.log) instead of the terminal, so that a quiet stack that fails
    # to come up can say why (tests/e2e/conftest.py shows the end of a dead process's log).
    log_dir: Path | None = None
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.rasa_port + i}" for i in range(self.rasa_servers)]

    def commands(self) -> dict[str, tuple[list[str], dict[str, str]]]:
        base = {**SINGLE_THREADED_MATH, **self.env, "PYTHONPATH": str(ROOT)}
        if self.rasa_servers > 1 and not base.get("REDIS_URL"):
            raise ValueError("several Rasa servers share conversations through Redis: set REDIS_URL")
        base.setdefault("RASA_URL", ",".join(self.rasa_urls))
        base.setdefault("GATEWAY_URL", self.gateway_url)
        base.setdefault("ACTION_SERVER_URL", f"http://127.0.0.1:{self.actions_port}/webhook")
        # Rasa's HTTP API (trackers: every resident's messages) answers only with this token; the gateway sends it.
        base.setdefault("RASA_TOKEN", secrets.token_urlsafe(32))
        env_rasa, endpoints = rasa_env(base)
        # One TensorFlow thread per Rasa server: the servers already share the cores, and extra threads
        # only contend with each other (measured: slightly less CPU and lower latency per message).
        # Only the servers get these.
        env_server = {
            "TF_INTRA_OP_PARALLELISM_THREADS": "1",
            "TF_INTER_OP_PARALLELISM_THREADS": "1",
            **env_rasa,
        }
        # rasa-sdk's own entry point: `rasa run actions` runs the same server through Rasa's CLI, which imports
        # Rasa and TensorFlow for nothing (measured: 207 MB resident against 67 MB).
        actions = [RASA_PYTHON, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)]
        gateway = [UVICORN, "api.main:app", "--host", self.host, "--port", str(self.gateway_port)]
        gateway += ["--workers", str(self.workers), "--no-access-log"]
        # rasa-sdk listens on every interface unless told (SANIC_HOST): only the local Rasa server calls it.
        commands = {"actions": (actions, {"SANIC_HOST": "127.0.0.1", **env_rasa})}
        for i, url in enumerate(self.rasa_urls):
            # bot.serve is `rasa` with a fix for the cost of every custom action (see its docstring).
            rasa = [RASA_PYTHON, "-m", "bot.serve", "run", "--enable-api", "--model", "models"]
            # One argument with "=": a token starting with "-" (1 in 64 of token_urlsafe's) is otherwise read as
            # an option and Rasa refuses to start ("--auth-token: expected one argument").
            rasa += [f"--auth-token={base['RASA_TOKEN']}"]
            rasa += ["--endpoints", endpoints, "--credentials", "credentials.yml"]
            rasa += ["--port", url.rsplit(":", 1)[1], "-i", "127.0.0.1"]
            commands["rasa" if i == 0 else f"rasa{i + 1}"] = (rasa, env_server)
        gateway_env = base
        if self.workers > 1 and not base.get(METRICS_DIR):
            # Several workers: any worker's /metrics must add up all of them (api/metrics.py); emptied at start.
            gateway_env = {**base, METRICS_DIR: str(ROOT / "var" / f"metrics-{self.gateway_port}")}
        commands["gateway"] = (gateway, gateway_env)
        standin = [GATEWAY_PYTHON, str(ROOT / "scripts" / "standin_departments.py")]
        commands["departments"] = (standin, {**base, "STANDIN_PORT": str(self.standin_port)})
        return commands

    def start(self) -> None:
        for name, (cmd, env) in self.commands().items():
            if name == "gateway" and env.get(METRICS_DIR):
                # Files of an earlier run would be added to this one's figures.
                shutil.rmtree(env[METRICS_DIR], ignore_errors=True)
                os.makedirs(env[METRICS_DIR])
            self.launch(name, cmd, env)

    def launch(self, name: str, cmd: list[str], env: dict[str, str]) -> None:
        """Start one process of the stack as `name` (again, after it was killed: tests/own_servers.py)."""
        if self.log_dir is not None:
            with (self.log_dir / f"{name}.log").open("ab") as log:  # the child keeps its own descriptor
                self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            return
        output = subprocess.DEVNULL if self.quiet else None
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=output, stderr=output)

    def wait_ready(self, seconds: float = 300) -> bool:
        """Whether the gateway and every Rasa server answer within `seconds`; False at once when a process ends
        (a port taken meanwhile, a crash) instead of waiting out the time for a server that is gone."""
        deadline = time.monotonic() + seconds
        pending = [f"{self.gateway_url}/health", *(f"{url}/" for url in self.rasa_urls)]
        while pending and time.monotonic() < deadline and not self.exited():
            if wait_until_up(pending[0], 0.1):
                pending.pop(0)
            else:
                time.sleep(0.5)
        return not pending and not self.exited()

    def exited(self) -> dict[str, int]:
        """The processes that have ended, with their exit codes."""
        return {name: code for name, proc in self.procs.items() if (code := proc.poll()) is not None}

    def log_tail(self, name: str, lines: int = 25) -> str:
        path = self.log_dir / f"{name}.log" if self.log_dir is not None else None
        if path is None or not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def running(self) -> bool:
        return all(proc.poll() is None for proc in self.procs.values())

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
