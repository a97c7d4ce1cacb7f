// The pieces that protect dcagent's endpoints, one at a time: gzip and
// Accept-Encoding, password hashes made by the tools operators use
// (mkpasswd, openssl passwd), and the [agent.tls] / [agent.basic_auth]
// configuration errors, each naming its file and place.
#include <gtest/gtest.h>

#include "agent/basic_auth.h"
#include "agent/config.h"
#include "agent/gzip.h"
#include "tests/agent/fakes.h"
#include "tests/agent/web_test_support.h"

namespace dc::agent {
namespace {

using namespace dc::agent::testing;

// A password hash made by an operator's tool, or "" when it is missing.
std::string HashWith(const std::string& command) {
  CommandResult result = RunCommand(command);
  if (result.exit_code != 0)
    return "";
  std::string hash = result.output;
  while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r'))
    hash.pop_back();
  return hash;
}

TEST(AcceptsGzip, FollowsTheQualityValues) {
  struct Case {
    const char* header;
    bool gzip;
  };
  const Case cases[] = {
      {"gzip", true},
      {"", false},
      {"identity", false},
      {"gzip;q=0", false},
      {"gzip; q=0.0", false},
      {"GZIP", true},
      {"x-gzip", true},
      {"br, gzip;q=0.5, identity", true},
      {"deflate, *", true},
      {"*;q=0", false},
      {"*, gzip;q=0", false},
      {"gzip;q=garbage", false},
      {"gzip;level=9", true},
      // Prometheus 2.42 sends exactly this.
      {"gzip", true},
  };
  for (const Case& c : cases)
    EXPECT_EQ(AcceptsGzip(c.header), c.gzip) << c.header;
}

TEST(Gzip, RoundTripsThroughZlibAtEveryLevel) {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "dc_pdu_outlet_current_amperes{device=\"pdu-" +
            std::to_string(i % 97) + "\",outlet=\"" + std::to_string(i) +
            "\"} " + std::to_string(i * 0.37) + "\n";
  }
  for (int level : {1, 6, 9}) {
    std::string packed = Gzip(text, level);
    EXPECT_LT(packed.size(), text.size() / 4) << level;
    EXPECT_EQ(Gunzip(packed), text) << level;
  }
  EXPECT_EQ(Gunzip(Gzip("")), "");
}

TEST(DecodeBase64, AcceptsPaddedInputOnly) {
  EXPECT_EQ(DecodeBase64("dTpw"), "u:p");
  EXPECT_EQ(DecodeBase64("dTpwMQ=="), "u:p1");
  EXPECT_EQ(DecodeBase64("dTpwMTI="), "u:p12");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("dTpwMQ"));
  EXPECT_FALSE(DecodeBase64("dT=w"));
  EXPECT_FALSE(DecodeBase64("dTp*"));
  EXPECT_FALSE(DecodeBase64("dQ==dTpw"));
}

class BasicAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OnPath("openssl"))
      GTEST_SKIP() << "the openssl command is not installed";
    sha512_ = HashWith("openssl passwd -6 's3cret pass'");
    ASSERT_TRUE(sha512_.starts_with("$6$")) << sha512_;
  }

  std::string sha512_;
};

TEST_F(BasicAuthTest, AcceptsTheRightPasswordOnly) {
  ASSERT_EQ(BasicAuth::CheckHash(sha512_), std::nullopt);
  BasicAuth auth("dcagent", {{"prometheus", sha512_}});
  EXPECT_TRUE(auth.Allows(BasicAuthorization("prometheus", "s3cret pass")));
  // Remembered after the first match: still right, and still only right.
  EXPECT_TRUE(auth.Allows(BasicAuthorization("prometheus", "s3cret pass")));
  EXPECT_FALSE(auth.Allows(BasicAuthorization("prometheus", "s3cret pas")));
  EXPECT_FALSE(auth.Allows(BasicAuthorization("prometheus", "")));
  EXPECT_FALSE(auth.Allows(BasicAuthorization("grafana", "s3cret pass")));
  EXPECT_FALSE(auth.Allows(BasicAuthorization("Prometheus", "s3cret pass")));
  EXPECT_TRUE(auth.Allows(
      "basic   " + BasicAuthorization("prometheus", "s3cret pass").substr(6)));
  EXPECT_FALSE(auth.Allows(""));
  EXPECT_FALSE(auth.Allows("Bearer abc"));
  EXPECT_FALSE(auth.Allows("Basic !!!!"));
  EXPECT_FALSE(auth.Allows("Basic cHJvbWV0aGV1cw=="));  // no colon
  EXPECT_EQ(auth.Challenge(), "Basic realm=\"dcagent\", charset=\"UTF-8\"");
}

TEST_F(BasicAuthTest, ChecksHashesFromMkpasswd) {
  if (!OnPath("mkpasswd"))
    GTEST_SKIP() << "mkpasswd (Debian package whois) is not installed";
  std::string yescrypt = HashWith("echo 'pa:ss' | mkpasswd -s");
  std::string bcrypt = HashWith("echo 'pa:ss' | mkpasswd -s -m bcrypt");
  std::string md5 = HashWith("echo 'pa:ss' | mkpasswd -s -m md5crypt");
  ASSERT_TRUE(yescrypt.starts_with("$y$")) << yescrypt;
  EXPECT_EQ(BasicAuth::CheckHash(yescrypt), std::nullopt);
  EXPECT_EQ(BasicAuth::CheckHash(bcrypt), std::nullopt);
  ASSERT_TRUE(md5.starts_with("$1$")) << md5;
  EXPECT_NE(BasicAuth::CheckHash(md5), std::nullopt);

  BasicAuth auth("dcagent", {{"a", yescrypt}, {"b", bcrypt}});
  EXPECT_TRUE(auth.Allows(BasicAuthorization("a", "pa:ss")));
  EXPECT_TRUE(auth.Allows(BasicAuthorization("b", "pa:ss")));
  EXPECT_FALSE(auth.Allows(BasicAuthorization("a", "pa:sS")));
  EXPECT_FALSE(auth.Allows(BasicAuthorization("b", "pa")));
}

TEST_F(BasicAuthTest, RejectsPasswordsAndBrokenHashes) {
  EXPECT_NE(BasicAuth::CheckHash("s3cret pass"), std::nullopt);
  EXPECT_NE(BasicAuth::CheckHash(""), std::nullopt);
  EXPECT_NE(BasicAuth::CheckHash(sha512_.substr(0, sha512_.size() - 3)),
            std::nullopt);
  EXPECT_NE(BasicAuth::CheckHash(sha512_.substr(0, sha512_.rfind('$'))),
            std::nullopt);
  EXPECT_NE(BasicAuth::CheckHash("$9$nonsense$abc"), std::nullopt);
}

// [agent.tls] and [agent.basic_auth] in a real file.
class WebConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OnPath("openssl"))
      GTEST_SKIP() << "the openssl command is not installed";
    protocols_.Add(std::make_unique<FakeProtocol>(io_, world_, "snmp"));
    auto pki = MakeTestPki(dir_.path());
    ASSERT_TRUE(pki);
    pki_ = *pki;
  }

  std::expected<AgentConfig, ConfigErrors> Load(const std::string& text) {
    path_ = dir_.Write("dcagent.toml", text);
    return LoadConfig(path_, protocols_);
  }

  // The single error of an invalid file.
  std::string Error(const std::string& text) {
    auto config = Load(text);
    if (config)
      return "(accepted)";
    EXPECT_EQ(config.error().size(), 1u)
        << ::testing::PrintToString(config.error());
    return config.error().front();
  }

  std::string Tls(const std::string& cert, const std::string& key,
                  const std::string& extra = "") {
    return "[agent.tls]\ncert_file = \"" + cert + "\"\nkey_file = \"" + key +
           "\"\n" + extra;
  }

  ScratchDir dir_;
  TestPki pki_;
  boost::asio::io_context io_;
  FakeWorld world_;
  ProtocolSet protocols_;
  std::filesystem::path path_;
};

TEST_F(WebConfigTest, ReadsTlsAndUsers) {
  std::string hash = HashWith("openssl passwd -6 pw");
  auto config =
      Load(Tls("server.crt", pki_.server_key.string(),
               "client_ca_file = \"client-ca.crt\"\nmin_version = \"1.3\"\n") +
           "[agent.basic_auth]\nrealm = \"hall 1\"\nusers = { prometheus = \"" +
           hash + "\" }\n");
  ASSERT_TRUE(config) << ::testing::PrintToString(config.error());
  const WebSecurity& web = config->agent.web;
  ASSERT_TRUE(web.tls && web.tls_files && web.basic_auth);
  // Relative paths are relative to the configuration's folder.
  EXPECT_EQ(web.tls_files->cert_file, pki_.server_cert);
  EXPECT_EQ(web.tls_files->client_ca_file, pki_.client_ca_cert);
  EXPECT_EQ(web.tls_files->min_version, "1.3");
  EXPECT_EQ(web.basic_auth->user_count(), 1u);
  EXPECT_EQ(web.basic_auth->Challenge(),
            "Basic realm=\"hall 1\", charset=\"UTF-8\"");
  EXPECT_TRUE(web.reload_endpoint);

  auto plain = Load("[agent]\nreload_endpoint = false\n");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->agent.web.tls);
  EXPECT_FALSE(plain->agent.web.basic_auth);
  EXPECT_FALSE(plain->agent.web.reload_endpoint);
}

TEST_F(WebConfigTest, BadTlsFilesAreErrorsNamingTheFile) {
  std::string where = path_.string();
  std::string missing = (dir_.path() / "missing.crt").string();
  std::string error = Error(Tls(missing, pki_.server_key.string()));
  EXPECT_EQ(error, (dir_.path() / "dcagent.toml").string() +
                       ":2:13: [agent.tls]: 'cert_file': cannot read \"" +
                       missing + "\": No such file or directory")
      << error;

  // The client's key with the server's certificate.
  error = Error(Tls(pki_.server_cert.string(), pki_.client_key.string()));
  EXPECT_NE(error.find(":3:12: [agent.tls]: 'key_file': the private key in "
                       "\"" +
                       pki_.client_key.string() +
                       "\" does not belong to the certificate in \"" +
                       pki_.server_cert.string() + "\""),
            std::string::npos)
      << error;

  // A key where the certificate should be, and the reverse.
  error = Error(Tls(pki_.server_key.string(), pki_.server_key.string()));
  EXPECT_NE(error.find("'cert_file': \"" + pki_.server_key.string() +
                       "\" holds no usable PEM certificate"),
            std::string::npos)
      << error;
  error = Error(Tls(pki_.server_cert.string(), pki_.server_cert.string()));
  EXPECT_NE(error.find("'key_file': \"" + pki_.server_cert.string() +
                       "\" holds no usable"),
            std::string::npos)
      << error;

  // An encrypted key fails instead of prompting for its passphrase.
  CommandResult encrypted =
      RunCommand("openssl pkey -in '" + pki_.server_key.string() +
                 "' -aes256 -passout pass:secret -out '" +
                 (dir_.path() / "encrypted.key").string() + "'");
  ASSERT_EQ(encrypted.exit_code, 0) << encrypted.output;
  error = Error(Tls(pki_.server_cert.string(), "encrypted.key"));
  EXPECT_NE(
      error.find("'key_file': \"" + (dir_.path() / "encrypted.key").string() +
                 "\" holds no usable unencrypted PEM private key"),
      std::string::npos)
      << error;

  error = Error(Tls(pki_.server_cert.string(), pki_.server_key.string(),
                    "client_ca_file = \"nope.crt\"\n"));
  EXPECT_NE(error.find(":4:18: [agent.tls]: 'client_ca_file': cannot read"),
            std::string::npos)
      << error;
  error = Error(Tls(pki_.server_cert.string(), pki_.server_key.string(),
                    "min_version = \"1.1\"\n"));
  EXPECT_NE(error.find(":4:15: [agent.tls]: 'min_version': must be \"1.2\" "
                       "or \"1.3\""),
            std::string::npos)
      << error;
  error = Error("[agent.tls]\nkey_file = \"x\"\n");
  EXPECT_NE(error.find("'cert_file'"), std::string::npos) << error;
}

TEST_F(WebConfigTest, PasswordsInsteadOfHashesAreErrors) {
  std::string error =
      Error("[agent.basic_auth]\nusers = { prometheus = \"hunter22\" }\n");
  EXPECT_NE(error.find(":2:24: [agent.basic_auth] users: 'prometheus': is "
                       "not a password hash"),
            std::string::npos)
      << error;
  error = Error("[agent.basic_auth]\nusers = {}\n");
  EXPECT_NE(error.find("names no user"), std::string::npos) << error;
  error = Error("[agent.basic_auth]\nrealm = \"a\\\"b\"\nusers = { u = \"" +
                HashWith("openssl passwd -6 pw") + "\" }\n");
  EXPECT_NE(error.find("'realm'"), std::string::npos) << error;
  error = Error("[agent.basic_auth]\n");
  EXPECT_NE(error.find("'users'"), std::string::npos) << error;
}

}  // namespace
}  // namespace dc::agent
