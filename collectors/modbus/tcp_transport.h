// Modbus TCP on a blocking socket of its own. Per request it costs one
// send and, when the reply arrives in one segment as it nearly always does,
// one receive: libmodbus spends a select and a recv on each of a reply's
// three parts, which made it the largest share of the adapter's CPU.
// Serial lines stay with libmodbus (libmodbus_transport.h). Its calls
// block, so only worker threads use it (see worker_pool.h).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "collectors/modbus/mbap.h"
#include "collectors/modbus/transport.h"

namespace dc::modbus {

class TcpTransport : public Transport {
 public:
  TcpTransport(std::string host, int port);
  ~TcpTransport() override;

  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  ReadResult Read(const RequestOptions& options, Function function,
                  std::uint16_t address, std::uint16_t count,
                  std::uint16_t* out) override;

 private:
  ReadResult Connect(std::chrono::milliseconds timeout);
  // Receives one whole frame into buffer_ within `timeout`; its size in
  // `size`.
  ReadResult Receive(std::chrono::milliseconds timeout, std::size_t& size);
  bool SetReceiveTimeout(std::chrono::microseconds timeout);
  ReadResult Fail(ReadStatus status, std::string message);
  void Disconnect();

  std::string host_;
  int port_;
  std::string where_;  // host:port, for messages
  int fd_ = -1;
  std::uint16_t transaction_ = 0;
  // The socket's receive timeout as last set (-1: not set yet), so a steady
  // request timeout costs no setsockopt per request.
  std::chrono::microseconds receive_timeout_{-1};
  QuietTime quiet_;
  std::array<std::uint8_t, mbap::kMaxFrameSize> buffer_{};
};

}  // namespace dc::modbus
