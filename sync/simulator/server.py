"""Serve the simulator over HTTP: blocking for the management command, threaded for tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from sync.simulator.app import SimulatorApp
from sync.simulator.state import SimulatorState


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    # a request held by a timeout fault must not keep the process alive
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """One line per request would drown test output; /_sim/stats has the numbers."""


def make_server(host: str, port: int, state: SimulatorState) -> WSGIServer:
    server = _ThreadingServer((host, port), _QuietHandler)
    server.set_app(SimulatorApp(state))
    return server


def base_url_of(server: WSGIServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def serve(
    host: str = "127.0.0.1",
    port: int = 8900,
    seed: int = 0,
    *,
    rate_limit_scale: float = 1.0,
    anchor_ms: int | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted; ``on_ready`` receives the base URL once the socket listens."""
    state = SimulatorState(seed, anchor_ms=anchor_ms, rate_limit_scale=rate_limit_scale)
    with make_server(host, port, state) as server:
        if on_ready is not None:
            on_ready(base_url_of(server))
        server.serve_forever()


@dataclass
class RunningSimulator:
    base_url: str
    state: SimulatorState
    server: WSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.state.reset()  # releases requests held by faults
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_in_thread(
    seed: int = 0,
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    rate_limit_scale: float = 1.0,
    anchor_ms: int | None = None,
) -> RunningSimulator:
    """Start on ``port`` (0: any free port) in a daemon thread and return at once."""
    state = SimulatorState(seed, anchor_ms=anchor_ms, rate_limit_scale=rate_limit_scale)
    server = make_server(host, port, state)
    thread = threading.Thread(target=server.serve_forever, name="exchange-simulator", daemon=True)
    thread.start()
    return RunningSimulator(base_url_of(server), state, server, thread)
