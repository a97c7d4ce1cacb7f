// The HTTP side of dcagent (Boost.Beast): /metrics, the status page,
// health and readiness, and POST /-/reload.
//
// The server runs its own io_context on its own thread. Rendering /metrics
// for thousands of targets takes milliseconds to a few hundred of them;
// on the polling loop that would delay every timer and poll completion by
// as much, once per scrape and per Prometheus server. On a separate
// thread, scrapes and polls only meet at the board's short lock (copying
// the list of view pointers) and in prometheus-cpp's metric families.
// Handlers therefore run on the server thread; the reload handler is
// expected to hand the work to the polling loop and answer later.
//
// Protection (see web_security.h) can change while serving: each new
// connection takes the TLS context in force when it is accepted, and each
// request is checked against the basic-auth users in force when it
// arrives. /metrics and / are gzip-compressed for clients that ask.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/exposition.h"
#include "agent/web_security.h"

namespace dc::agent {

class HttpServer {
 public:
  struct Handlers {
    // Body of /metrics (Prometheus text format).
    std::function<std::shared_ptr<const Exposition>()> metrics;
    // Body of / (HTML).
    std::function<std::string()> status_page;
    // Whether /-/ready answers 200 (else 503).
    std::function<bool()> ready;
    // Starts a reload; `reply(ok, message)` must be called exactly once,
    // from any thread.
    std::function<void(std::function<void(bool, std::string)> reply)> reload;
  };

  explicit HttpServer(Handlers handlers);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Replaces the protection of the endpoints; callable from any thread,
  // before or after Start(). Until called: plain HTTP, no authentication.
  void SetSecurity(WebSecurity security);

  // Binds "HOST:PORT" (port 0: any free port) and starts serving on the
  // server thread. Returns the bound endpoint, or why binding failed.
  std::expected<boost::asio::ip::tcp::endpoint, std::string> Start(
      std::string_view listen);

  // Closes the listener and connections and joins the thread.
  void Stop();

 private:
  template <class Stream>
  class Session;
  void Accept();
  std::shared_ptr<const WebSecurity> Security() const;

  Handlers handlers_;
  mutable std::mutex security_mutex_;
  std::shared_ptr<const WebSecurity> security_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
  std::thread thread_;
};

}  // namespace dc::agent
