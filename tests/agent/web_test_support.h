// Helpers of the HTTPS, basic-auth and gzip tests: a scratch folder, a
// test PKI made with the openssl command at run time, and a small HTTP(S)
// client that verifies the server the way Prometheus does.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

namespace dc::agent::testing {

// A fresh folder under the system's temporary folder, removed with
// everything in it when destroyed.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path Write(const std::string& name,
                              const std::string& text) const;

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
CommandResult RunCommand(const std::string& command);
bool OnPath(const std::string& program);

// Certificates and keys (PEM, ECDSA P-256) in one folder: a server CA and
// a server certificate for IP 127.0.0.1; a client CA with a client
// certificate; and a second, unrelated CA with a client certificate of its
// own. Made by `openssl` on each call, so nothing is committed.
struct TestPki {
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert, server_key;
  std::filesystem::path client_ca_cert;
  std::filesystem::path client_cert, client_key;
  std::filesystem::path stranger_cert, stranger_key;
};
// Fails the calling test (and returns nullopt) when openssl fails.
std::optional<TestPki> MakeTestPki(const std::filesystem::path& dir);

// One more server certificate for 127.0.0.1 from the same CA, with the
// given common name (to tell certificates apart after a reload).
bool MakeServerCert(const TestPki& pki, const std::filesystem::path& dir,
                    const std::string& name);

struct HttpOptions {
  std::string method = "GET";
  // Use TLS, verifying the server against this CA and IP 127.0.0.1.
  std::optional<std::filesystem::path> ca_cert;
  // Present this client certificate.
  std::optional<std::filesystem::path> client_cert, client_key;
  // Offer TLS 1.2 at most.
  bool tls12_only = false;
  std::map<std::string, std::string> headers;
};

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  // Common name of the server certificate (TLS only).
  std::string server_cn;
};

// One request on a new connection; a failure to connect, handshake or read
// is an error string.
std::expected<HttpReply, std::string> Fetch(
    const boost::asio::ip::tcp::endpoint& endpoint, const std::string& target,
    const HttpOptions& options = {});

// "Basic base64(user:password)".
std::string BasicAuthorization(const std::string& user,
                               const std::string& password);

// Inflates a gzip body with zlib; nullopt when it is not valid gzip.
std::optional<std::string> Gunzip(const std::string& data);

}  // namespace dc::agent::testing
