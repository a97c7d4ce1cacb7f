#include "collectors/modbus/tcp_transport.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>

#include <fmt/format.h>

namespace dc::modbus {

namespace asio = boost::asio;
using asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::shared_ptr<TcpTransport> TcpTransport::Make(asio::io_context& io,
                                                 std::string host, int port) {
  return std::shared_ptr<TcpTransport>(
      new TcpTransport(io, std::move(host), port));
}

TcpTransport::TcpTransport(asio::io_context& io, std::string host, int port)
    : io_(io),
      host_(std::move(host)),
      port_(port),
      where_(fmt::format("{}:{}", host_, port_)),
      socket_(io),
      deadline_timer_(io),
      pause_timer_(io) {}

void TcpTransport::Disconnect() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

ReadResult TcpTransport::Fail(ReadStatus status, std::string message) {
  // Whatever went wrong, the stream may be out of step with the requests:
  // a late reply would be taken for the answer to the next one.
  Disconnect();
  return {status, 0, std::move(message)};
}

void TcpTransport::Arm(steady_clock::time_point deadline) {
  expired_ = false;
  deadline_timer_.expires_at(deadline);
  deadline_timer_.async_wait([weak = weak_from_this(), armed = ++armed_](
                                 const boost::system::error_code& error) {
    auto self = weak.lock();
    if (error || !self || self->armed_ != armed)
      return;
    // Closing, not cancelling: it also stops a connect in progress, and a
    // timed-out connection is dropped anyway.
    self->expired_ = true;
    self->Disconnect();
  });
}

void TcpTransport::Disarm() {
  ++armed_;
  deadline_timer_.cancel();
}

void TcpTransport::WaitQuietTime(milliseconds pause) {
  if (pause.count() <= 0)
    return;
  const auto until = quiet_.Until(pause);
  if (until <= steady_clock::now())
    return;
  boost::system::error_code ignored;
  pause_timer_.expires_at(until);
  pause_timer_.async_wait((*yield_)[ignored]);
}

ReadResult TcpTransport::Connect(milliseconds timeout) {
  boost::system::error_code error;
  tcp::resolver::results_type endpoints;
  const auto numeric = asio::ip::make_address(host_, error);
  if (!error) {
    endpoints = tcp::resolver::results_type::create(
        tcp::endpoint(numeric, static_cast<std::uint16_t>(port_)), host_,
        std::to_string(port_));
  } else {
    // Name lookup runs on Asio's resolver thread, so it does not hold up
    // the loop; it is bounded by the system resolver's own timeouts.
    tcp::resolver resolver(io_);
    endpoints =
        resolver.async_resolve(host_, std::to_string(port_), (*yield_)[error]);
    if (error) {
      return {ReadStatus::kConnection, 0,
              fmt::format("cannot resolve {}: {}", host_, error.message())};
    }
  }

  Arm(steady_clock::now() + timeout);
  asio::async_connect(socket_, endpoints, (*yield_)[error]);
  Disarm();
  if (!error) {
    socket_.set_option(tcp::no_delay(true), error);
    // Sends never wait: a 12-byte request that does not fit the socket's
    // buffer means the device stopped reading.
    if (!error)
      socket_.non_blocking(true, error);
  }
  if (error || expired_) {
    Disconnect();
    return {ReadStatus::kConnection, 0,
            fmt::format("cannot connect to {}: {}", where_,
                        expired_ ? fmt::format("no answer within {} ms",
                                               timeout.count())
                                 : error.message())};
  }
  return {};
}

ReadResult TcpTransport::Receive(milliseconds timeout, std::size_t& size) {
  std::size_t want = mbap::kHeaderSize;
  size = 0;
  while (true) {
    boost::system::error_code error;
    const std::size_t n = socket_.async_read_some(
        asio::buffer(buffer_.data() + size, buffer_.size() - size),
        (*yield_)[error]);
    if (expired_)
      break;
    if (error == asio::error::eof) {
      return Fail(ReadStatus::kConnection,
                  fmt::format("{} closed the connection", where_));
    }
    if (error) {
      return Fail(
          ReadStatus::kConnection,
          fmt::format("receiving from {}: {}", where_, error.message()));
    }
    size += n;
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
  }
  return Fail(ReadStatus::kTimeout,
              size == 0 ? fmt::format("no reply within {} ms", timeout.count())
                        : fmt::format("reply incomplete after {} ms ({} "
                                      "bytes)",
                                      timeout.count(), size));
}

ReadResult TcpTransport::Exchange(const mbap::ReadRequest& request,
                                  milliseconds timeout, std::uint16_t* out) {
  const auto frame = mbap::Encode(request);
  boost::system::error_code error;
  const std::size_t sent = socket_.send(asio::buffer(frame), 0, error);
  if (error || sent != frame.size()) {
    return Fail(ReadStatus::kConnection,
                fmt::format("sending to {}: {}", where_,
                            error ? error.message() : "short write"));
  }
  std::size_t size = 0;
  ReadResult received = Receive(timeout, size);
  if (!received.ok())
    return received;
  ReadResult result = mbap::Decode(request, {buffer_.data(), size}, out);
  if (result.status == ReadStatus::kBadReply)
    Disconnect();
  return result;
}

ReadResult TcpTransport::Read(const RequestOptions& options, Function function,
                              std::uint16_t address, std::uint16_t count,
                              std::uint16_t* out) {
  if (yield_ == nullptr) {
    return {ReadStatus::kConnection, 0,
            "internal error: Modbus TCP read outside its link's coroutine"};
  }
  WaitQuietTime(options.pause);
  const milliseconds timeout = std::max(options.timeout, milliseconds(1));
  ReadResult result;
  if (!socket_.is_open())
    result = Connect(timeout);
  if (result.ok()) {
    const mbap::ReadRequest request{++transaction_,
                                    static_cast<std::uint8_t>(options.unit),
                                    function, address, count};
    Arm(steady_clock::now() + timeout);
    result = Exchange(request, timeout, out);
    Disarm();
  }
  quiet_.Mark();
  return result;
}

}  // namespace dc::modbus
