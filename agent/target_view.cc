#include "agent/target_view.h"

#include <cassert>

namespace dc::agent {

std::string_view ToString(TargetState state) {
  switch (state) {
    case TargetState::kPending:
      return "pending";
    case TargetState::kUp:
      return "up";
    case TargetState::kDown:
      return "down";
  }
  return "pending";
}

void Board::Reset(std::vector<std::shared_ptr<const TargetView>> views) {
  std::lock_guard lock(mutex_);
  views_.swap(views);
  // The old views are released after the lock, when `views` goes.
}

void Board::Publish(std::size_t slot, std::shared_ptr<const TargetView> view) {
  {
    std::lock_guard lock(mutex_);
    assert(slot < views_.size());
    views_[slot].swap(view);
  }
  // `view` now holds the previous view; freeing it (and perhaps a large
  // snapshot) happens outside the lock.
}

std::vector<std::shared_ptr<const TargetView>> Board::Views() const {
  std::lock_guard lock(mutex_);
  return views_;
}

}  // namespace dc::agent
