#include "collectors/modbus/tcp_transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace dc::modbus {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string ErrnoText(int error) {
  return std::strerror(error);
}

// Waits for a non-blocking connect to finish; the error it ended with.
int AwaitConnect(int fd, steady_clock::time_point deadline) {
  pollfd p{fd, POLLOUT, 0};
  while (true) {
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0)
      return ETIMEDOUT;
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0)
      break;
    if (n == 0)
      return ETIMEDOUT;
    if (errno != EINTR)
      return errno;
  }
  int error = 0;
  socklen_t size = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
    return errno;
  return error;
}

}  // namespace

TcpTransport::TcpTransport(std::string host, int port)
    : host_(std::move(host)),
      port_(port),
      where_(fmt::format("{}:{}", host_, port_)) {}

TcpTransport::~TcpTransport() {
  Disconnect();
}

void TcpTransport::Disconnect() {
  if (fd_ >= 0)
    close(fd_);
  fd_ = -1;
  receive_timeout_ = microseconds(-1);
}

ReadResult TcpTransport::Fail(ReadStatus status, std::string message) {
  // Whatever went wrong, the stream may be out of step with the requests:
  // a late reply would be taken for the answer to the next one.
  Disconnect();
  return {status, 0, std::move(message)};
}

ReadResult TcpTransport::Connect(milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(port_);
  if (int rc = getaddrinfo(host_.c_str(), port.c_str(), &hints, &found)) {
    return {ReadStatus::kConnection, 0,
            fmt::format("cannot resolve {}: {}", host_, gai_strerror(rc))};
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
  const auto deadline = steady_clock::now() + timeout;
  int error = EHOSTUNREACH;
  for (const addrinfo* a = found; a; a = a->ai_next) {
    int fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    error = connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
    if (error == EINPROGRESS)
      error = AwaitConnect(fd, deadline);
    // From here on the socket blocks, bounded by its receive timeout.
    int flags = fcntl(fd, F_GETFL);
    if (error == 0 && (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)))
      error = errno;
    if (error != 0) {
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_ = fd;
    return {};
  }
  return {ReadStatus::kConnection, 0,
          fmt::format("cannot connect to {}: {}", where_,
                      error == ETIMEDOUT ? fmt::format("no answer within {} ms",
                                                       timeout.count())
                                         : ErrnoText(error))};
}

bool TcpTransport::SetReceiveTimeout(microseconds timeout) {
  // A zero timeval would mean "wait forever".
  timeout = std::max(timeout, microseconds(1));
  if (timeout == receive_timeout_)
    return true;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1'000'000);
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
    return false;
  receive_timeout_ = timeout;
  return true;
}

ReadResult TcpTransport::Receive(milliseconds timeout, std::size_t& size) {
  const auto deadline = steady_clock::now() + timeout;
  std::size_t want = mbap::kHeaderSize;
  size = 0;
  // The first wait is the request's timeout itself, which stays the same
  // from one request to the next; only a reply split across segments needs
  // the socket's timeout cut to what is left.
  microseconds wait = timeout;
  while (true) {
    if (!SetReceiveTimeout(wait)) {
      return Fail(ReadStatus::kConnection,
                  fmt::format("cannot set a receive timeout on {}: {}", where_,
                              ErrnoText(errno)));
    }
    ssize_t n = recv(fd_, buffer_.data() + size, buffer_.size() - size, 0);
    if (n == 0) {
      return Fail(ReadStatus::kConnection,
                  fmt::format("{} closed the connection", where_));
    }
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      return Fail(
          ReadStatus::kConnection,
          fmt::format("receiving from {}: {}", where_, ErrnoText(errno)));
    }
    size += static_cast<std::size_t>(n);
    if (want == mbap::kHeaderSize && size >= want) {
      want = mbap::FrameSize({buffer_.data(), size});
      if (want == 0) {
        return Fail(ReadStatus::kBadReply,
                    "a reply that is not a Modbus TCP frame (bad protocol "
                    "id or length)");
      }
    }
    if (size >= want) {
      if (size > want) {
        return Fail(
            ReadStatus::kBadReply,
            fmt::format("{} bytes more than the reply's length", size - want));
      }
      return {};
    }
    wait = duration_cast<microseconds>(deadline - steady_clock::now());
    if (wait.count() <= 0)
      break;
  }
  return Fail(ReadStatus::kTimeout,
              size == 0 ? fmt::format("no reply within {} ms", timeout.count())
                        : fmt::format("reply incomplete after {} ms ({} "
                                      "bytes)",
                                      timeout.count(), size));
}

ReadResult TcpTransport::Read(const RequestOptions& options, Function function,
                              std::uint16_t address, std::uint16_t count,
                              std::uint16_t* out) {
  quiet_.Wait(options.pause);
  const milliseconds timeout = std::max(options.timeout, milliseconds(1));
  auto done = [&](ReadResult result) {
    quiet_.Mark();
    return result;
  };
  if (fd_ < 0) {
    ReadResult connected = Connect(timeout);
    if (!connected.ok())
      return done(std::move(connected));
  }

  const mbap::ReadRequest request{++transaction_,
                                  static_cast<std::uint8_t>(options.unit),
                                  function, address, count};
  const auto frame = mbap::Encode(request);
  ssize_t sent;
  do {
    sent = send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR);
  if (sent != static_cast<ssize_t>(frame.size())) {
    return done(Fail(
        ReadStatus::kConnection,
        fmt::format("sending to {}: {}", where_,
                    sent < 0 ? ErrnoText(errno) : std::string("short write"))));
  }

  std::size_t size = 0;
  ReadResult received = Receive(timeout, size);
  if (!received.ok())
    return done(std::move(received));
  ReadResult result = mbap::Decode(request, {buffer_.data(), size}, out);
  if (result.status == ReadStatus::kBadReply)
    Disconnect();
  return done(std::move(result));
}

}  // namespace dc::modbus
