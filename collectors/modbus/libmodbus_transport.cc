#include "collectors/modbus/libmodbus_transport.h"

#include <cerrno>
#include <vector>

#include <fmt/format.h>
#include <modbus/modbus.h>

namespace dc::modbus {
namespace {

using std::chrono::milliseconds;

// Between two bytes of one reply: generous for slow serial lines and busy
// gateways, short enough that a truncated frame fails quickly.
constexpr milliseconds kMaxByteTimeout{500};

void SetTimeout(modbus_t* ctx, milliseconds timeout, bool byte) {
  if (timeout < milliseconds(1))
    timeout = milliseconds(1);
  auto sec = static_cast<std::uint32_t>(timeout.count() / 1000);
  auto usec = static_cast<std::uint32_t>((timeout.count() % 1000) * 1000);
  if (byte) {
    modbus_set_byte_timeout(ctx, sec, usec);
  } else {
    modbus_set_response_timeout(ctx, sec, usec);
  }
}

}  // namespace

LibmodbusTransport::LibmodbusTransport(LinkAddress address)
    : address_(std::move(address)) {}

LibmodbusTransport::~LibmodbusTransport() {
  Disconnect();
  if (ctx_)
    modbus_free(ctx_);
}

void LibmodbusTransport::Disconnect() {
  if (ctx_ && connected_)
    modbus_close(ctx_);
  connected_ = false;
}

void LibmodbusTransport::SetTimeouts(milliseconds timeout) {
  SetTimeout(ctx_, timeout, false);
  SetTimeout(ctx_, std::min(timeout, kMaxByteTimeout), true);
}

ReadResult LibmodbusTransport::Connect(milliseconds timeout) {
  if (!ctx_) {
    if (address_.kind == LinkAddress::Kind::kTcp) {
      std::string port = std::to_string(address_.port);
      ctx_ = modbus_new_tcp_pi(address_.host.c_str(), port.c_str());
    } else {
      const SerialSettings& s = address_.serial;
      ctx_ = modbus_new_rtu(s.device.c_str(), s.baud, s.parity, s.data_bits,
                            s.stop_bits);
    }
    if (!ctx_) {
      return {ReadStatus::kConnection, 0,
              fmt::format("cannot set up {}: {}", address_.Key(),
                          modbus_strerror(errno))};
    }
    // Recovery is ours: a failed request closes the link explicitly.
    modbus_set_error_recovery(ctx_, MODBUS_ERROR_RECOVERY_NONE);
  }
  // libmodbus bounds a TCP connect by the response timeout.
  SetTimeouts(timeout);
  if (modbus_connect(ctx_) != 0) {
    int error = errno;
    return {ReadStatus::kConnection, 0,
            fmt::format("cannot connect to {}: {}", address_.Key(),
                        modbus_strerror(error))};
  }
  connected_ = true;
  return {};
}

ReadResult LibmodbusTransport::Classify(int error) {
  ReadResult result;
  result.message = modbus_strerror(error);
  if (error >= EMBXILFUN && error <= EMBXGTAR) {
    result.exception_code = error - MODBUS_ENOBASE;
    result.status = error == EMBXILADD ? ReadStatus::kIllegalAddress
                                       : ReadStatus::kException;
    return result;
  }
  if (error == ETIMEDOUT) {
    // A late reply would be taken for the answer to the next request: on
    // TCP start a new connection, on a serial line drop what arrived. A
    // serial reply arriving after this flush can still be misread as the
    // next answer; libmodbus's unit, function and length checks catch
    // most such mix-ups, not all.
    result.status = ReadStatus::kTimeout;
    if (address_.kind == LinkAddress::Kind::kTcp) {
      Disconnect();
    } else {
      modbus_flush(ctx_);
    }
    return result;
  }
  if (error == EMBBADCRC) {
    result.status = ReadStatus::kCrc;
    modbus_flush(ctx_);
    return result;
  }
  if (error == EMBBADDATA || error == EMBBADEXC || error == EMBUNKEXC ||
      error == EMBMDATA || error == EMBBADSLAVE) {
    result.status = ReadStatus::kBadReply;
  } else {
    result.status = ReadStatus::kConnection;
  }
  // Out of step with the peer, or the connection broke: start over.
  Disconnect();
  return result;
}

ReadResult LibmodbusTransport::Read(const RequestOptions& options,
                                    Function function, std::uint16_t address,
                                    std::uint16_t count, std::uint16_t* out) {
  quiet_.Wait(options.pause);

  if (!connected_) {
    ReadResult connected = Connect(options.timeout);
    if (!connected.ok()) {
      quiet_.Mark();
      return connected;
    }
  }
  SetTimeouts(options.timeout);
  modbus_set_slave(ctx_, options.unit);

  // Only these four calls ever reach the device.
  int got = -1;
  switch (function) {
    case Function::kCoil:
    case Function::kDiscreteInput: {
      std::vector<std::uint8_t> bits(count);
      got = function == Function::kCoil
                ? modbus_read_bits(ctx_, address, count, bits.data())
                : modbus_read_input_bits(ctx_, address, count, bits.data());
      for (int i = 0; i < got; ++i)
        out[i] = bits[i] ? 1 : 0;
      break;
    }
    case Function::kHolding:
      got = modbus_read_registers(ctx_, address, count, out);
      break;
    case Function::kInput:
      got = modbus_read_input_registers(ctx_, address, count, out);
      break;
  }
  int error = errno;
  quiet_.Mark();

  if (got == count)
    return {};
  if (got >= 0) {
    Disconnect();
    return {ReadStatus::kBadReply, 0,
            fmt::format("asked for {} items, got {}", count, got)};
  }
  return Classify(error);
}

}  // namespace dc::modbus
