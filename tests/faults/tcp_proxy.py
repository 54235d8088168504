"""A TCP proxy in a thread, between the app and PostgreSQL, that can be stopped and started.

The machine's PostgreSQL is shared (other test runs use it), so a fault test never stops
it: the app under test reaches PostgreSQL through this proxy instead, and stopping the
proxy (no more listening socket, every open connection cut) is, for the app, exactly a
PostgreSQL that went away: new connections are refused and open ones die. Starting it
again on the same port is PostgreSQL coming back.
"""
from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import _free_port


class TcpProxy:
    """127.0.0.1:<port> → `upstream`, with `stop()` and `start()`."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = _free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Listen again on the same port."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)  # the accept loop looks at least this often whether to stop
        self._listener = listener
        self._spawn(self._accept, listener)

    def stop(self) -> None:
        """Close the listening socket and cut every open connection, both ways."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            doomed, self._open = self._open, set()
        for sock in doomed:
            _cut(sock)
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = [thread for thread in self._threads if thread.is_alive()]
        assert not self._threads, "a proxy thread did not stop"

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        """Run `target` in a thread that `stop()` waits for."""
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        """Take connections until stopped; each gets its own connection to PostgreSQL."""
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by stop()
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _cut(client)
                continue
            client.settimeout(None)
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # stopped meanwhile
                    _cut(client)
                    _cut(server)
                    return
                self._open |= {client, server}
            self._spawn(self._pump, client, server)
            self._spawn(self._pump, server, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes one way until either side closes; then cut both."""
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open -= {source, sink}
            _cut(source)
            _cut(sink)


def _cut(sock: socket.socket) -> None:
    """Shut a socket both ways (waking a thread blocked on it) and close it."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
