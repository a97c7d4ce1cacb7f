"""A minimal asynchronous HTTP GET and a Prometheus text-format reader.

The harness needs only GET over loopback, so it speaks HTTP/1.0 (no chunked
bodies, the server closes the connection) instead of pulling in a client
library.
"""

import asyncio
import time


class Response:
    def __init__(self, status, body, seconds):
        self.status = status
        self.body = body
        self.seconds = seconds


async def get(port, path, timeout, host="127.0.0.1"):
    """GET http://host:port/path; raises asyncio.TimeoutError on timeout."""
    start = time.monotonic()

    async def exchange():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(("GET %s HTTP/1.0\r\nHost: %s:%d\r\n"
                          "Accept: text/plain\r\n\r\n" %
                          (path, host, port)).encode())
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()

    raw = await asyncio.wait_for(exchange(), timeout)
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 else 0
    return Response(status, body, time.monotonic() - start)


def samples(body):
    """Yields (name, labels text, value text, timestamp text or None)."""
    for line in body.decode("utf-8", "replace").splitlines():
        if not line or line[0] == "#":
            continue
        brace = line.find("{")
        if brace >= 0:
            close = line.rfind("}")
            name = line[:brace]
            labels = line[brace + 1:close]
            rest = line[close + 1:].split()
        else:
            parts = line.split()
            name, labels, rest = parts[0], "", parts[1:]
        if not rest:
            continue
        yield name, labels, rest[0], rest[1] if len(rest) > 1 else None


def label(labels, key):
    """The value of label key in a labels text, or None."""
    marker = key + '="'
    start = labels.find(marker)
    if start < 0 or (start > 0 and labels[start - 1] not in ", "):
        return None
    start += len(marker)
    return labels[start:labels.index('"', start)]


def count_samples(body):
    """Sample lines in an exposition, counted over the raw bytes."""
    return sum(1 for line in body.split(b"\n") if line and line[0] != 0x23)
