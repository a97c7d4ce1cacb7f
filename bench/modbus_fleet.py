#!/usr/bin/python3
"""Fallback Modbus TCP fleet for the benchmark: N pymodbus servers.

Used only until dcsim serves Modbus devices. Each device listens on its own
127.0.0.1 port (given on the command line) and answers every unit id with the
same holding and input registers 0..399 (a fixed pattern).
"""

import asyncio
import sys

from pymodbus.datastore import (ModbusSequentialDataBlock,
                                ModbusServerContext, ModbusSlaveContext)
from pymodbus.server import StartAsyncTcpServer


def context():
    values = [(i * 37) % 1000 for i in range(400)]
    slave = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, values),
        ir=ModbusSequentialDataBlock(0, values))
    return ModbusServerContext(slaves=slave, single=True)


async def main(ports):
    servers = [StartAsyncTcpServer(context(), address=("127.0.0.1", port))
               for port in ports]
    await asyncio.gather(*servers)


if __name__ == "__main__":
    asyncio.run(main([int(p) for p in sys.argv[1:]]))
