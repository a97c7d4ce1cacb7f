"""A receiver for collectd's binary network protocol (the network plugin).

The harness only needs, per value list, the host it belongs to, the time it
was read and how many values it holds; every other part is skipped. Parts
are type (2 bytes), length including the header (2 bytes), then the body,
all big-endian.
"""

import socket
import struct
import threading

_HOST = 0x0000
_TIME = 0x0001
_VALUES = 0x0006
_TIME_HR = 0x0008


def value_lists(packet):
    """Yields (host, read time in seconds, number of values) per list."""
    host, when = "", 0.0
    offset = 0
    while offset + 4 <= len(packet):
        kind, length = struct.unpack_from(">HH", packet, offset)
        if length < 4 or offset + length > len(packet):
            raise ValueError("a part runs past the end of the datagram")
        body = packet[offset + 4:offset + length]
        if kind == _HOST:
            host = body.rstrip(b"\0").decode("utf-8", "replace")
        elif kind == _TIME_HR:
            when = struct.unpack(">Q", body)[0] / 2**30
        elif kind == _TIME:
            when = float(struct.unpack(">Q", body)[0])
        elif kind == _VALUES:
            yield host, when, struct.unpack_from(">H", body)[0]
        offset += length


class Receiver:
    """A UDP socket on 127.0.0.1 that tallies what collectd sends.

    A thread of its own reads the socket, so a busy harness (parsing a large
    exposition) never lets datagrams pile up and drop. newest maps host to
    the newest read time seen; values counts the values received.
    """

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # Bursts of a whole read round must not overflow the socket; root
        # may go past net.core.rmem_max.
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUFFORCE,
                                 32 << 20)
        except (OSError, AttributeError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.newest = {}
        self.values = 0
        self.malformed = 0
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while self.running:
            try:
                packet = self.sock.recv(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                try:
                    for host, when, count in value_lists(packet):
                        self.values += count
                        if when > self.newest.get(host, 0.0):
                            self.newest[host] = when
                except (struct.error, ValueError):
                    self.malformed += 1  # the rest of this datagram is lost

    def snapshot(self):
        """(values received so far, a copy of newest)."""
        with self.lock:
            return self.values, dict(self.newest)

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()
