// Modbus TCP on the agent's event loop. Each request is one send and,
// when the reply arrives in one segment as it nearly always does, one
// wait and one receive; nothing blocks a thread, so a poll of a TCP device
// runs on the io_context without handing off to a worker and back.
//
// Read() keeps the synchronous Transport interface for the request logic
// above it (block_reader.h, device_poller.h): it must run inside a
// stackful coroutine attached with Attach(), and suspends that coroutine
// while the network is slow. TcpLink (tcp_link.h) does this for the
// agent; RunOnTransport() there does it for one-off use. Serial lines stay
// with libmodbus on worker threads (libmodbus_transport.h).
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collectors/modbus/mbap.h"
#include "collectors/modbus/transport.h"

namespace dc::modbus {

class TcpTransport : public Transport,
                     public std::enable_shared_from_this<TcpTransport> {
 public:
  // Held by shared_ptr: a request's timer may fire after the transport is
  // gone and must then find nothing to cancel.
  static std::shared_ptr<TcpTransport> Make(boost::asio::io_context& io,
                                            std::string host, int port);
  ~TcpTransport() override = default;

  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  // The coroutine that Read() suspends while it waits; nullptr detaches.
  void Attach(boost::asio::yield_context* yield) { yield_ = yield; }

  ReadResult Read(const RequestOptions& options, Function function,
                  std::uint16_t address, std::uint16_t count,
                  std::uint16_t* out) override;

 private:
  TcpTransport(boost::asio::io_context& io, std::string host, int port);

  ReadResult Connect(std::chrono::milliseconds timeout);
  ReadResult Exchange(const mbap::ReadRequest& request,
                      std::chrono::milliseconds timeout, std::uint16_t* out);
  // Receives one whole frame into buffer_; its size in `size`.
  ReadResult Receive(std::chrono::milliseconds timeout, std::size_t& size);
  void WaitQuietTime(std::chrono::milliseconds pause);
  // Cancels the socket's operations at `deadline` until Disarm().
  void Arm(std::chrono::steady_clock::time_point deadline);
  void Disarm();
  ReadResult Fail(ReadStatus status, std::string message);
  void Disconnect();

  boost::asio::io_context& io_;
  std::string host_;
  int port_;
  std::string where_;  // host:port, for messages
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer deadline_timer_;
  boost::asio::steady_timer pause_timer_;
  // Which Arm() the deadline timer belongs to, so a handler of an earlier
  // request that is already queued cannot cancel a later one.
  std::uint64_t armed_ = 0;
  bool expired_ = false;
  boost::asio::yield_context* yield_ = nullptr;
  std::uint16_t transaction_ = 0;
  QuietTime quiet_;
  std::array<std::uint8_t, mbap::kMaxFrameSize> buffer_{};
};

}  // namespace dc::modbus
