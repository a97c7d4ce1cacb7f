#include "collectors/modbus/block_reader.h"

#include <algorithm>

#include <fmt/format.h>

namespace dc::modbus {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

bool IsRetryable(ReadStatus status) {
  return status == ReadStatus::kTimeout || status == ReadStatus::kCrc ||
         status == ReadStatus::kConnection || status == ReadStatus::kBadReply;
}

// Blocks in a row that time out before the reader concludes the device is
// not answering and leaves the rest of the plan for the next poll.
constexpr int kTimeoutsBeforeGivingUp = 2;

}  // namespace

void RegisterImage::Add(Function function, std::uint16_t address,
                        std::span<const std::uint16_t> values) {
  blocks_.push_back({function, address, {values.begin(), values.end()}});
}

bool RegisterImage::Copy(Function function, int address, int count,
                         std::uint16_t* out) const {
  for (int i = 0; i < count; ++i) {
    const int wanted = address + i;
    bool found = false;
    for (const Block& block : blocks_) {
      if (block.function == function && wanted >= block.address &&
          wanted < block.address + static_cast<int>(block.values.size())) {
        out[i] = block.values[static_cast<std::size_t>(wanted - block.address)];
        found = true;
        break;
      }
    }
    if (!found)
      return false;
  }
  return true;
}

ErrorReason ToErrorReason(ReadStatus status) {
  switch (status) {
    case ReadStatus::kIllegalAddress:
      return ErrorReason::kIllegalAddress;
    case ReadStatus::kException:
      return ErrorReason::kException;
    case ReadStatus::kTimeout:
      return ErrorReason::kTimeout;
    case ReadStatus::kCrc:
      return ErrorReason::kCrc;
    case ReadStatus::kConnection:
      return ErrorReason::kConnection;
    case ReadStatus::kBadReply:
    case ReadStatus::kOk:
      break;
  }
  return ErrorReason::kDecode;
}

BlockReader::BlockReader(Transport& transport, const ReadPolicy& policy,
                         BadRegisters& bad, RegisterImage& image,
                         ReadStats& stats)
    : transport_(transport),
      policy_(policy),
      bad_(bad),
      image_(image),
      stats_(stats) {}

ReadResult BlockReader::ReadOne(const ReadBlock& block, std::uint16_t* out) {
  ReadResult result;
  for (int attempt = 0; attempt <= policy_.retries; ++attempt) {
    // Each request gets what is left of the poll, at most its own timeout.
    auto left = std::chrono::duration_cast<milliseconds>(
        policy_.deadline - steady_clock::now() - policy_.pause);
    if (left <= milliseconds(0)) {
      stats_.stopped = true;
      ++stats_.errors[ErrorReason::kTimeout];
      return {ReadStatus::kTimeout, 0, "the poll deadline passed"};
    }
    RequestOptions options{
        policy_.unit, std::min(left, policy_.request_timeout), policy_.pause};

    ++stats_.requests;
    result = transport_.Read(options, block.function, block.address,
                             block.count, out);
    if (result.ok()) {
      stats_.items_read += block.count;
      return result;
    }
    if (!IsRetryable(result.status))
      return result;
    ++stats_.errors[ToErrorReason(result.status)];
    stats_.last_error = result.message;
  }
  return result;
}

void BlockReader::NoteFailure(const ReadBlock& block,
                              const ReadResult& result) {
  stats_.last_error =
      fmt::format("{} {}..{}: {}", ToString(block.function), block.address,
                  block.end() - 1, result.message);
}

void BlockReader::ReadAll(const std::vector<ReadBlock>& blocks,
                          const NeededIndex& needed) {
  for (const ReadBlock& block : blocks) {
    if (stats_.stopped)
      return;
    ReadOrSplit(block, needed);
  }
}

void BlockReader::ReadOrSplit(ReadBlock block, const NeededIndex& needed) {
  if (stats_.stopped)
    return;
  buffer_.resize(block.count);
  ReadResult result = ReadOne(block, buffer_.data());

  switch (result.status) {
    case ReadStatus::kOk:
      consecutive_timeouts_ = 0;
      image_.Add(block.function, block.address, buffer_);
      return;

    case ReadStatus::kIllegalAddress: {
      // The device answered, so it is alive; find the refused register(s).
      consecutive_timeouts_ = 0;
      ++stats_.errors[ErrorReason::kIllegalAddress];
      NoteFailure(block, result);
      if (block.count == 1) {
        bad_.Add(block.function, block.address);
        return;
      }
      const auto half = static_cast<std::uint16_t>(block.count / 2);
      ReadBlock first{block.function, block.address, half};
      ReadBlock second{block.function,
                       static_cast<std::uint16_t>(block.address + half),
                       static_cast<std::uint16_t>(block.count - half)};
      if (needed.Trim(first))
        ReadOrSplit(first, needed);
      if (needed.Trim(second))
        ReadOrSplit(second, needed);
      return;
    }

    case ReadStatus::kException:
      consecutive_timeouts_ = 0;
      ++stats_.errors[ErrorReason::kException];
      NoteFailure(block, result);
      return;

    case ReadStatus::kConnection:
      // Retries included reconnecting: the link is down for this poll.
      NoteFailure(block, result);
      stats_.stopped = true;
      return;

    case ReadStatus::kTimeout:
    case ReadStatus::kCrc:
    case ReadStatus::kBadReply:
      NoteFailure(block, result);
      if (result.status == ReadStatus::kTimeout &&
          ++consecutive_timeouts_ >= kTimeoutsBeforeGivingUp) {
        stats_.stopped = true;
      }
      return;
  }
}

}  // namespace dc::modbus
