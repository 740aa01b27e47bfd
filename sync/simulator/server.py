"""Serve the simulator over HTTP: blocking for the management command, threaded for tests."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from sync.simulator.app import WIRE_KEY, SimulatorApp
from sync.simulator.state import SimulatorState


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    # a request held by a timeout fault must not keep the process alive
    daemon_threads = True
    allow_reuse_address = True


class _WireHandler(ServerHandler):
    def handle_error(self) -> None:
        """A dropped connection says nothing, not even a 500."""
        if not self.environ.get(WIRE_KEY, {}).get("dropped"):
            super().handle_error()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """One line per request would drown test output; /_sim/stats has the numbers."""

    def handle(self) -> None:
        """WSGIRequestHandler.handle, with a way for the app to drop the connection."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        wire: dict[str, bool] = {}
        environ = self.get_environ()
        environ[WIRE_KEY] = wire
        handler = _WireHandler(self.rfile, self.wfile, self.get_stderr(), environ)
        handler.request_handler = self
        handler.run(self.server.get_app())
        if wire.get("dropped"):
            # close with a reset, as a dropped connection reaches the client
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True


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
