// SNMPv3 master keys (Ku), derived once per password.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/common/target.h"

namespace dc::snmp {

struct UsmMasterKeys {
  std::vector<unsigned char> auth;  // Ku from the auth password
  std::vector<unsigned char> priv;  // Ku from the priv password
};

// Derives Ku, the slow step of USM (a megabyte of hashing per password),
// and remembers it, so ten thousand targets sharing one credential pay
// for it once. Localized keys (Kul) are made per engine from these by
// the session. Not thread-safe: used from the agent's io_context thread.
class UsmKeyCache {
 public:
  // Keys for `auth`; nullopt with `error` set when net-snmp rejects the
  // password (shorter than 8 characters) or the protocol.
  std::optional<UsmMasterKeys> Get(const SnmpAuth& auth, std::string& error);

 private:
  std::optional<std::vector<unsigned char>> Derive(
      SnmpAuth::AuthProtocol protocol, const std::string& password,
      std::string& error);

  std::map<std::string, std::vector<unsigned char>> cache_;
};

}  // namespace dc::snmp
