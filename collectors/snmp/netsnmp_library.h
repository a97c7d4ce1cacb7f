// One-time set-up of the net-snmp library for a monitoring client.
#pragma once

namespace dc::snmp {

// Initialises net-snmp once per process (later calls do nothing):
// numeric OIDs only, so no MIB directory is indexed and no MIB parsed; no
// snmp.conf read (neither system nor ~/.snmp); no persistent state
// loaded or written (nothing under /var/lib/snmp); library logging off,
// since every failure reaches the caller as a poll error instead.
// Sets MIBS="" in the environment, as net-snmp's own tools do for "-m".
void InitNetSnmpLibrary();

}  // namespace dc::snmp
