// Executes a request plan against one device: retries, the poll deadline,
// and the search for registers a device refuses. One bad register never
// fails the device: a block answered with "illegal data address" is split
// in halves until the refused registers are found; they are remembered and
// everything else is still read.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "collectors/common/sample.h"
#include "collectors/modbus/request_plan.h"
#include "collectors/modbus/transport.h"

namespace dc::modbus {

// Registers (and bits, as 0/1) received during one poll.
class RegisterImage {
 public:
  void Clear() { blocks_.clear(); }
  void Add(Function function, std::uint16_t address,
           std::span<const std::uint16_t> values);
  // Copies `count` items from `address` into `out`; false when any of them
  // was not received.
  bool Copy(Function function, int address, int count,
            std::uint16_t* out) const;

 private:
  struct Block {
    Function function;
    int address;
    std::vector<std::uint16_t> values;
  };
  std::vector<Block> blocks_;
};

struct ReadPolicy {
  int unit = 1;
  std::chrono::milliseconds request_timeout{3000};
  std::chrono::milliseconds pause{0};
  int retries = 1;  // further attempts after a timeout, CRC or link error
  std::chrono::steady_clock::time_point deadline;
};

// What a poll's requests amounted to.
struct ReadStats {
  std::map<ErrorReason, std::uint64_t> errors;
  std::uint64_t requests = 0;
  std::uint64_t items_read = 0;
  std::string last_error;  // the most recent failure, for the poll result
  bool stopped = false;    // the deadline passed or the link is down
};

ErrorReason ToErrorReason(ReadStatus status);

class BlockReader {
 public:
  // All references must outlive the reader.
  BlockReader(Transport& transport, const ReadPolicy& policy, BadRegisters& bad,
              RegisterImage& image, ReadStats& stats);

  // Reads every block into the image. A refused block is bisected; halves
  // are trimmed to `needed` so gap registers are not chased.
  void ReadAll(const std::vector<ReadBlock>& blocks, const NeededIndex& needed);

  // Reads one block with retries into `out` (no bisecting, no image).
  ReadResult ReadOne(const ReadBlock& block, std::uint16_t* out);

 private:
  void ReadOrSplit(ReadBlock block, const NeededIndex& needed);
  void NoteFailure(const ReadBlock& block, const ReadResult& result);

  Transport& transport_;
  const ReadPolicy& policy_;
  BadRegisters& bad_;
  RegisterImage& image_;
  ReadStats& stats_;
  int consecutive_timeouts_ = 0;
  std::vector<std::uint16_t> buffer_;
};

}  // namespace dc::modbus
