#include "collectors/common/sample.h"

namespace dc {

std::string_view ToString(ErrorReason reason) {
  switch (reason) {
    case ErrorReason::kTimeout:
      return "timeout";
    case ErrorReason::kAuth:
      return "auth";
    case ErrorReason::kDecode:
      return "decode";
    case ErrorReason::kProtocol:
      return "protocol";
    case ErrorReason::kConnection:
      return "connection";
    case ErrorReason::kTooBig:
      return "too_big";
    case ErrorReason::kNoSuchObject:
      return "no_such_object";
    case ErrorReason::kEndOfMib:
      return "end_of_mib";
    case ErrorReason::kNonIncreasing:
      return "non_increasing";
    case ErrorReason::kOversizedTable:
      return "oversized_table";
    case ErrorReason::kException:
      return "exception";
    case ErrorReason::kIllegalAddress:
      return "illegal_address";
    case ErrorReason::kCrc:
      return "crc";
  }
  return "unknown";
}

}  // namespace dc
