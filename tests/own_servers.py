"""Servers of a test's own, on free ports, that the test stops and starts again, and processes of a running stack
that it kills and starts again (the fault tests)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import redis

from scripts.stack import Stack
from tests.gateway.server import free_port


class OwnRedis:
    """A throwaway redis-server."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._directory = directory
        self._server: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self._server = subprocess.Popen([*command, "--dir", str(self._directory)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self._server is not None:
            self._server.terminate()
            self._server.wait(10)
            self._server = None


class OwnPostgres:
    """A throwaway PostgreSQL cluster (initdb in a temporary directory), as scripts/with_test_servers.sh makes
    for the whole run; this one is the test's to restart."""

    def __init__(self, directory: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        self._bin = Path(found[-1]) if found else Path(os.path.dirname(shutil.which("pg_ctl") or "/usr/bin/pg_ctl"))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._data = directory / "pg"
        self._directory = directory
        self._data.mkdir()
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(directory, "postgres")
            shutil.chown(self._data, "postgres")
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "-A", "trust", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self._bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self._directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self._directory / "postgres.log")
        self._run("pg_ctl", "-D", str(self._data), "-l", log, "-w", "-t", "60", "-o", options, "start")
        with psycopg.connect(self.url, connect_timeout=5):
            pass

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop")


def kill(stack: Stack, name: str) -> None:
    """SIGKILL one process of the stack, as a crash or the OOM killer ends it: no shutdown of any kind."""
    process = stack.procs[name]
    process.kill()
    process.wait(10)


def start_process(stack: Stack, name: str, gateway_port: int | None = None) -> None:
    """Start the stack's process `name` again after `kill`. With `gateway_port`, `name` is another gateway
    process on that port (a second replica on the same database, Redis and Rasa); stack.stop() stops it too.
    The stack's environment must fix RASA_TOKEN: every command is built afresh, with a new token otherwise."""
    built = replace(stack, gateway_port=gateway_port) if gateway_port else stack
    command, env = built.commands()["gateway" if gateway_port else name]
    stack.launch(name, command, env)
