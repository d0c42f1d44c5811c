"""`make run`: start the Rasa server, the action server, the gateway and the stand-in department systems;
Ctrl-C stops them all.

Ports and hosts come from the environment (GATEWAY_HOST, GATEWAY_PORT, RASA_PORT, ACTIONS_PORT,
GATEWAY_WORKERS, RASA_SERVERS, STANDIN_PORT); the defaults are the contract's.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from scripts.stack import Stack


def main() -> int:
    stack = Stack(
        host=os.environ.get("GATEWAY_HOST", "127.0.0.1"),
        gateway_port=int(os.environ.get("GATEWAY_PORT", "8000")),
        rasa_port=int(os.environ.get("RASA_PORT", "5005")),
        actions_port=int(os.environ.get("ACTIONS_PORT", "5055")),
        standin_port=int(os.environ.get("STANDIN_PORT", "8200")),
        workers=int(os.environ.get("GATEWAY_WORKERS", "1")),
        rasa_servers=int(os.environ.get("RASA_SERVERS", "1")),
    )

    def terminate(*_: object) -> None:
        stack.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, terminate)
    try:
        stack.start()
    except ValueError as exc:  # a configuration that cannot work, e.g. several Rasa servers without Redis
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    gateway = stack.gateway_url
    try:
        up = stack.wait_ready()
        print(
            "\n六安政务智能助手 is " + ("running" if up else "starting (still loading, see the logs)") + ":\n"
            f"  demo page with the chat widget  {gateway}/\n"
            f"  12345 agent console             {gateway}/console\n"
            f"  API docs (OpenAPI)              {gateway}/docs\n"
            f"  health                          {gateway}/health\n"
            f"  Rasa server(s)                  {', '.join(stack.rasa_urls)}  (actions on :{stack.actions_port})\n"
            f"  department systems (样例)        http://127.0.0.1:{stack.standin_port}/webhooks/received\n"
            "  first admin: ADMIN_PASSWORD=... .venv/bin/python -m api create-admin\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        while stack.running():
            time.sleep(1)
        dead = [name for name, proc in stack.procs.items() if proc.poll() is not None]
        print(f"stopped because {', '.join(dead)} exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
