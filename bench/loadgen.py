"""A small, bounded HTTP/1.1 load generator for 127.0.0.1, on the standard library only.

``concurrency`` connections each send GET requests one after another until the fixed number
of requests is used up. A connection is kept alive while the server allows it; gunicorn's
sync workers answer ``Connection: close``, so then every request opens a new connection, the
same for every page measured. Only loopback addresses are accepted: this is not a tool for
loading anybody else's server.
"""

import asyncio
import ipaddress
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    requests: int
    seconds: float
    statuses: dict = field(default_factory=dict)  # status -> count; 0 = connection error
    latencies: list = field(default_factory=list)  # seconds, per request

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ok(self):
        return self.statuses.get(200, 0)

    @property
    def p50_ms(self):
        return 1000 * statistics.median(self.latencies) if self.latencies else None

    @property
    def p95_ms(self):
        if len(self.latencies) < 2:
            return self.p50_ms
        return 1000 * statistics.quantiles(self.latencies, n=20)[-1]


class Connection:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, raw_request):
        """Send one request; returns (status, keep_alive)."""
        if self.writer is None:
            await self.open()
        self.writer.write(raw_request)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed before the response")
        version, status = status_line.split(b" ", 2)[:2]
        length, chunked = None, False
        keep_alive = version == b"HTTP/1.1"
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _colon, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value:
                chunked = True
            elif name == b"connection":
                keep_alive = value == b"keep-alive" or (keep_alive and value != b"close")
        if chunked:
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length is not None:
            await self.reader.readexactly(length)
        else:
            await self.reader.read()
            keep_alive = False
        return int(status), keep_alive


def _request_bytes(host, port, path, cookies):
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "User-Agent: ranham-bench",
        "Accept: text/html",
        "Connection: keep-alive",
    ]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


async def _run(host, port, path, cookies, requests, concurrency):
    raw = _request_bytes(host, port, path, cookies)
    remaining = requests
    result = LoadResult(requests=requests, seconds=0.0)

    async def client():
        nonlocal remaining
        connection = Connection(host, port)
        try:
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                try:
                    status, keep_alive = await connection.get(raw)
                except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError):
                    status, keep_alive = 0, False
                result.latencies.append(time.perf_counter() - started)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if not keep_alive:
                    connection.close()
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


def load(host, port, path, *, cookies=None, requests=200, concurrency=4):
    """Send ``requests`` GETs of ``path`` over ``concurrency`` connections; returns the result."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError("The benchmark only loads a server on this machine (127.0.0.1).")
    return asyncio.run(_run(host, port, path, cookies or {}, requests, concurrency))
