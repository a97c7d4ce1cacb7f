// The narrow interface between request execution and the wire. It can only
// read: the four read function codes are all it offers, so no code path
// above it can change a device's state.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "collectors/modbus/register_types.h"

namespace dc::modbus {

enum class ReadStatus {
  kOk,
  kIllegalAddress,  // exception 02: a register of the block does not exist
  kException,       // any other exception reply
  kTimeout,         // no (complete) reply in time
  kCrc,             // RTU frame with a bad checksum
  kConnection,      // cannot connect, or the connection broke
  kBadReply,        // a reply that does not answer the request
};

struct ReadResult {
  ReadStatus status = ReadStatus::kOk;
  int exception_code = 0;  // for kIllegalAddress and kException
  std::string message;     // what went wrong, for logs

  bool ok() const { return status == ReadStatus::kOk; }
};

struct RequestOptions {
  int unit = 1;                         // unit (slave) id
  std::chrono::milliseconds timeout{};  // response deadline of this request
  // Quiet time the link keeps between the end of one request and the start
  // of the next (some gateways and buses need it).
  std::chrono::milliseconds pause{};
};

// The quiet time a link keeps between the end of one request and the start
// of the next. A serial line sleeps it on the worker serving the link (so a
// long pause on a busy bus keeps that worker from other links meanwhile);
// Modbus TCP waits for Until() on a timer.
class QuietTime {
 public:
  void Wait(std::chrono::milliseconds pause) const {
    if (pause.count() > 0)
      std::this_thread::sleep_until(Until(pause));
  }
  std::chrono::steady_clock::time_point Until(
      std::chrono::milliseconds pause) const {
    return last_end_ + pause;
  }
  void Mark() { last_end_ = std::chrono::steady_clock::now(); }

 private:
  std::chrono::steady_clock::time_point last_end_{};
};

// One connection: a TCP gateway or a serial bus. Not thread safe: its link
// (link.h) guarantees a single user at a time.
class Transport {
 public:
  virtual ~Transport() = default;

  // Reads `count` registers (or bits, stored one per element as 0 or 1)
  // starting at `address` into `out`, which holds at least `count`
  // elements. Connects first if needed; a broken connection is closed so
  // the next call reconnects.
  virtual ReadResult Read(const RequestOptions& options, Function function,
                          std::uint16_t address, std::uint16_t count,
                          std::uint16_t* out) = 0;
};

}  // namespace dc::modbus
