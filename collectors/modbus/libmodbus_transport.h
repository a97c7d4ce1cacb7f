// libmodbus over an RTU serial line (or over TCP, which dcagent leaves to
// TcpTransport; modbus_bench compares the two). Its calls block, so only
// worker threads use it (see worker_pool.h).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "collectors/modbus/link_address.h"
#include "collectors/modbus/transport.h"

struct _modbus;  // libmodbus's context, kept out of this header

namespace dc::modbus {

class LibmodbusTransport : public Transport {
 public:
  explicit LibmodbusTransport(LinkAddress address);
  ~LibmodbusTransport() override;

  LibmodbusTransport(const LibmodbusTransport&) = delete;
  LibmodbusTransport& operator=(const LibmodbusTransport&) = delete;

  ReadResult Read(const RequestOptions& options, Function function,
                  std::uint16_t address, std::uint16_t count,
                  std::uint16_t* out) override;

  const LinkAddress& address() const { return address_; }

 private:
  ReadResult Connect(std::chrono::milliseconds timeout);
  void Disconnect();
  void SetTimeouts(std::chrono::milliseconds timeout);
  ReadResult Classify(int error);

  LinkAddress address_;
  _modbus* ctx_ = nullptr;
  bool connected_ = false;
  QuietTime quiet_;
};

}  // namespace dc::modbus
