// The net-snmp headers, as every file of the adapter includes them.
#pragma once

#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

// net-snmp spells two GETBULK fields as macros over the PDU's errstat and
// errindex, which would rename every other `max_repetitions` in a file
// (TargetConfig's among them). Code sets pdu->errstat / pdu->errindex.
#undef max_repetitions
#undef non_repeaters
