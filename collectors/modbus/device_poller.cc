#include "collectors/modbus/device_poller.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace dc::modbus {
namespace {

constexpr std::uint16_t kScaleFactorSentinel = 0x8000;

std::string FormatNumber(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e18) {
    return fmt::format("{}", static_cast<std::int64_t>(value));
  }
  return fmt::format("{}", value);
}

}  // namespace

DevicePoller::DevicePoller(const TargetConfig& target,
                           std::vector<ProfilePtr> profiles, bool discover)
    : target_(target), profiles_(std::move(profiles)), discover_(discover) {
  limits_.max_registers = std::clamp(target_.max_registers_per_read, 1, 125);
  for (const ProfilePtr& profile : profiles_) {
    limits_.max_registers =
        std::min(limits_.max_registers, profile->max_registers_per_read);
  }
  limits_.max_gap = profiles_.empty() ? 0 : profiles_.front()->max_gap;
  for (const ProfilePtr& profile : profiles_) {
    limits_.max_gap = std::min(limits_.max_gap, profile->max_gap);
  }
  if (!profiles_.empty())
    info_class_ = profiles_.front()->device_class;

  if (!discover_ && !profiles_.empty()) {
    const Profile& profile = *profiles_.front();
    info_profile_ = profile.name;
    if (!profile.vendor.empty())
      info_["vendor"] = profile.vendor;
    Compile(profile, 0);
  }
}

void DevicePoller::Compile(const Profile& profile, int base) {
  for (const MetricPoint& entry : profile.metrics) {
    Point point;
    point.entry = &entry;
    point.where = entry.where;
    point.where.address =
        static_cast<std::uint16_t>(base + entry.where.address);
    if (entry.scale_factor_register) {
      point.scale_factor_register =
          static_cast<std::uint16_t>(base + *entry.scale_factor_register);
      point.scaled_mapping = std::make_shared<ValueMapping>(entry.mapping);
      point.scaled_mapping->drop.clear();
    }
    points_.push_back(std::move(point));
  }
  for (const auto& [key, field] : profile.info) {
    if (!field.where) {
      info_[key] = field.constant;
      continue;
    }
    Location where = *field.where;
    where.address = static_cast<std::uint16_t>(base + where.address);
    info_pending_.push_back({key, where});
  }
}

void DevicePoller::CompileDiscovered(const SunSpecMap& map) {
  std::vector<std::string> used;
  std::vector<int> seen;
  for (const SunSpecModel& model : map.models) {
    // A second instance of a model would produce the same series again.
    if (std::find(seen.begin(), seen.end(), model.id) != seen.end())
      continue;
    seen.push_back(model.id);
    for (const ProfilePtr& profile : profiles_) {
      const auto& ids = profile->sunspec_models;
      if (std::find(ids.begin(), ids.end(), model.id) == ids.end())
        continue;
      // Offsets beyond the model's declared length are not on the device.
      Profile fitted = *profile;
      std::erase_if(fitted.metrics, [&](const MetricPoint& m) {
        int sf_end = m.scale_factor_register ? *m.scale_factor_register + 1 : 0;
        return std::max(m.where.end(), sf_end) > 2 + model.length;
      });
      auto kept = std::make_shared<const Profile>(std::move(fitted));
      fitted_.push_back(kept);
      Compile(*kept, model.address);
      used.push_back(profile->name);
    }
  }

  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  info_profile_ = fmt::format("{}", fmt::join(used, ","));
  if (!map.manufacturer.empty())
    info_["vendor"] = map.manufacturer;
  if (!map.model.empty())
    info_["model"] = map.model;
  if (!map.serial.empty())
    info_["serial"] = map.serial;
  if (!map.version.empty())
    info_["firmware"] = map.version;
}

void DevicePoller::Replan() {
  needed_.clear();
  for (const Point& point : points_) {
    needed_.push_back(
        {point.where.function, point.where.address, point.where.count});
    if (point.scale_factor_register) {
      needed_.push_back(
          {point.where.function, *point.scale_factor_register, 1});
    }
  }
  for (const Info& info : info_pending_) {
    needed_.push_back(
        {info.where.function, info.where.address, info.where.count});
  }
  plan_ = PlanReads(needed_, limits_, bad_);
  needed_index_ = NeededIndex(needed_);
  planned_ = true;
  planned_bad_count_ = bad_.size();
  planned_info_count_ = info_pending_.size();
}

PollResult DevicePoller::Poll(Transport& transport,
                              std::chrono::steady_clock::time_point deadline) {
  PollResult result;
  ReadStats stats;
  ReadPolicy policy{target_.unit, target_.request_timeout, target_.pause,
                    std::max(0, target_.retries), deadline};
  BlockReader reader(transport, policy, bad_, image_, stats);
  auto finish = [&](std::string error) {
    result.errors = stats.errors;
    result.requests = stats.requests;
    result.items_read = stats.items_read;
    result.success = error.empty() && stats.items_read > 0;
    if (!result.success) {
      result.error = !error.empty()              ? error
                     : !stats.last_error.empty() ? stats.last_error
                                                 : "no register was read";
    }
    return result;
  };

  // A SunSpec device first says where its models are.
  if (discover_ && !discovered_) {
    std::string why;
    auto map = DiscoverSunSpec(reader, why);
    if (!map)
      return finish(why);
    CompileDiscovered(*map);
    discovered_ = true;
    if (points_.empty()) {
      std::vector<int> ids;
      for (const auto& m : map->models)
        ids.push_back(m.id);
      return finish(
          fmt::format("SunSpec models {} found, none described by "
                      "a loaded profile",
                      fmt::join(ids, ", ")));
    }
  }

  if (!planned_ || bad_.size() != planned_bad_count_ ||
      info_pending_.size() != planned_info_count_) {
    Replan();
  }
  image_.Clear();
  reader.ReadAll(plan_, needed_index_);

  Decode(result);
  DecodeInfo();
  PollResult done = finish("");
  if (done.success)
    AppendInfo(done);
  return done;
}

void DevicePoller::Decode(PollResult& result) {
  std::array<std::uint16_t, 4> words{};
  for (const Point& point : points_) {
    const Location& where = point.where;
    if (!image_.Copy(where.function, where.address, where.count,
                     words.data())) {
      continue;  // its read failed and was counted
    }
    Decoded raw =
        DecodeNumber(std::span<const std::uint16_t>(
                         words.data(), static_cast<std::size_t>(where.count)),
                     where.type, where.order);
    if (raw.sentinel && !point.entry->keep_sentinels)
      continue;

    const ValueMapping& mapping = point.entry->mapping;
    if (!point.scale_factor_register) {
      if (!AppendSamples(mapping, raw.value, {}, result.samples)) {
        ++result.errors[ErrorReason::kDecode];
      }
      continue;
    }

    // value = raw * 10^sf, with sf a signed register that may itself be
    // "not implemented".
    std::uint16_t sf_word = 0;
    if (!image_.Copy(where.function, *point.scale_factor_register, 1,
                     &sf_word) ||
        sf_word == kScaleFactorSentinel) {
      continue;
    }
    if (std::find(mapping.drop.begin(), mapping.drop.end(), raw.value) !=
        mapping.drop.end()) {
      continue;
    }
    auto exponent = static_cast<std::int16_t>(sf_word);
    if (exponent < -10 || exponent > 10) {
      ++result.errors[ErrorReason::kDecode];
      continue;
    }
    double scaled = raw.value * std::pow(10.0, exponent);
    if (!AppendSamples(*point.scaled_mapping, scaled, {}, result.samples)) {
      ++result.errors[ErrorReason::kDecode];
    }
  }
}

void DevicePoller::DecodeInfo() {
  std::vector<std::uint16_t> words;
  std::erase_if(info_pending_, [&](const Info& info) {
    words.resize(static_cast<std::size_t>(info.where.count));
    if (!image_.Copy(info.where.function, info.where.address, info.where.count,
                     words.data())) {
      return false;
    }
    if (info.where.type == DataType::kString) {
      info_[info.key] = DecodeString(words, info.where.order);
    } else {
      Decoded d = DecodeNumber(words, info.where.type, info.where.order);
      if (!d.sentinel)
        info_[info.key] = FormatNumber(d.value);
    }
    return true;
  });
}

void DevicePoller::AppendInfo(PollResult& result) const {
  auto get = [&](const char* key) {
    auto it = info_.find(key);
    return it == info_.end() ? std::string() : it->second;
  };
  result.samples.push_back({"dc_device_info",
                            {{"class", info_class_},
                             {"vendor", get("vendor")},
                             {"model", get("model")},
                             {"serial", get("serial")},
                             {"firmware", get("firmware")},
                             {"profile", info_profile_}},
                            1.0});
}

}  // namespace dc::modbus
