#include "collectors/snmp/usm_protocols.h"

#include "collectors/snmp/netsnmp.h"

namespace dc::snmp {

AuthOid AuthProtocolOid(SnmpAuth::AuthProtocol protocol) {
  using enum SnmpAuth::AuthProtocol;
  switch (protocol) {
    case kMd5:
      return {usmHMACMD5AuthProtocol, OID_LENGTH(usmHMACMD5AuthProtocol)};
    case kSha1:
      return {usmHMACSHA1AuthProtocol, OID_LENGTH(usmHMACSHA1AuthProtocol)};
    case kSha224:
      return {usmHMAC128SHA224AuthProtocol,
              OID_LENGTH(usmHMAC128SHA224AuthProtocol)};
    case kSha256:
      return {usmHMAC192SHA256AuthProtocol,
              OID_LENGTH(usmHMAC192SHA256AuthProtocol)};
    case kSha384:
      return {usmHMAC256SHA384AuthProtocol,
              OID_LENGTH(usmHMAC256SHA384AuthProtocol)};
    case kSha512:
      return {usmHMAC384SHA512AuthProtocol,
              OID_LENGTH(usmHMAC384SHA512AuthProtocol)};
  }
  return {usmHMACSHA1AuthProtocol, OID_LENGTH(usmHMACSHA1AuthProtocol)};
}

AuthOid PrivProtocolOid(SnmpAuth::PrivProtocol protocol) {
  using enum SnmpAuth::PrivProtocol;
  switch (protocol) {
    case kDes:
      return {usmDESPrivProtocol, OID_LENGTH(usmDESPrivProtocol)};
    case kAes128:
      return {usmAESPrivProtocol, OID_LENGTH(usmAESPrivProtocol)};
    case kAes192:
      return {usmAES192PrivProtocol, OID_LENGTH(usmAES192PrivProtocol)};
    case kAes256:
      return {usmAES256PrivProtocol, OID_LENGTH(usmAES256PrivProtocol)};
  }
  return {usmAESPrivProtocol, OID_LENGTH(usmAESPrivProtocol)};
}

}  // namespace dc::snmp
