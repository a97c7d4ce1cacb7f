// A Transport for unit tests: serves registers from a map, refuses
// addresses it is told are illegal, records every request and can fail
// the Nth one.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "collectors/modbus/request_plan.h"
#include "collectors/modbus/transport.h"

namespace dc::modbus {

class FakeTransport : public Transport {
 public:
  struct Request {
    int unit;
    Function function;
    std::uint16_t address;
    std::uint16_t count;
    std::chrono::milliseconds timeout;
  };

  void Set(Function f, std::uint16_t address, std::uint16_t value) {
    values_[{f, address}] = value;
  }
  void SetMany(Function f, std::uint16_t address,
               const std::vector<std::uint16_t>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      Set(f, static_cast<std::uint16_t>(address + i), values[i]);
    }
  }
  // Any request touching this register gets exception 02.
  void MakeIllegal(Function f, std::uint16_t address) {
    illegal_.insert({f, address});
  }
  // Request number `n` (0-based, counting every request) fails so.
  void FailRequest(std::size_t n, ReadStatus status) { failures_[n] = status; }
  // Every request from number `n` on fails so.
  void FailFrom(std::size_t n, ReadStatus status) { fail_from_ = {n, status}; }

  const std::vector<Request>& requests() const { return requests_; }
  std::vector<ReadBlock> blocks() const {
    std::vector<ReadBlock> out;
    for (const auto& r : requests_)
      out.push_back({r.function, r.address, r.count});
    return out;
  }

  ReadResult Read(const RequestOptions& options, Function function,
                  std::uint16_t address, std::uint16_t count,
                  std::uint16_t* out) override {
    const std::size_t n = requests_.size();
    requests_.push_back(
        {options.unit, function, address, count, options.timeout});
    if (auto it = failures_.find(n); it != failures_.end()) {
      return {it->second, 0, "injected failure"};
    }
    if (fail_from_ && n >= fail_from_->first) {
      return {fail_from_->second, 0, "injected failure"};
    }
    for (int i = 0; i < count; ++i) {
      if (illegal_.contains(
              {function, static_cast<std::uint16_t>(address + i)})) {
        return {ReadStatus::kIllegalAddress, 2, "Illegal data address"};
      }
    }
    for (int i = 0; i < count; ++i) {
      auto it =
          values_.find({function, static_cast<std::uint16_t>(address + i)});
      out[i] = it == values_.end() ? 0 : it->second;
    }
    return {};
  }

 private:
  std::map<std::pair<Function, std::uint16_t>, std::uint16_t> values_;
  std::set<std::pair<Function, std::uint16_t>> illegal_;
  std::map<std::size_t, ReadStatus> failures_;
  std::optional<std::pair<std::size_t, ReadStatus>> fail_from_;
  std::vector<Request> requests_;
};

}  // namespace dc::modbus
