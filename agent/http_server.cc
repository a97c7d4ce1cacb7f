#include "agent/http_server.h"

#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "agent/exposition.h"
#include "agent/logging.h"

namespace dc::agent {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr std::size_t kMaxRequestBody = 64 * 1024;

}  // namespace

// One connection: reads requests one after another and answers each.
// Owned by the handlers it has pending (shared_from_this); an aborted
// read or write ends it.
class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handlers& handlers)
      : stream_(std::move(socket)), handlers_(handlers) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBody);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          self->OnRead(ec);
        });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) {
      Close();
      return;
    }
    if (ec)
      return;  // timeout, reset or aborted by Stop(): a normal end
    request_ = parser_->release();
    Dispatch();
  }

  void Dispatch() {
    std::string_view target(request_.target().data(), request_.target().size());
    target = target.substr(0, target.find('?'));
    http::verb method = request_.method();
    bool get = method == http::verb::get || method == http::verb::head;

    if (target == "/-/reload") {
      if (method != http::verb::post && method != http::verb::put) {
        Reply(http::status::method_not_allowed, "text/plain",
              "Use POST to reload the configuration.\n", "POST, PUT");
        return;
      }
      // The reply may come from another thread: hop back to this one.
      handlers_.reload(
          [self = shared_from_this()](bool ok, std::string message) {
            asio::post(self->stream_.get_executor(),
                       [self, ok, message = std::move(message)]() mutable {
                         self->Reply(ok ? http::status::ok
                                        : http::status::internal_server_error,
                                     "text/plain", std::move(message));
                       });
          });
      return;
    }
    if (!get) {
      Reply(http::status::method_not_allowed, "text/plain",
            "Method not allowed.\n", "GET, HEAD");
      return;
    }
    if (target == "/metrics") {
      Reply(http::status::ok, kExpositionContentType, handlers_.metrics());
    } else if (target == "/") {
      Reply(http::status::ok, "text/html; charset=utf-8",
            handlers_.status_page());
    } else if (target == "/-/healthy") {
      Reply(http::status::ok, "text/plain", "Healthy.\n");
    } else if (target == "/-/ready") {
      bool ready = handlers_.ready();
      Reply(ready ? http::status::ok : http::status::service_unavailable,
            "text/plain", ready ? "Ready.\n" : "Not ready.\n");
    } else {
      Reply(http::status::not_found, "text/plain",
            "Not found. Try /metrics, /, /-/healthy, /-/ready or POST "
            "/-/reload.\n");
    }
  }

  void Reply(http::status status, std::string_view content_type,
             std::string body, std::string_view allow = {}) {
    auto response = std::make_shared<http::response<http::string_body>>(
        status, request_.version());
    response->set(http::field::server, "dcagent");
    response->set(http::field::content_type,
                  beast::string_view(content_type.data(), content_type.size()));
    if (!allow.empty()) {
      response->set(http::field::allow,
                    beast::string_view(allow.data(), allow.size()));
    }
    response->keep_alive(request_.keep_alive());
    bool head = request_.method() == http::verb::head;
    response->body() = std::move(body);
    response->prepare_payload();
    if (head)
      response->body().clear();

    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](
                          beast::error_code ec, std::size_t) {
                        if (ec)
                          return;
                        if (!response->keep_alive()) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  const Handlers& handlers_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
};

HttpServer::HttpServer(Handlers handlers)
    : handlers_(std::move(handlers)), acceptor_(io_), accept_retry_(io_) {}

HttpServer::~HttpServer() {
  Stop();
}

std::expected<tcp::endpoint, std::string> HttpServer::Start(
    std::string_view listen) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return std::unexpected(fmt::format("\"{}\" is not HOST:PORT", listen));
  }
  std::string host(listen.substr(0, colon));
  std::string port(listen.substr(colon + 1));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }

  beast::error_code ec;
  tcp::resolver resolver(io_);
  auto results = resolver.resolve(host, port, tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return std::unexpected(
        fmt::format("cannot resolve \"{}\": {}", listen, ec.message()));
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor_.bind(endpoint, ec);
  if (!ec)
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor_.close();
    return std::unexpected(
        fmt::format("cannot listen on {}: {}", listen, ec.message()));
  }
  tcp::endpoint bound = acceptor_.local_endpoint(ec);

  Accept();
  thread_ = std::thread([this] { io_.run(); });
  return bound;
}

void HttpServer::Accept() {
  acceptor_.async_accept(
      asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted)
          return;  // Stop()
        if (!ec) {
          std::make_shared<Session>(std::move(socket), handlers_)->Read();
          Accept();
          return;
        }
        // Out of descriptors, for instance: pause instead of spinning.
        spdlog::error("http accept failed error={}", LogValue(ec.message()));
        accept_retry_.expires_after(std::chrono::milliseconds(200));
        accept_retry_.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec)
            Accept();
        });
      });
}

void HttpServer::Stop() {
  if (!thread_.joinable())
    return;
  asio::post(io_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
  });
  io_.stop();
  thread_.join();
}

}  // namespace dc::agent
