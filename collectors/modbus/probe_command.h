// `dcagent modbus-probe`: reads raw registers from a device and prints them
// decoded as every type and word order, to identify an undocumented map.
#pragma once

namespace dc::modbus {

// argv[0] is "modbus-probe". Prints to stdout; errors to stderr. Returns 0
// on success, 1 when the device could not be read, 2 for bad arguments.
int RunProbeCommand(int argc, char** argv);

}  // namespace dc::modbus
