#include "agent/http_server.h"

#include <chrono>
#include <optional>
#include <type_traits>
#include <vector>

#include <boost/optional.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "agent/exposition.h"
#include "agent/gzip.h"
#include "agent/logging.h"

namespace dc::agent {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);
// A client that opens a connection and sends nothing holds a session; TLS
// handshakes and shutdowns get less time than idle keep-alive.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr std::size_t kMaxRequestBody = 64 * 1024;
// Below this, gzip saves too little to be worth a header.
constexpr std::size_t kMinGzipBody = 512;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

std::string_view View(beast::string_view text) {
  return {text.data(), text.size()};
}

beast::string_view BeastView(std::string_view text) {
  return {text.data(), text.size()};
}

std::string Peer(const tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec)
    return "unknown";
  return fmt::format("{}:{}", peer.address().to_string(), peer.port());
}

// A response body that is an Exposition's pieces, written in order
// straight from the snapshots (a writev of up to kPiecesPerWrite pieces at
// a time), so the text is never joined into one buffer.
struct ExpositionBody {
  using value_type = std::shared_ptr<const Exposition>;

  static std::uint64_t size(const value_type& body) {
    return body ? body->size() : 0;
  }

  class writer {
   public:
    using const_buffers_type = std::vector<asio::const_buffer>;

    template <bool isRequest, class Fields>
    writer(const http::header<isRequest, Fields>&, const value_type& body)
        : body_(body) {}

    void init(beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(
        beast::error_code& ec) {
      ec = {};
      if (!body_)
        return boost::none;
      std::span<const std::string_view> pieces = body_->pieces();
      const_buffers_type out;
      std::size_t bytes = 0;
      while (next_ < pieces.size() && out.size() < kPiecesPerWrite &&
             bytes < kBytesPerWrite) {
        std::string_view piece = pieces[next_++];
        if (!piece.empty()) {
          out.emplace_back(piece.data(), piece.size());
          bytes += piece.size();
        }
      }
      if (out.empty())
        return boost::none;
      return std::make_pair(std::move(out), next_ < pieces.size());
    }

   private:
    static constexpr std::size_t kPiecesPerWrite = 256;
    static constexpr std::size_t kBytesPerWrite = 256 * 1024;
    const value_type& body_;
    std::size_t next_ = 0;
  };
};

}  // namespace

bool IsPublicPath(std::string_view path) {
  return path == "/-/healthy" || path == "/-/ready";
}

// What a reply carries besides status, type and body.
struct ReplyExtras {
  std::string_view allow;
  std::string www_authenticate;
  // /metrics and /: gzip when the client accepts it.
  bool compressible = false;
  // The body is gzip already.
  bool gzipped = false;

  static ReplyExtras Allow(std::string_view methods) {
    ReplyExtras extras;
    extras.allow = methods;
    return extras;
  }
  static ReplyExtras Challenge(std::string challenge) {
    ReplyExtras extras;
    extras.www_authenticate = std::move(challenge);
    return extras;
  }
  static ReplyExtras Compressible() {
    ReplyExtras extras;
    extras.compressible = true;
    return extras;
  }
};

// One connection, plain or TLS: (handshakes,) reads requests one after
// another and answers each. Owned by the handlers it has pending
// (shared_from_this); an aborted read or write ends it.
template <class Stream>
class HttpServer::Session
    : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(tcp::socket socket, HttpServer& server) requires(!kTls)
      : peer_(Peer(socket)), stream_(std::move(socket)), server_(server) {}

  // Holds the context, so a reload that replaces it leaves this
  // connection's in place.
  Session(tcp::socket socket, std::shared_ptr<ssl::context> tls,
          HttpServer& server) requires kTls : peer_(Peer(socket)),
                                              tls_(std::move(tls)),
                                              stream_(std::move(socket), *tls_),
                                              server_(server) {}

  void Begin() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_handshake(
          ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) {
              // Scanners, plain HTTP sent to the TLS port, clients without
              // an accepted certificate: the client sees the failure.
              spdlog::debug("tls handshake failed peer={} error={}",
                            self->peer_, LogValue(ec.message()));
              return;
            }
            self->Read();
          });
    } else {
      Read();
    }
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBody);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
          self->OnRead(ec);
        });
  }

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
    std::string_view target = View(request_.target());
    target = target.substr(0, target.find('?'));
    http::verb method = request_.method();
    bool get = method == http::verb::get || method == http::verb::head;
    std::shared_ptr<const WebSecurity> security = server_.Security();

    // Everything but the probes needs credentials when users are set;
    // unknown paths too, so they cannot be probed for.
    //
    // The hash is checked on the server thread: a client sending wrong
    // passwords in a loop costs a slow hash each (tens of milliseconds)
    // and delays scrapes by as much. Mutual TLS keeps strangers from
    // getting this far; without it there is no rate limit per client.
    if (security->basic_auth && !IsPublicPath(target) &&
        !security->basic_auth->Allows(
            View(request_[http::field::authorization]))) {
      spdlog::debug("http unauthorized peer={} path={}", peer_,
                    LogValue(target));
      Reply(http::status::unauthorized, "text/plain",
            "Unauthorized: this endpoint needs a user name and password.\n",
            ReplyExtras::Challenge(security->basic_auth->Challenge()));
      return;
    }

    if (target == "/-/reload") {
      if (method != http::verb::post && method != http::verb::put) {
        Reply(http::status::method_not_allowed, "text/plain",
              "Use POST to reload the configuration.\n",
              ReplyExtras::Allow("POST, PUT"));
        return;
      }
      if (!security->reload_endpoint) {
        Reply(http::status::forbidden, "text/plain",
              "Reloading over HTTP is disabled ([agent] reload_endpoint = "
              "false); send SIGHUP to dcagent instead.\n");
        return;
      }
      // The reply may come from another thread: hop back to this one.
      server_.handlers_.reload(
          [self = this->shared_from_this()](bool ok, std::string message) {
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
            "Method not allowed.\n", ReplyExtras::Allow("GET, HEAD"));
      return;
    }
    if (target == "/metrics") {
      ReplyExposition(server_.handlers_.metrics());
    } else if (target == "/") {
      Reply(http::status::ok, "text/html; charset=utf-8",
            server_.handlers_.status_page(), ReplyExtras::Compressible());
    } else if (target == "/-/healthy") {
      Reply(http::status::ok, "text/plain", "Healthy.\n");
    } else if (target == "/-/ready") {
      bool ready = server_.handlers_.ready();
      Reply(ready ? http::status::ok : http::status::service_unavailable,
            "text/plain", ready ? "Ready.\n" : "Not ready.\n");
    } else {
      Reply(http::status::not_found, "text/plain",
            "Not found. Try /metrics, /, /-/healthy, /-/ready or POST "
            "/-/reload.\n");
    }
  }

  // A response with the headers every reply has.
  template <class Body>
  std::shared_ptr<http::response<Body>> NewResponse(
      http::status status, std::string_view content_type,
      const ReplyExtras& extras) {
    auto response =
        std::make_shared<http::response<Body>>(status, request_.version());
    response->set(http::field::server, "dcagent");
    response->set(http::field::content_type, BeastView(content_type));
    if (!extras.allow.empty())
      response->set(http::field::allow, BeastView(extras.allow));
    if (!extras.www_authenticate.empty()) {
      response->set(http::field::www_authenticate, extras.www_authenticate);
    }
    // Caches between here and the client must not mix the two forms.
    if (extras.compressible || extras.gzipped)
      response->set(http::field::vary, "Accept-Encoding");
    if (extras.gzipped)
      response->set(http::field::content_encoding, "gzip");
    response->keep_alive(request_.keep_alive());
    return response;
  }

  bool Head() const { return request_.method() == http::verb::head; }

  bool WantsGzip(std::size_t size) const {
    return size >= kMinGzipBody &&
           AcceptsGzip(View(request_[http::field::accept_encoding]));
  }

  void Reply(http::status status, std::string_view content_type,
             std::string body, ReplyExtras extras = {}) {
    if (extras.compressible && !extras.gzipped && WantsGzip(body.size())) {
      body = Gzip(body);
      extras.gzipped = true;
    }
    auto response =
        NewResponse<http::string_body>(status, content_type, extras);
    response->body() = std::move(body);
    response->prepare_payload();
    if (Head())
      response->body().clear();
    Send(std::move(response));
  }

  // /metrics: compressed from the pieces when the client accepts gzip
  // (Prometheus does), else written from them.
  void ReplyExposition(std::shared_ptr<const Exposition> exposition) {
    ReplyExtras extras = ReplyExtras::Compressible();
    if (WantsGzip(exposition->size())) {
      extras.gzipped = true;
      Reply(http::status::ok, kExpositionContentType,
            Gzip(exposition->pieces()), extras);
      return;
    }
    auto response = NewResponse<ExpositionBody>(http::status::ok,
                                                kExpositionContentType, extras);
    if (Head()) {
      response->content_length(exposition->size());
    } else {
      response->body() = std::move(exposition);
      response->prepare_payload();
    }
    Send(std::move(response));
  }

  template <class Body>
  void Send(std::shared_ptr<http::response<Body>> response) {
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_write(stream_, *response,
                      [self = this->shared_from_this(), response](
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
    if constexpr (kTls) {
      // close_notify, so the client knows the body was not cut short.
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  std::string peer_;
  std::shared_ptr<ssl::context> tls_;
  Stream stream_;
  beast::flat_buffer buffer_;
  HttpServer& server_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
};

HttpServer::HttpServer(Handlers handlers)
    : handlers_(std::move(handlers)),
      security_(std::make_shared<WebSecurity>()),
      acceptor_(io_),
      accept_retry_(io_) {}

HttpServer::~HttpServer() {
  Stop();
}

void HttpServer::SetSecurity(WebSecurity security) {
  spdlog::info(
      "http protection tls={} client_certificates={} basic_auth_users={} "
      "reload_endpoint={}",
      security.tls ? "on" : "off",
      security.tls_files && security.tls_files->client_ca_file ? "required"
                                                               : "off",
      security.basic_auth ? security.basic_auth->user_count() : 0,
      security.reload_endpoint ? "on" : "off");
  auto shared = std::make_shared<const WebSecurity>(std::move(security));
  std::lock_guard lock(security_mutex_);
  security_ = std::move(shared);
}

std::shared_ptr<const WebSecurity> HttpServer::Security() const {
  std::lock_guard lock(security_mutex_);
  return security_;
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

  // Reachable from other hosts without both protections: say so once.
  std::shared_ptr<const WebSecurity> security = Security();
  if (!bound.address().is_loopback() &&
      (!security->tls || !security->basic_auth)) {
    spdlog::warn("http served beyond this host without {} listen={}",
                 !security->tls && !security->basic_auth
                     ? "TLS and authentication"
                 : !security->tls ? "TLS"
                                  : "authentication",
                 LogValue(listen));
  }

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
          std::shared_ptr<ssl::context> tls = Security()->tls;
          if (tls) {
            std::make_shared<Session<TlsStream>>(std::move(socket),
                                                 std::move(tls), *this)
                ->Begin();
          } else {
            std::make_shared<Session<PlainStream>>(std::move(socket), *this)
                ->Begin();
          }
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
