#include "agent/config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "collectors/common/schema.h"
#include "collectors/common/toml_reader.h"

namespace dc::agent {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr std::string_view kLogLevels[] = {"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};

std::string Place(const toml::node& node) {
  return FormatPlace(node.source());
}

// An integer key within [low, high]; out-of-range values are reported.
std::optional<int> IntIn(TableReader& reader, std::string_view key,
                         std::int64_t low, std::int64_t high) {
  auto value = reader.Integer(key);
  if (!value)
    return std::nullopt;
  if (*value < low || *value > high) {
    reader.Fail(key, fmt::format("must be between {} and {}, not {}", low, high,
                                 *value));
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

// "host:port" or "[v6-host]:port", port 0..65535.
bool ValidListen(std::string_view listen) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return false;
  std::string_view host = listen.substr(0, colon);
  std::string_view port = listen.substr(colon + 1);
  if (host.front() == '[' && host.back() != ']')
    return false;
  if (port.empty() || port.size() > 5)
    return false;
  if (!std::all_of(port.begin(), port.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return std::stoi(std::string(port)) <= 65535;
}

bool ValidLabelName(std::string_view name) {
  if (name.empty())
    return false;
  auto head = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!head(name[0]))
    return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return head(c) || (c >= '0' && c <= '9'); });
}

// Target names become the `device` label, log fields and status-page rows:
// keep them to a plain, printable set.
bool ValidTargetName(std::string_view name) {
  if (name.empty() || name.size() > 128)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == ':' || c == '/';
  });
}

// A path as written in the configuration: relative ones are relative to
// the configuration file's folder.
fs::path ConfigPath(const TableReader& r, const std::string& text) {
  fs::path path = text;
  if (path.is_relative() && r.table().source().path) {
    path = fs::path(*r.table().source().path).parent_path() / path;
  }
  return path;
}

// [agent.tls]: the files are read and checked here, so a bad certificate
// is reported with the line that names it, and a reload that meets one
// keeps the running configuration.
void ReadTlsSection(const toml::table& table, WebSecurity& web,
                    TomlErrors& errors) {
  std::size_t before = errors.messages().size();
  TableReader r(table, "[agent.tls]", errors);
  TlsFiles files;
  if (auto cert = r.String("cert_file", true))
    files.cert_file = ConfigPath(r, *cert);
  if (auto key = r.String("key_file", true))
    files.key_file = ConfigPath(r, *key);
  if (auto ca = r.String("client_ca_file"))
    files.client_ca_file = ConfigPath(r, *ca);
  if (auto version = r.String("min_version")) {
    if (*version == "1.2" || *version == "1.3") {
      files.min_version = *version;
    } else {
      r.Fail("min_version", "must be \"1.2\" or \"1.3\"");
    }
  }
  r.Finish();
  if (errors.messages().size() != before)
    return;

  auto context = MakeServerTlsContext(files);
  if (!context) {
    constexpr std::string_view kKeys[] = {"cert_file", "key_file",
                                          "client_ca_file"};
    r.Fail(kKeys[static_cast<int>(context.error().key)],
           context.error().message);
    return;
  }
  web.tls = std::move(*context);
  web.tls_files = std::move(files);
}

// [agent.basic_auth]: a realm and `users`, a table of user name ->
// crypt(3) hash.
void ReadBasicAuthSection(const toml::table& table, WebSecurity& web,
                          TomlErrors& errors) {
  std::size_t before = errors.messages().size();
  TableReader r(table, "[agent.basic_auth]", errors);
  std::string realm = r.String("realm").value_or("dcagent");
  if (realm.empty() || realm.size() > 100 ||
      !std::all_of(realm.begin(), realm.end(), [](char c) {
        return c >= ' ' && c <= '~' && c != '"' && c != '\\';
      })) {
    r.Fail("realm",
           "must be 1 to 100 printable ASCII characters without quotes or "
           "backslashes");
  }
  std::map<std::string, std::string, std::less<>> users;
  if (const toml::table* table_of_users = r.Table("users", true)) {
    for (const auto& [key, node] : *table_of_users) {
      std::string name(key.str());
      std::string where = fmt::format("[agent.basic_auth] users: '{}'", name);
      if (name.empty() || name.find(':') != std::string::npos ||
          !std::all_of(name.begin(), name.end(), [](char c) {
            return static_cast<unsigned char>(c) >= ' ' && c != 0x7f;
          })) {
        errors.Add(node.source(),
                   fmt::format("{}: a user name must not be empty or hold "
                               "':' or control characters",
                               where));
        continue;
      }
      if (!node.is_string()) {
        errors.Add(node.source(),
                   fmt::format("{}: must be a password hash string", where));
        continue;
      }
      const std::string& hash = node.as_string()->get();
      if (auto problem = BasicAuth::CheckHash(hash)) {
        errors.Add(node.source(), fmt::format("{}: {}", where, *problem));
        continue;
      }
      users.emplace(std::move(name), hash);
    }
    if (table_of_users->empty()) {
      r.Fail("users",
             "names no user; add one such as prometheus = \"$y$...\" "
             "(the output of `mkpasswd`)");
    }
  }
  r.Finish();
  if (errors.messages().size() != before)
    return;
  web.basic_auth =
      std::make_shared<const BasicAuth>(std::move(realm), std::move(users));
}

// `read_web`: false skips the TLS and basic-auth sections (reading files
// and computing hashes) where only the other settings are wanted.
void ReadAgentSection(const toml::table* table, AgentSettings& settings,
                      TomlErrors& errors, bool read_web = true) {
  if (!table)
    return;
  TableReader r(*table, "[agent]", errors);

  if (auto listen = r.String("listen")) {
    if (ValidListen(*listen)) {
      settings.listen = *listen;
    } else {
      r.Fail("listen", fmt::format("\"{}\" is not HOST:PORT (for example "
                                   "\"127.0.0.1:9633\" or \"[::1]:9633\")",
                                   *listen));
    }
  }
  if (auto dirs = r.StringArray("profile_dirs")) {
    for (const auto& dir : *dirs) {
      std::error_code ec;
      fs::path root = dir;
      if (root.is_relative() && table->source().path) {
        root = fs::path(*table->source().path).parent_path() / root;
      }
      if (!fs::is_directory(root, ec)) {
        r.Fail("profile_dirs",
               fmt::format("\"{}\" is not a directory", root.string()));
        continue;
      }
      settings.profile_roots.push_back(root);
    }
  }
  if (auto level = r.String("log_level")) {
    if (std::find(std::begin(kLogLevels), std::end(kLogLevels), *level) ==
        std::end(kLogLevels)) {
      r.Fail("log_level",
             "must be one of trace, debug, info, warn, error, "
             "critical, off");
    } else {
      settings.log_level = *level;
    }
  }
  if (auto v = IntIn(r, "max_in_flight", 1, 100000)) {
    settings.max_in_flight = *v;
  }
  if (auto v = IntIn(r, "modbus_workers", 1, 256))
    settings.modbus_workers = *v;
  if (auto v = r.Duration("interval"))
    settings.interval = *v;
  if (auto v = r.Duration("timeout"))
    settings.timeout = *v;
  if (auto v = r.Duration("request_timeout"))
    settings.request_timeout = *v;
  if (auto v = IntIn(r, "retries", 0, 10))
    settings.retries = *v;
  if (auto v = r.Duration("max_backoff"))
    settings.max_backoff = *v;
  if (const toml::node* node = table->get("batch_window");
      node && node->value<std::string>() == "off") {
    r.Accept("batch_window");
    settings.batch_window = std::chrono::milliseconds(0);
  } else if (auto v = r.Duration("batch_window")) {
    if (*v > std::chrono::minutes(1))
      r.Fail("batch_window", "must be at most \"1m\" (or \"off\")");
    else
      settings.batch_window = *v;
  }
  if (auto v = r.Bool("reload_endpoint"))
    settings.web.reload_endpoint = *v;
  if (!read_web) {
    r.Accept("tls");
    r.Accept("basic_auth");
  } else {
    if (const toml::table* tls = r.Table("tls"))
      ReadTlsSection(*tls, settings.web, errors);
    if (const toml::table* auth = r.Table("basic_auth"))
      ReadBasicAuthSection(*auth, settings.web, errors);
  }
  r.Finish();
}

// Reads a secret from `<stem>_file` or `<stem>_env`; exactly one of them
// when `required`. Trailing line breaks of a file are not part of it.
std::optional<Secret> ReadSecret(TableReader& r, std::string_view stem,
                                 bool required) {
  std::string file_key = fmt::format("{}_file", stem);
  std::string env_key = fmt::format("{}_env", stem);
  auto file = r.String(file_key);
  auto env = r.String(env_key);
  if (file && env) {
    r.Fail(env_key,
           fmt::format("give '{}' or '{}', not both", file_key, env_key));
    return std::nullopt;
  }
  if (!file && !env) {
    if (required) {
      r.Fail(file_key, fmt::format("missing; give '{}' (a file holding the "
                                   "secret) or '{}' (an environment "
                                   "variable)",
                                   file_key, env_key));
    }
    return std::nullopt;
  }

  std::string value;
  if (file) {
    fs::path p = *file;
    if (p.is_relative() && r.table().source().path) {
      p = fs::path(*r.table().source().path).parent_path() / p;
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      r.Fail(file_key, fmt::format("cannot read \"{}\"", p.string()));
      return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    value = text.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
      value.pop_back();
    }
    if (value.empty()) {
      r.Fail(file_key, fmt::format("\"{}\" is empty", p.string()));
      return std::nullopt;
    }
  } else {
    const char* text = std::getenv(env->c_str());
    if (!text || !*text) {
      r.Fail(env_key, fmt::format("environment variable {} is not set or "
                                  "empty",
                                  *env));
      return std::nullopt;
    }
    value = text;
  }
  return Secret(std::move(value));
}

// Reports keys present in the table that do not apply.
void RejectKeys(TableReader& r, std::initializer_list<std::string_view> keys,
                std::string_view why) {
  for (std::string_view key : keys) {
    if (r.Has(key)) {
      r.Fail(key, fmt::format("does not apply {}", why));
      r.Accept(key);
    }
  }
}

std::optional<SnmpAuth> ReadSnmpAuth(const std::string& name,
                                     const toml::table& table,
                                     TomlErrors& errors) {
  std::size_t before = errors.messages().size();
  TableReader r(table, fmt::format("[snmp.auth.{}]", name), errors);
  SnmpAuth auth;
  auth.name = name;

  std::string version = r.String("version").value_or("2c");
  if (version == "1") {
    auth.version = SnmpAuth::Version::kV1;
  } else if (version == "2c") {
    auth.version = SnmpAuth::Version::kV2c;
  } else if (version == "3") {
    auth.version = SnmpAuth::Version::kV3;
  } else {
    r.Fail("version", "must be \"1\", \"2c\" or \"3\"");
  }

  if (auth.version != SnmpAuth::Version::kV3) {
    if (auto community = ReadSecret(r, "community", true)) {
      auth.community = std::move(*community);
    }
    RejectKeys(r,
               {"username", "security_level", "auth_protocol",
                "auth_password_file", "auth_password_env", "priv_protocol",
                "priv_password_file", "priv_password_env", "context"},
               "to SNMP versions 1 and 2c");
    r.Finish();
    if (errors.messages().size() != before)
      return std::nullopt;
    return auth;
  }

  RejectKeys(r, {"community_file", "community_env"}, "to SNMPv3");
  if (auto user = r.String("username", true)) {
    if (user->empty())
      r.Fail("username", "must not be empty");
    auth.username = *user;
  }
  std::string level = r.String("security_level").value_or("authPriv");
  if (level == "noAuthNoPriv") {
    auth.level = SnmpAuth::Level::kNoAuthNoPriv;
  } else if (level == "authNoPriv") {
    auth.level = SnmpAuth::Level::kAuthNoPriv;
  } else if (level == "authPriv") {
    auth.level = SnmpAuth::Level::kAuthPriv;
  } else {
    r.Fail("security_level",
           "must be \"noAuthNoPriv\", \"authNoPriv\" or \"authPriv\"");
  }

  bool wants_auth = auth.level != SnmpAuth::Level::kNoAuthNoPriv;
  bool wants_priv = auth.level == SnmpAuth::Level::kAuthPriv;
  if (auto proto = r.String("auth_protocol")) {
    static const std::pair<std::string_view, SnmpAuth::AuthProtocol> kAuth[] = {
        {"MD5", SnmpAuth::AuthProtocol::kMd5},
        {"SHA", SnmpAuth::AuthProtocol::kSha1},
        {"SHA-224", SnmpAuth::AuthProtocol::kSha224},
        {"SHA-256", SnmpAuth::AuthProtocol::kSha256},
        {"SHA-384", SnmpAuth::AuthProtocol::kSha384},
        {"SHA-512", SnmpAuth::AuthProtocol::kSha512}};
    auto it = std::find_if(std::begin(kAuth), std::end(kAuth),
                           [&](const auto& p) { return p.first == *proto; });
    if (it == std::end(kAuth)) {
      r.Fail("auth_protocol",
             "must be MD5, SHA, SHA-224, SHA-256, SHA-384 "
             "or SHA-512");
    } else {
      auth.auth_protocol = it->second;
    }
  }
  if (auto proto = r.String("priv_protocol")) {
    static const std::pair<std::string_view, SnmpAuth::PrivProtocol> kPriv[] = {
        {"DES", SnmpAuth::PrivProtocol::kDes},
        {"AES", SnmpAuth::PrivProtocol::kAes128},
        {"AES-192", SnmpAuth::PrivProtocol::kAes192},
        {"AES-256", SnmpAuth::PrivProtocol::kAes256}};
    auto it = std::find_if(std::begin(kPriv), std::end(kPriv),
                           [&](const auto& p) { return p.first == *proto; });
    if (it == std::end(kPriv)) {
      r.Fail("priv_protocol", "must be DES, AES, AES-192 or AES-256");
    } else {
      auth.priv_protocol = it->second;
    }
  }

  // USM keys are derived from passwords of at least 8 characters.
  auto password = [&](std::string_view stem, bool wanted, Secret& out) {
    if (!wanted) {
      RejectKeys(r, {fmt::format("{}_file", stem), fmt::format("{}_env", stem)},
                 fmt::format("at security_level \"{}\"", level));
      return;
    }
    if (auto secret = ReadSecret(r, stem, true)) {
      if (secret->Reveal().size() < 8) {
        std::string file_key = fmt::format("{}_file", stem);
        r.Fail(r.Has(file_key) ? file_key : fmt::format("{}_env", stem),
               "the password must be at least 8 characters");
      }
      out = std::move(*secret);
    }
  };
  password("auth_password", wants_auth, auth.auth_password);
  password("priv_password", wants_priv, auth.priv_password);
  if (!wants_auth && r.Has("auth_protocol")) {
    r.Fail("auth_protocol",
           "does not apply at security_level "
           "\"noAuthNoPriv\"");
  }
  if (!wants_priv && r.Has("priv_protocol")) {
    r.Fail("priv_protocol", fmt::format("does not apply at security_level "
                                        "\"{}\"",
                                        level));
  }
  auth.context_name = r.String("context").value_or("");
  r.Finish();
  if (errors.messages().size() != before)
    return std::nullopt;
  return auth;
}

// Returns the names of the [snmp.auth.NAME] sections that failed to load.
// Their problems are reported here; targets naming them are not reported
// again, neither as dangling nor for their credentials.
std::set<std::string> ReadSnmpSection(const toml::table* table,
                                      AgentConfig& config, TomlErrors& errors) {
  std::set<std::string> broken;
  if (!table)
    return broken;
  TableReader r(*table, "[snmp]", errors);
  if (const toml::table* auths = r.Table("auth")) {
    for (const auto& [key, node] : *auths) {
      std::string name(key.str());
      if (!node.is_table()) {
        errors.Add(node.source(),
                   fmt::format("[snmp.auth]: '{}' must be a table such as "
                               "[snmp.auth.{}]",
                               name, name));
        broken.insert(name);
        continue;
      }
      if (auto auth = ReadSnmpAuth(name, *node.as_table(), errors)) {
        config.snmp_auth.emplace(name, std::move(*auth));
      } else {
        broken.insert(name);
      }
    }
  }
  r.Finish();
  return broken;
}

void ReadLabels(TableReader& r, TargetConfig& target) {
  const toml::table* labels = r.Table("labels");
  if (!labels)
    return;
  for (const auto& [key, node] : *labels) {
    std::string name(key.str());
    if (!ValidLabelName(name) || name.starts_with("__")) {
      r.errors().Add(key.source(),
                     fmt::format("{}: label name '{}' is not valid; use "
                                 "letters, digits and '_', not starting with "
                                 "a digit or '__'",
                                 r.what(), name));
      continue;
    }
    if (IsReservedLabel(name)) {
      r.errors().Add(key.source(),
                     fmt::format("{}: label '{}' is reserved (the agent or "
                                 "the metric schema sets it)",
                                 r.what(), name));
      continue;
    }
    if (!node.is_string()) {
      r.errors().Add(node.source(), fmt::format("{}: label '{}' must be a "
                                                "string",
                                                r.what(), name));
      continue;
    }
    target.labels.emplace_back(name, node.as_string()->get());
  }
  std::sort(target.labels.begin(), target.labels.end());
}

void ReadTarget(const toml::table& table, const AgentConfig& config,
                const std::set<std::string>& broken_auths,
                ProtocolSet& protocols,
                std::map<std::string, std::string>& seen_names,
                std::vector<TargetConfig>& out, TomlErrors& errors) {
  std::size_t before = errors.messages().size();
  TargetConfig t;
  t.place = {table.source().path ? std::string(*table.source().path) : "",
             static_cast<int>(table.source().begin.line),
             static_cast<int>(table.source().begin.column)};
  auto name = table.get("name") && table.get("name")->is_string()
                  ? std::optional(table.get("name")->as_string()->get())
                  : std::nullopt;
  std::string what =
      name ? fmt::format("[[target]] '{}'", *name) : std::string("[[target]]");
  TableReader r(table, what, errors);
  const AgentSettings& agent = config.agent;

  // Identity.
  if (auto n = r.String("name", true)) {
    t.name = *n;
    if (!ValidTargetName(t.name)) {
      r.Fail("name",
             "must be 1 to 128 characters of letters, digits and "
             "- _ . : /");
    }
    auto [it, fresh] = seen_names.emplace(t.name, Place(*table.get("name")));
    if (!fresh) {
      r.Fail("name", fmt::format("duplicate target name; first defined at {}",
                                 it->second));
    }
  }
  Protocol* protocol = nullptr;
  if (auto p = r.String("protocol", true)) {
    t.protocol = *p;
    protocol = protocols.Find(t.protocol);
    if (!protocol) {
      r.Fail("protocol",
             ProtocolSet::IsKnownName(t.protocol)
                 ? fmt::format("protocol \"{}\" is not built into this "
                               "dcagent",
                               t.protocol)
                 : fmt::format("unknown protocol \"{}\"; use \"snmp\" or "
                               "\"modbus\"",
                               t.protocol));
    }
  }
  if (auto a = r.String("address", true))
    t.address = *a;

  // Timing.
  t.interval = r.Duration("interval").value_or(agent.interval);
  t.timeout = r.Duration("timeout").value_or(
      agent.timeout ? std::min(*agent.timeout, t.interval) : t.interval);
  t.request_timeout =
      r.Duration("request_timeout").value_or(agent.request_timeout);
  if (t.timeout > t.interval) {
    r.Fail(r.Has("timeout") ? "timeout" : "interval",
           fmt::format("the poll timeout ({}ms) must not exceed the interval "
                       "({}ms): a poll may not run into its next slot",
                       t.timeout.count(), t.interval.count()));
  }
  if (t.request_timeout > t.timeout) {
    t.request_timeout = t.timeout;
    if (r.Has("request_timeout")) {
      r.Fail("request_timeout", "must not exceed the poll timeout");
    }
  }
  t.retries = IntIn(r, "retries", 0, 10).value_or(agent.retries);
  t.max_in_flight = IntIn(r, "max_in_flight", 1, 64).value_or(1);
  ReadLabels(r, t);

  // Protocol-specific keys.
  bool snmp = t.protocol == "snmp";
  bool modbus = t.protocol == "modbus";
  if (snmp) {
    RejectKeys(r, {"unit", "pause", "max_registers_per_read"},
               "to SNMP targets");
    if (auto a = r.String("auth", true)) {
      t.auth = *a;
      if (auto it = config.snmp_auth.find(t.auth);
          it != config.snmp_auth.end()) {
        t.snmp_auth = it->second;
      } else if (!broken_auths.contains(t.auth)) {
        r.Fail("auth",
               fmt::format("no [snmp.auth.{}] section defines it", t.auth));
      }
    }
    t.max_repetitions = IntIn(r, "max_repetitions", 1, 1000).value_or(0);
    t.max_table_rows = IntIn(r, "max_table_rows", 1, 1000000).value_or(10000);
  } else if (modbus) {
    RejectKeys(r, {"auth", "max_repetitions", "max_table_rows"},
               "to Modbus targets");
    t.unit = IntIn(r, "unit", 0, 255).value_or(1);
    if (auto pause = r.Duration("pause"))
      t.pause = *pause;
    t.max_registers_per_read =
        IntIn(r, "max_registers_per_read", 1, 125).value_or(125);
  } else {
    for (auto key : {"auth", "max_repetitions", "max_table_rows", "unit",
                     "pause", "max_registers_per_read"}) {
      r.Accept(key);
    }
  }

  if (auto p = r.String("profile"))
    t.profile = *p;
  r.Finish();

  // The protocol's own checks, on a target whose keys were all readable.
  if (protocol && errors.messages().size() == before) {
    if (!protocol->HasProfile(t.profile)) {
      r.Fail(r.Has("profile") ? "profile" : "name",
             t.profile == "auto"
                 ? fmt::format("protocol {} cannot choose a profile itself; "
                               "name one with 'profile'",
                               t.protocol)
                 : fmt::format("no {} profile named \"{}\" is loaded",
                               t.protocol, t.profile));
    }
    for (const TargetProblem& problem : protocol->CheckTarget(t)) {
      if (problem.key == "auth" && broken_auths.contains(t.auth))
        continue;
      r.Fail(r.Has(problem.key) ? problem.key : "name", problem.message);
    }
  }
  if (errors.messages().size() == before)
    out.push_back(std::move(t));
}

void LoadProfiles(const AgentSettings& settings, ProtocolSet& protocols,
                  TomlErrors& errors) {
  for (const std::string& name : protocols.Names()) {
    Protocol* protocol = protocols.Find(name);
    for (std::string& problem :
         protocol->LoadProfiles(ProfileDirs(settings, name))) {
      errors.Add(std::move(problem));
    }
  }
}

// Where this program's executable is, to tell a build-tree run.
fs::path ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

bool RunningFromBuildTree() {
  fs::path dir = ExecutableDir().lexically_normal();
  fs::path build = fs::path(DC_BINARY_DIR).lexically_normal();
  auto [end, unused] =
      std::mismatch(build.begin(), build.end(), dir.begin(), dir.end());
  (void)unused;
  return !dir.empty() && end == build.end();
}

std::optional<toml::table> ParseFile(const fs::path& path, TomlErrors& errors) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    errors.Add(
        fmt::format("{}: cannot read the configuration file", path.string()));
    return std::nullopt;
  }
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    errors.Add(e.source(), e.description());
    return std::nullopt;
  }
}

}  // namespace

bool IsReservedLabel(std::string_view name) {
  if (name == kDeviceLabel || name == "job" || name == "instance") {
    return true;
  }
  for (const MetricInfo& metric : SchemaMetrics()) {
    if (std::find(metric.labels.begin(), metric.labels.end(), name) !=
        metric.labels.end()) {
      return true;
    }
  }
  return false;
}

AgentSettings ReadAgentSettings(const fs::path& path) {
  TomlErrors errors;
  AgentSettings settings;
  if (auto root = ParseFile(path, errors)) {
    const toml::node* agent = root->get("agent");
    ReadAgentSection(agent ? agent->as_table() : nullptr, settings, errors,
                     /*read_web=*/false);
  }
  return settings;
}

std::vector<fs::path> ProfileDirs(const AgentSettings& settings,
                                  std::string_view protocol) {
  std::vector<fs::path> candidates;
  if (!settings.profile_roots.empty()) {
    for (const fs::path& root : settings.profile_roots) {
      candidates.push_back(root / protocol);
    }
  } else {
    candidates.push_back(fs::path(DC_DATA_DIR) / "profiles" / protocol);
    if (RunningFromBuildTree()) {
      candidates.push_back(fs::path(DC_SOURCE_DIR) / "collectors" / protocol /
                           "profiles");
    }
  }
  std::vector<fs::path> dirs;
  for (const fs::path& dir : candidates) {
    std::error_code ec;
    if (fs::is_directory(dir, ec))
      dirs.push_back(dir);
  }
  return dirs;
}

std::expected<AgentConfig, ConfigErrors> LoadConfig(const fs::path& path,
                                                    ProtocolSet& protocols) {
  TomlErrors errors;
  std::optional<toml::table> root = ParseFile(path, errors);
  if (!root)
    return std::unexpected(errors.messages());

  AgentConfig config;
  config.path = path;
  TableReader top(*root, "configuration", errors);
  ReadAgentSection(top.Table("agent"), config.agent, errors);
  std::set<std::string> broken_auths =
      ReadSnmpSection(top.Table("snmp"), config, errors);
  LoadProfiles(config.agent, protocols, errors);

  std::map<std::string, std::string> seen_names;
  if (const toml::array* targets = top.Array("target")) {
    for (const toml::node& node : *targets) {
      if (!node.is_table()) {
        errors.Add(node.source(),
                   "'target' entries must be tables; write "
                   "[[target]]");
        continue;
      }
      ReadTarget(*node.as_table(), config, broken_auths, protocols, seen_names,
                 config.targets, errors);
    }
  }
  top.Finish();

  if (!errors.empty())
    return std::unexpected(errors.messages());
  return config;
}

bool SameTarget(const TargetConfig& a, const TargetConfig& b) {
  const SnmpAuth& x = a.snmp_auth;
  const SnmpAuth& y = b.snmp_auth;
  bool same_auth = x.name == y.name && x.version == y.version &&
                   x.community.Reveal() == y.community.Reveal() &&
                   x.username == y.username && x.level == y.level &&
                   x.auth_protocol == y.auth_protocol &&
                   x.auth_password.Reveal() == y.auth_password.Reveal() &&
                   x.priv_protocol == y.priv_protocol &&
                   x.priv_password.Reveal() == y.priv_password.Reveal() &&
                   x.context_name == y.context_name;
  return same_auth && a.name == b.name && a.protocol == b.protocol &&
         a.address == b.address && a.profile == b.profile &&
         a.interval == b.interval && a.timeout == b.timeout &&
         a.request_timeout == b.request_timeout && a.retries == b.retries &&
         a.max_in_flight == b.max_in_flight && a.labels == b.labels &&
         a.auth == b.auth && a.max_repetitions == b.max_repetitions &&
         a.max_table_rows == b.max_table_rows && a.unit == b.unit &&
         a.pause == b.pause &&
         a.max_registers_per_read == b.max_registers_per_read;
}

}  // namespace dc::agent
