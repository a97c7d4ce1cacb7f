#include "planner/model.h"

#include <fmt/format.h>

namespace dc::plan {

std::string_view ToString(CoolingKind kind) {
  switch (kind) {
    case CoolingKind::kCrah:
      return "crah";
    case CoolingKind::kCrac:
      return "crac";
    case CoolingKind::kInRow:
      return "inrow";
    case CoolingKind::kCdu:
      return "cdu";
  }
  return "crah";
}

std::string_view ToString(Side side) {
  switch (side) {
    case Side::kA:
      return "A";
    case Side::kB:
      return "B";
    case Side::kOther:
      return "-";
  }
  return "-";
}

std::string FormatDate(Date date) {
  std::chrono::year_month_day ymd{date};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

}  // namespace dc::plan
