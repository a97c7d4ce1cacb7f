// The SNMP target address syntax: "udp:HOST[:PORT]", "udp6:[ADDR][:PORT]"
// or a bare HOST; the port defaults to 161.
#pragma once

#include <string>
#include <string_view>

namespace dc::snmp {

// True when net-snmp will accept `address` as a UDP peer; otherwise sets
// `error` to say what is wrong.
bool CheckSnmpAddress(std::string_view address, std::string& error);

}  // namespace dc::snmp
