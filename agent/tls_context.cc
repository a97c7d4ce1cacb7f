#include "agent/tls_context.h"

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <boost/asio/ssl/context.hpp>

namespace dc::agent {
namespace {

namespace ssl = boost::asio::ssl;
using Context = std::shared_ptr<ssl::context>;

// TLS 1.2 suites Prometheus (Go) offers that have forward secrecy and
// authenticated encryption; TLS 1.3 suites are all of that kind.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Identifies this server's sessions; required for session resumption when
// client certificates are verified.
constexpr unsigned char kSessionContext[] = "dcagent";

// The whole file, or why it cannot be read.
std::expected<std::string, std::string> ReadFile(
    const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(fmt::format("cannot read \"{}\": {}", path.string(),
                                       std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// OpenSSL's reason for the last failure, or `fallback` when it left none.
std::string OpenSslReason(std::string_view fallback) {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0)
    return std::string(fallback);
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : std::string(fallback);
}

// An encrypted key would make OpenSSL prompt on the terminal; this
// passphrase callback answers "none" so that parsing fails instead.
int NoPassphrase(char*, int, int, void*) {
  return 0;
}

// The private key in PEM `text`, or null (OpenSSL's error queue says why).
// The caller frees it.
EVP_PKEY* ParsePrivateKey(const std::string& text) {
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  if (!bio)
    return nullptr;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, NoPassphrase, nullptr);
  BIO_free(bio);
  return key;
}

std::unexpected<TlsProblem> Problem(TlsKey key, std::string message) {
  return std::unexpected(TlsProblem{key, std::move(message)});
}

}  // namespace

std::expected<Context, TlsProblem> MakeServerTlsContext(const TlsFiles& files) {
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();

  // Protocol versions and ciphers.
  context->set_options(ssl::context::default_workarounds |
                       ssl::context::no_compression |
                       ssl::context::single_dh_use);
  SSL_CTX_set_options(
      native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_min_proto_version(
      native, files.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(native, kTls12Ciphers);

  // Certificate chain and key, each from the text read here so that a
  // missing file and a malformed one are told apart.
  auto cert = ReadFile(files.cert_file);
  if (!cert)
    return Problem(TlsKey::kCertFile, cert.error());
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(*cert), ec);
  if (ec) {
    return Problem(
        TlsKey::kCertFile,
        fmt::format("\"{}\" holds no usable PEM certificate: {}",
                    files.cert_file.string(), OpenSslReason(ec.message())));
  }
  auto key = ReadFile(files.key_file);
  if (!key)
    return Problem(TlsKey::kKeyFile, key.error());
  EVP_PKEY* private_key = ParsePrivateKey(*key);
  OPENSSL_cleanse(key->data(), key->size());
  if (!private_key) {
    return Problem(
        TlsKey::kKeyFile,
        fmt::format("\"{}\" holds no usable unencrypted PEM "
                    "private key: {}",
                    files.key_file.string(), OpenSslReason("no key")));
  }
  bool used = SSL_CTX_use_PrivateKey(native, private_key) == 1 &&
              SSL_CTX_check_private_key(native) == 1;
  EVP_PKEY_free(private_key);
  if (!used) {
    ERR_clear_error();
    return Problem(
        TlsKey::kKeyFile,
        fmt::format("the private key in \"{}\" does not belong to "
                    "the certificate in \"{}\"",
                    files.key_file.string(), files.cert_file.string()));
  }

  // Mutual TLS: verify clients against the given CAs, and tell clients
  // which CAs those are so they pick the right certificate.
  if (files.client_ca_file) {
    const std::filesystem::path& ca_path = *files.client_ca_file;
    auto ca = ReadFile(ca_path);
    if (!ca)
      return Problem(TlsKey::kClientCaFile, ca.error());
    context->add_certificate_authority(boost::asio::buffer(*ca), ec);
    STACK_OF(X509_NAME)* names =
        ec ? nullptr : SSL_load_client_CA_file(ca_path.c_str());
    if (!names) {
      return Problem(
          TlsKey::kClientCaFile,
          fmt::format("\"{}\" holds no usable PEM CA certificate: "
                      "{}",
                      ca_path.string(),
                      OpenSslReason(ec ? ec.message() : "no certificate")));
    }
    SSL_CTX_set_client_CA_list(native, names);
    context->set_verify_mode(ssl::verify_peer |
                             ssl::verify_fail_if_no_peer_cert);
  }
  SSL_CTX_set_session_id_context(native, kSessionContext,
                                 sizeof kSessionContext - 1);
  ERR_clear_error();
  return context;
}

}  // namespace dc::agent
