// The server side of TLS for dcagent's HTTP endpoints: an OpenSSL context
// built from PEM files, checked when the configuration is loaded so that a
// bad certificate or key is a configuration error naming the file.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace dc::agent {

struct TlsFiles {
  // The server certificate, followed by any intermediate certificates.
  std::filesystem::path cert_file;
  // Its private key, unencrypted (the agent starts unattended).
  std::filesystem::path key_file;
  // Set: mutual TLS. Clients must present a certificate issued by one of
  // these CAs, or the handshake fails.
  std::optional<std::filesystem::path> client_ca_file;
  // Lowest protocol version accepted: "1.2" or "1.3".
  std::string min_version = "1.2";
};

// Which key of TlsFiles a problem is about, for the configuration reader to
// point at the right line.
enum class TlsKey { kCertFile, kKeyFile, kClientCaFile };

struct TlsProblem {
  TlsKey key;
  // Names the file, for example "cannot read \"/etc/x.crt\": No such file
  // or directory".
  std::string message;
};

// Reads the files now (a later change to them needs a reload) and returns
// a context for accepting TLS connections: TLS 1.2 with forward-secret
// AEAD ciphers, or TLS 1.3; no compression or renegotiation.
std::expected<std::shared_ptr<boost::asio::ssl::context>, TlsProblem>
MakeServerTlsContext(const TlsFiles& files);

}  // namespace dc::agent
