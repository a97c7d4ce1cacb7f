#!/usr/bin/python3
"""A Modbus server for dcagent's tests, built on pymodbus 3.0.

It serves register images a test writes as JSON, over TCP on 127.0.0.1 or
over RTU on a pseudo-terminal it creates, and misbehaves on request:
"illegal data address" for chosen registers, other exception codes, slow
replies, a dropped connection and (RTU) a corrupted checksum. Every
request's function code is appended to a log file, so a test can prove
which function codes a client sent and when (one "CODE SECONDS" line per
request, SECONDS from a monotonic clock).

Usage:
  modbus_server.py --tcp --image IMAGE.json --log CODES.log
  modbus_server.py --rtu --image IMAGE.json --log CODES.log

The first line on stdout is "PORT <n>" (TCP) or "PTY <path>" (RTU), printed
once the server accepts requests. SIGTERM stops it.

IMAGE.json:
  {"units": {"1": {
      "holding": [[address, value], ...], "input": [...],
      "coils": [[address, 0 or 1], ...], "discrete": [...],
      "illegal": {"holding": [address, ...], "input": [...]},
      "exception": [[function, address, code], ...],
      "slow": [[function, address, seconds], ...],
      "drop_once": [[function, address], ...],
      "crc_once": [[function, address], ...]}}}
A request whose range covers a listed address triggers the behaviour.
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import time
import tty

from pymodbus.datastore import ModbusServerContext
from pymodbus.factory import ServerDecoder
from pymodbus.pdu import ExceptionResponse
from pymodbus.server.async_io import (
    ModbusBaseRequestHandler,
    ModbusConnectedRequestHandler,
    ModbusSerialServer,
    ModbusSingleRequestHandler,
    ModbusTcpServer,
)
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

TABLES = {1: "coils", 2: "discrete", 3: "holding", 4: "input"}


class ImageContext:
    """One unit's registers; addresses are the 0-based wire addresses."""

    def __init__(self, spec):
        self.values = {fc: dict(map(tuple, spec.get(name, [])))
                       for fc, name in TABLES.items()}
        illegal = spec.get("illegal", {})
        self.illegal = {fc: set(illegal.get(name, []))
                        for fc, name in TABLES.items()}
        self.exception = [tuple(e) for e in spec.get("exception", [])]
        self.slow = [tuple(e) for e in spec.get("slow", [])]
        self.drop_once = {tuple(e) for e in spec.get("drop_once", [])}
        self.crc_once = {tuple(e) for e in spec.get("crc_once", [])}

    def validate(self, fc, address, count=1):
        if fc not in TABLES:
            return False
        return not any(a in self.illegal[fc]
                       for a in range(address, address + count))

    def getValues(self, fc, address, count=1):  # pylint: disable=invalid-name
        table = self.values[fc]
        return [table.get(a, 0) for a in range(address, address + count)]

    def setValues(self, fc, address, values):  # pylint: disable=invalid-name
        raise RuntimeError("this test server is read-only")


def covers(request, fc, address):
    start = getattr(request, "address", None)
    count = getattr(request, "count", 1) or 1
    return (request.function_code == fc and start is not None
            and start <= address < start + count)


class Behaviour:
    """Applies a unit's misbehaviour to a request before pymodbus runs it."""

    def __init__(self, log_path):
        self.log = open(log_path, "a", buffering=1, encoding="ascii")
        self.corrupt_next_reply = False

    def record(self, function_code):
        self.log.write(f"{function_code} {time.monotonic():.6f}\n")

    def before(self, handler, request, addr):
        """Returns True when the request was fully handled here."""
        try:
            unit = handler.server.context[request.unit_id]
        except Exception:  # pylint: disable=broad-except
            return False
        for fc, address in list(unit.drop_once):
            if covers(request, fc, address):
                unit.drop_once.discard((fc, address))
                handler.transport.close()
                return True
        for fc, address in list(unit.crc_once):
            if covers(request, fc, address):
                unit.crc_once.discard((fc, address))
                self.corrupt_next_reply = True
        for fc, address, seconds in unit.slow:
            if covers(request, fc, address):
                time.sleep(seconds)
        for fc, address, code in unit.exception:
            if covers(request, fc, address):
                response = ExceptionResponse(request.function_code, code)
                response.transaction_id = request.transaction_id
                response.unit_id = request.unit_id
                handler.send(response, *addr)
                return True
        return False


BEHAVIOUR = None


def install_hooks():
    """Records every decoded function code and runs the misbehaviours."""
    original_decode = ServerDecoder.decode

    def decode(self, message):
        if message:
            BEHAVIOUR.record(message[0])
        return original_decode(self, message)

    ServerDecoder.decode = decode

    original_execute = ModbusBaseRequestHandler.execute

    def execute(self, request, *addr):
        if not BEHAVIOUR.before(self, request, addr):
            original_execute(self, request, *addr)

    ModbusBaseRequestHandler.execute = execute


class PtyTransport(asyncio.Transport):
    """Writes replies to the pty master; can corrupt one reply's CRC."""

    def __init__(self, fd, slave_name):
        super().__init__()
        self.fd = fd
        self.serial = type("Port", (), {"port": slave_name})()

    def write(self, data):
        data = bytearray(data)
        if BEHAVIOUR.corrupt_next_reply and data:
            BEHAVIOUR.corrupt_next_reply = False
            data[-1] ^= 0xFF
        os.write(self.fd, bytes(data))

    def close(self):
        pass

    def get_extra_info(self, name, default=None):
        return default


async def serve_tcp(context):
    server = ModbusTcpServer(context, ModbusSocketFramer, None,
                             ("127.0.0.1", 0),
                             handler=ModbusConnectedRequestHandler,
                             allow_reuse_address=True)
    server.server = await server.loop.create_server(
        lambda: server.handler(server), "127.0.0.1", 0)
    port = server.server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    await server.server.serve_forever()


async def serve_rtu(context):
    master, slave = os.openpty()
    tty.setraw(slave)
    slave_name = os.ttyname(slave)
    server = ModbusSerialServer(context, ModbusRtuFramer, port=slave_name,
                                handler=ModbusSingleRequestHandler)
    protocol = ModbusSingleRequestHandler(server)
    protocol.connection_made(PtyTransport(master, slave_name))

    loop = asyncio.get_running_loop()

    def readable():
        try:
            data = os.read(master, 4096)
        except OSError:
            return  # no client has the line open
        if data:
            protocol.data_received(data)

    loop.add_reader(master, readable)
    print(f"PTY {slave_name}", flush=True)
    # The slave end stays open here so the line never hangs up between
    # clients.
    await asyncio.Event().wait()
    os.close(slave)


def main():
    global BEHAVIOUR  # pylint: disable=global-statement
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--tcp", action="store_true")
    mode.add_argument("--rtu", action="store_true")
    parser.add_argument("--image", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    with open(args.image, encoding="utf-8") as f:
        image = json.load(f)
    slaves = {int(unit): ImageContext(spec)
              for unit, spec in image["units"].items()}
    context = ModbusServerContext(slaves=slaves, single=False)
    BEHAVIOUR = Behaviour(args.log)
    install_hooks()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(serve_tcp(context) if args.tcp else serve_rtu(context))


if __name__ == "__main__":
    main()
