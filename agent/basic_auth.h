// HTTP basic authentication (RFC 7617) against password hashes in the
// crypt(3) formats of libxcrypt: yescrypt ($y$, Debian's default, from
// `mkpasswd`), bcrypt ($2b$/$2y$, from `htpasswd -B`, as Prometheus
// exporters use), SHA-512 ($6$, `mkpasswd -m sha-512` or
// `openssl passwd -6`), scrypt ($7$) and gost-yescrypt ($gy$). Only hashes
// are configured; no password is ever stored or logged.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace dc::agent {

class BasicAuth {
 public:
  // User name -> hash; each hash must have passed CheckHash.
  BasicAuth(std::string realm,
            std::map<std::string, std::string, std::less<>> users);

  // Why `hash` cannot be used ("not a crypt(3) hash", a legacy method
  // such as MD5, a truncated hash), or nullopt when it can. Costs one hash
  // computation.
  static std::optional<std::string> CheckHash(std::string_view hash);

  // Whether an Authorization header value ("Basic base64(user:password)")
  // names a configured user with its password. A mismatch takes as long as
  // a match of the same user would, and an unknown user as long as a known
  // one, so timing tells neither.
  //
  // Slow hashes are slow on purpose (tens of milliseconds for bcrypt):
  // credentials that matched are remembered, as a keyed digest, so a
  // scraper sending the same ones every 15 seconds pays that once. Thread
  // safe.
  bool Allows(std::string_view authorization) const;

  // The WWW-Authenticate value of a 401 reply.
  std::string Challenge() const;

  std::size_t user_count() const { return users_.size(); }

 private:
  using Digest = std::array<unsigned char, 32>;
  Digest Remembered(std::string_view user, std::string_view password) const;

  std::string realm_;
  std::map<std::string, std::string, std::less<>> users_;
  // Per-instance random key of the remembered digests.
  std::array<unsigned char, 32> key_{};
  mutable std::mutex mutex_;
  mutable std::set<Digest> verified_;
};

// Decodes standard base64 with padding; nullopt for anything else.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace dc::agent
