// The SNMP target address syntax: "udp:HOST[:PORT]", "udp6:[ADDR][:PORT]"
// or a bare HOST; the port defaults to 161.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dc::snmp {

// An address taken apart.
struct SnmpAddress {
  bool v6 = false;  // "udp6:"
  std::string host;
  int port = 161;
};

// The parts of `address`, or nullopt with `error` set to what is wrong.
std::optional<SnmpAddress> ParseSnmpAddress(std::string_view address,
                                            std::string& error);

// True when net-snmp will accept `address` as a UDP peer; otherwise sets
// `error` to say what is wrong.
bool CheckSnmpAddress(std::string_view address, std::string& error);

// Whether `host` is an IPv4 or IPv6 address rather than a name that needs
// a lookup.
bool IsNumericHost(std::string_view host);

// The net-snmp peer name for a numeric `ip` and a port: "udp:IP:PORT" or
// "udp6:[IP]:PORT".
std::string NumericPeer(std::string_view ip, bool v6, int port);

}  // namespace dc::snmp
