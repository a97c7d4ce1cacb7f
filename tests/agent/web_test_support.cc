#include "tests/agent/web_test_support.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/wait.h>
#include <zlib.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace dc::agent::testing {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

ScratchDir::ScratchDir() {
  std::random_device random;
  path_ = fs::temp_directory_path() /
          fmt::format("dcagent-web-test-{}-{:08x}", getpid(), random());
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path ScratchDir::Write(const std::string& name,
                           const std::string& text) const {
  fs::path file = path_ / name;
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(("(" + command + ") 2>&1").c_str(), "r");
  if (!pipe)
    return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool OnPath(const std::string& program) {
  return RunCommand("command -v " + program + " >/dev/null").exit_code == 0;
}

namespace {

constexpr const char* kOpenSslConfig = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
)";

bool Run(const std::string& command) {
  CommandResult result = RunCommand(command);
  EXPECT_EQ(result.exit_code, 0) << command << "\n" << result.output;
  return result.exit_code == 0;
}

// A self-signed CA "<dir>/<name>.crt" with its key "<dir>/<name>.key".
bool MakeCa(const fs::path& dir, const std::string& name) {
  return Run(
      fmt::format("cd '{}' && openssl req -x509 -config pki.cnf -extensions ca "
                  "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
                  "-subj '/CN={}' -keyout {}.key -out {}.crt",
                  dir.string(), name, name, name));
}

// "<dir>/<name>.crt" issued by CA `ca` with the extensions of section
// `kind` (server or client).
bool MakeLeaf(const fs::path& dir, const std::string& ca,
              const std::string& name, const std::string& kind) {
  return Run(fmt::format(
      "cd '{0}' && openssl req -new -config pki.cnf -newkey ec -pkeyopt "
      "ec_paramgen_curve:P-256 -nodes -subj '/CN={1}' -keyout {1}.key "
      "-out {1}.csr && openssl x509 -req -in {1}.csr -CA {2}.crt -CAkey "
      "{2}.key -CAcreateserial -days 2 -extfile pki.cnf -extensions {3} "
      "-out {1}.crt",
      dir.string(), name, ca, kind));
}

}  // namespace

std::optional<TestPki> MakeTestPki(const fs::path& dir) {
  std::ofstream(dir / "pki.cnf") << kOpenSslConfig;
  bool ok = MakeCa(dir, "server-ca") && MakeCa(dir, "client-ca") &&
            MakeCa(dir, "stranger-ca") &&
            MakeLeaf(dir, "server-ca", "server", "server") &&
            MakeLeaf(dir, "client-ca", "client", "client") &&
            MakeLeaf(dir, "stranger-ca", "stranger", "client");
  if (!ok)
    return std::nullopt;
  TestPki pki;
  pki.ca_cert = dir / "server-ca.crt";
  pki.server_cert = dir / "server.crt";
  pki.server_key = dir / "server.key";
  pki.client_ca_cert = dir / "client-ca.crt";
  pki.client_cert = dir / "client.crt";
  pki.client_key = dir / "client.key";
  pki.stranger_cert = dir / "stranger.crt";
  pki.stranger_key = dir / "stranger.key";
  return pki;
}

bool MakeServerCert(const TestPki& pki, const fs::path& dir,
                    const std::string& name) {
  (void)pki;
  return MakeLeaf(dir, "server-ca", name, "server");
}

namespace {

template <class Stream>
std::expected<HttpReply, std::string> Exchange(Stream& stream,
                                               const std::string& target,
                                               const HttpOptions& options) {
  http::request<http::string_body> request(http::string_to_verb(options.method),
                                           target, 11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : options.headers)
    request.set(name, value);
  request.prepare_payload();
  beast::error_code ec;
  http::write(stream, request, ec);
  if (ec)
    return std::unexpected("write: " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  // A reply to HEAD has the length of a body it does not carry.
  parser.skip(request.method() == http::verb::head);
  http::read(stream, buffer, parser, ec);
  if (ec)
    return std::unexpected("read: " + ec.message());
  http::response<http::string_body> response = parser.release();
  HttpReply reply;
  reply.status = static_cast<int>(response.result_int());
  reply.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

}  // namespace

std::expected<HttpReply, std::string> Fetch(
    const asio::ip::tcp::endpoint& endpoint, const std::string& target,
    const HttpOptions& options) {
  asio::io_context io;
  beast::error_code ec;
  if (!options.ca_cert) {
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(endpoint, ec);
    if (ec)
      return std::unexpected("connect: " + ec.message());
    return Exchange(stream, target, options);
  }

  ssl::context context(ssl::context::tls_client);
  context.load_verify_file(options.ca_cert->string(), ec);
  if (ec)
    return std::unexpected("CA: " + ec.message());
  context.set_verify_mode(ssl::verify_peer);
  if (options.client_cert) {
    context.use_certificate_chain_file(options.client_cert->string(), ec);
    if (!ec) {
      context.use_private_key_file(options.client_key->string(),
                                   ssl::context::pem, ec);
    }
    if (ec)
      return std::unexpected("client certificate: " + ec.message());
  }
  if (options.tls12_only)
    SSL_CTX_set_max_proto_version(context.native_handle(), TLS1_2_VERSION);

  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()),
                                "127.0.0.1");
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(stream).connect(endpoint, ec);
  if (ec)
    return std::unexpected("connect: " + ec.message());
  stream.handshake(ssl::stream_base::client, ec);
  if (ec)
    return std::unexpected("handshake: " + ec.message());
  auto reply = Exchange(stream, target, options);
  if (reply) {
    X509* cert = SSL_get1_peer_certificate(stream.native_handle());
    char name[256] = {};
    if (cert) {
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName,
                                name, sizeof name);
      X509_free(cert);
    }
    reply->server_cn = name;
  }
  return reply;
}

std::string BasicAuthorization(const std::string& user,
                               const std::string& password) {
  std::string plain = user + ":" + password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int length =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                      reinterpret_cast<const unsigned char*>(plain.data()),
                      static_cast<int>(plain.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return "Basic " + encoded;
}

std::optional<std::string> Gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK)
    return std::nullopt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[65536];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  bool whole = status == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!whole)
    return std::nullopt;
  return out;
}

}  // namespace dc::agent::testing
