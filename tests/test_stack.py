"""How `make run` and the benches start the processes: what each one gets in its environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts.stack import ROOT, Stack
from tests.gateway.server import free_port


def environments(**env: str) -> dict[str, dict[str, str]]:
    stack = Stack(env={"REDIS_URL": "redis://127.0.0.1:6379/0", **env}, rasa_servers=2)
    return {name: process_env for name, (_, process_env) in stack.commands().items()}


def test_every_process_does_its_math_on_one_thread() -> None:
    envs = environments()
    assert set(envs) == {"actions", "rasa", "rasa2", "gateway", "departments"}
    for name, env in envs.items():
        assert (env["OMP_NUM_THREADS"], env["OPENBLAS_NUM_THREADS"], env["MKL_NUM_THREADS"]) == ("1", "1", "1"), name


def test_an_operator_setting_wins_over_the_default() -> None:
    assert {env["OMP_NUM_THREADS"] for env in environments(OMP_NUM_THREADS="4").values()} == {"4"}


def test_only_the_rasa_servers_get_the_tensorflow_thread_settings() -> None:
    envs = environments()
    assert envs["rasa"]["TF_INTER_OP_PARALLELISM_THREADS"] == envs["rasa2"]["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert "TF_INTER_OP_PARALLELISM_THREADS" not in envs["actions"]  # it would make the action server import TF


def test_several_rasa_servers_need_redis() -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        Stack(env={}, rasa_servers=2).commands()


def test_several_gateway_workers_share_their_metrics_through_one_directory() -> None:
    one = Stack(env={}, workers=1).commands()["gateway"][1]
    two = Stack(env={}, workers=2, gateway_port=8123).commands()["gateway"][1]
    assert "PROMETHEUS_MULTIPROC_DIR" not in one
    assert two["PROMETHEUS_MULTIPROC_DIR"].endswith("metrics-8123")
    # An operator's directory is kept.
    kept = Stack(env={"PROMETHEUS_MULTIPROC_DIR": "/srv/metrics"}, workers=2).commands()["gateway"][1]
    assert kept["PROMETHEUS_MULTIPROC_DIR"] == "/srv/metrics"


def test_a_process_that_ends_while_the_stack_comes_up_is_reported_at_once_with_its_output(tmp_path: Path) -> None:
    # The gateway's port is taken (as when free_port()'s port is grabbed before the server binds it): the gateway
    # ends, and wait_ready says so without waiting out its time for the servers still loading.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cases.db", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "api", "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = {"rasa_port": free_port(), "actions_port": free_port(), "standin_port": free_port()}
        stack = Stack(env=env, gateway_port=taken.getsockname()[1], quiet=True, log_dir=tmp_path, **ports)
        started = time.monotonic()
        try:
            stack.start()
            assert not stack.wait_ready(600)
            waited = time.monotonic() - started
        finally:
            stack.stop()
    assert waited < 300  # not the 600 s of a server that never answers
    assert set(stack.exited()) >= {"gateway"}
    assert "address already in use" in stack.log_tail("gateway")
