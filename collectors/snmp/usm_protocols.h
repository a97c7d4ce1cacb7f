// net-snmp's OIDs for the USM authentication and privacy protocols.
#pragma once

#include <cstddef>

#include "collectors/snmp/netsnmp.h"

#include "collectors/common/target.h"

namespace dc::snmp {

struct AuthOid {
  const oid* value = nullptr;
  std::size_t length = 0;
};

AuthOid AuthProtocolOid(SnmpAuth::AuthProtocol protocol);
AuthOid PrivProtocolOid(SnmpAuth::PrivProtocol protocol);

}  // namespace dc::snmp
