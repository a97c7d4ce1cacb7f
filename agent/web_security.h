// How dcagent's HTTP endpoints are protected: TLS (optionally mutual),
// basic authentication, and whether POST /-/reload is served at all. Read
// from [agent.tls], [agent.basic_auth] and [agent] reload_endpoint; the
// files behind it are re-read on every configuration reload.
#pragma once

#include <memory>
#include <optional>

#include "agent/basic_auth.h"
#include "agent/tls_context.h"

namespace dc::agent {

struct WebSecurity {
  // As configured; unset: plain HTTP.
  std::optional<TlsFiles> tls_files;
  // Built from tls_files when the configuration was loaded.
  std::shared_ptr<boost::asio::ssl::context> tls;
  // Unset: no authentication.
  std::shared_ptr<const BasicAuth> basic_auth;
  // False: POST /-/reload answers 403; SIGHUP still reloads.
  bool reload_endpoint = true;
};

// Paths every client may request even with basic authentication on:
// liveness and readiness probes carry no credentials and learn only "up".
// Mutual TLS still applies to them, as it applies to the connection.
bool IsPublicPath(std::string_view path);

}  // namespace dc::agent
