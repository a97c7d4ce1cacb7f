#include "collectors/snmp/usm_keys.h"

#include "collectors/snmp/netsnmp.h"

#include "collectors/snmp/usm_protocols.h"

namespace dc::snmp {

std::optional<std::vector<unsigned char>> UsmKeyCache::Derive(
    SnmpAuth::AuthProtocol protocol, const std::string& password,
    std::string& error) {
  // The cache key holds the password: it lives only in this process, like
  // the configuration it came from.
  std::string key = std::to_string(static_cast<int>(protocol));
  key += '\0';
  key += password;
  if (auto it = cache_.find(key); it != cache_.end())
    return it->second;

  if (password.size() < USM_LENGTH_P_MIN) {
    error = "SNMPv3 passwords need at least 8 characters";
    return std::nullopt;
  }
  AuthOid auth = AuthProtocolOid(protocol);
  std::vector<unsigned char> ku(USM_AUTH_KU_LEN);
  std::size_t length = ku.size();
  if (generate_Ku(auth.value, static_cast<u_int>(auth.length),
                  reinterpret_cast<const u_char*>(password.data()),
                  password.size(), ku.data(), &length) != SNMPERR_SUCCESS) {
    error = "net-snmp could not derive a key from the password";
    return std::nullopt;
  }
  ku.resize(length);
  cache_.emplace(std::move(key), ku);
  return ku;
}

std::optional<UsmMasterKeys> UsmKeyCache::Get(const SnmpAuth& auth,
                                              std::string& error) {
  UsmMasterKeys keys;
  if (auth.level == SnmpAuth::Level::kNoAuthNoPriv)
    return keys;
  auto a = Derive(auth.auth_protocol, auth.auth_password.Reveal(), error);
  if (!a)
    return std::nullopt;
  keys.auth = std::move(*a);
  if (auth.level == SnmpAuth::Level::kAuthPriv) {
    // The privacy key is derived with the authentication hash (RFC 3414).
    auto p = Derive(auth.auth_protocol, auth.priv_password.Reveal(), error);
    if (!p)
      return std::nullopt;
    keys.priv = std::move(*p);
  }
  return keys;
}

}  // namespace dc::snmp
