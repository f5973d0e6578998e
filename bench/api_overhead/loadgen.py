"""A small HTTP/1.1 load generator: keep-alive connections, several processes, no dependencies.

Each client process drives its share of the connections from one event loop (non-blocking
sockets and a selector), sending pre-built request bytes and parsing only what it needs from the
response (status line, Content-Length, Connection). That keeps the client's own cost per request
at a few tens of microseconds, so on a small machine it takes little CPU away from the server;
the runner reports that cost anyway.

Closed loop: every connection has one request in flight and sends the next as soon as the answer
arrives, so the offered concurrency is exactly the number of connections. A request counts when
its response completes inside the measured window; requests still in flight at the end are
drained (so the server is idle before the next round) and counted apart.

This module does not import Django: the client processes stay small.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import random
import selectors
import socket
import threading
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REQUEST_TIMEOUT = 10.0  # seconds without an answer before a request counts as failed


@dataclass
class Result:
    """What one client process (or, merged, one side of one round) observed."""

    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies: array = field(default_factory=lambda: array("d"))  # seconds, counted requests
    drained_ok: int = 0  # successful answers that arrived after the window closed
    connects: int = 0
    elapsed: float = 0.0  # length of the measured window
    cpu: float = 0.0  # user + system seconds of the client process(es) during the window

    def add_error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def merge(self, other: Result) -> None:
        self.ok += other.ok
        for kind, n in other.errors.items():
            self.errors[kind] = self.errors.get(kind, 0) + n
        self.latencies.extend(other.latencies)
        self.drained_ok += other.drained_ok
        self.connects += other.connects
        self.elapsed = max(self.elapsed, other.elapsed)
        self.cpu += other.cpu

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def build_requests(host: str, paths: list[str], headers: dict[str, str]) -> list[bytes]:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return [
        (f"GET {p} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n{extra}\r\n").encode()
        for p in paths
    ]


class _Conn:
    __slots__ = (
        "sock",
        "buf",
        "started",
        "busy",
        "out",
        "next_index",
        "header_end",
        "length",
        "status",
        "close",
    )

    def __init__(self, next_index: int):
        self.sock: socket.socket | None = None
        self.buf = bytearray()
        self.started = 0.0
        self.busy = False
        self.out = b""
        self.next_index = next_index
        self.header_end = -1
        self.length = -1
        self.status = 0
        self.close = False


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    """(status, content length or -1, server will close)."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, close = -1, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
        elif name == b"transfer-encoding":
            raise ValueError("chunked responses are not supported by this client")
    return status, length, close


def run_client(
    address: tuple[str, int],
    requests: list[bytes],
    connections: int,
    start_at: float,
    duration: float,
    seed: int,
) -> Result:
    """Drive `connections` keep-alive connections from `start_at` for `duration` seconds."""
    rng = random.Random(seed)
    sel = selectors.DefaultSelector()
    result = Result()
    conns = [_Conn(rng.randrange(len(requests))) for _ in range(connections)]
    stop_at = start_at + duration

    def connect(conn: _Conn) -> None:
        sock = socket.create_connection(address, timeout=REQUEST_TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        conn.sock = sock
        result.connects += 1

    def send_next(conn: _Conn, now: float) -> None:
        if conn.sock is None:
            connect(conn)
        conn.buf.clear()
        conn.header_end = conn.length = -1
        conn.close = False
        conn.out = requests[conn.next_index]
        conn.next_index = (conn.next_index + 1) % len(requests)
        conn.started = now
        conn.busy = True
        _flush(conn)

    def _flush(conn: _Conn) -> None:
        try:
            sent = conn.sock.send(conn.out)
        except BlockingIOError:
            sent = 0
        conn.out = conn.out[sent:]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.out else 0)
        try:
            sel.modify(conn.sock, events, conn)
        except KeyError:
            sel.register(conn.sock, events, conn)

    def drop(conn: _Conn) -> None:
        if conn.sock is not None:
            with contextlib.suppress(KeyError):
                sel.unregister(conn.sock)
            conn.sock.close()
            conn.sock = None

    def finished(conn: _Conn, now: float, status: int | None, error: str | None) -> bool:
        """Record one answer; returns whether another request should follow."""
        conn.busy = False
        counted = now <= stop_at
        if error is None and 200 <= (status or 0) < 300:
            if counted:
                result.ok += 1
                result.latencies.append(now - conn.started)
            else:
                result.drained_ok += 1
        else:
            result.add_error(error or f"HTTP {status}")
        if error is not None or conn.close:
            drop(conn)
        return now < stop_at

    for conn in conns:
        connect(conn)
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    cpu0 = os.times()
    t0 = time.time()
    for conn in conns:
        send_next(conn, t0)
    in_flight = len(conns)

    while in_flight:
        for key, mask in sel.select(timeout=0.5):
            conn: _Conn = key.data
            now = time.time()
            if mask & selectors.EVENT_WRITE and conn.out:
                _flush(conn)
                continue
            try:
                chunk = conn.sock.recv(262144)
            except BlockingIOError:
                continue
            except OSError as exc:
                again = finished(conn, now, None, errno.errorcode.get(exc.errno, "socket error"))
                if again:
                    send_next(conn, now)
                else:
                    in_flight -= 1
                continue
            if not chunk:
                again = finished(conn, now, None, "connection closed by server")
                if again:
                    send_next(conn, now)
                else:
                    in_flight -= 1
                continue
            conn.buf += chunk
            if conn.header_end < 0:
                conn.header_end = conn.buf.find(b"\r\n\r\n")
                if conn.header_end < 0:
                    continue
                head = bytes(conn.buf[: conn.header_end])
                conn.status, conn.length, conn.close = _parse_head(head)
                if conn.length < 0:
                    raise ValueError("response without Content-Length")
            if len(conn.buf) - conn.header_end - 4 < conn.length:
                continue
            if finished(conn, now, conn.status, None):
                send_next(conn, now)
            else:
                in_flight -= 1
        now = time.time()
        for conn in conns:
            if conn.busy and now - conn.started > REQUEST_TIMEOUT:
                if finished(conn, now, None, "timeout"):
                    send_next(conn, now)
                else:
                    in_flight -= 1
    cpu1 = os.times()
    result.elapsed = duration
    result.cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    for conn in conns:
        drop(conn)
    sel.close()
    return result


def _child(args, queue) -> None:
    try:
        queue.put(run_client(*args))
    except BaseException as exc:  # noqa: BLE001 - report, do not hang the parent
        failed = Result()
        failed.add_error(f"client crashed: {exc!r}")
        queue.put(failed)


def run_load(
    address: tuple[str, int],
    requests: list[bytes],
    *,
    connections: int,
    duration: float,
    processes: int,
    seed: int = 0,
    probe: Callable[[], Any] | None = None,
) -> tuple[Result, Any, Any]:
    """Run the load from `processes` client processes and merge what they saw.

    `probe` (if given) is called when the measured window opens and when it closes, from a
    thread of this process; both answers are returned with the result.
    """
    processes = max(1, min(processes, connections))
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.3
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    children = []
    for i, share in enumerate(shares):
        args = (address, requests, share, start_at, duration, seed * 1000 + i)
        proc = ctx.Process(target=_child, args=(args, queue), daemon=True)
        proc.start()
        children.append(proc)
    probed: list[Any] = [None, None]

    def sample() -> None:
        for i, at in enumerate((start_at, start_at + duration)):
            time.sleep(max(0.0, at - time.time()))
            probed[i] = probe()

    sampler = threading.Thread(target=sample, daemon=True) if probe else None
    if sampler:
        sampler.start()
    merged = Result()
    for _ in children:
        merged.merge(queue.get(timeout=duration + REQUEST_TIMEOUT + 30))
    for proc in children:
        proc.join(timeout=5)
    if sampler:
        sampler.join()
    return merged, probed[0], probed[1]
