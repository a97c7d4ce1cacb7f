// How a raw value read from a device becomes schema samples. SNMP and
// Modbus profiles share this part, so both describe scaling, sentinels and
// enumerations with the same keys (see docs/profiles.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/common/sample.h"
#include "collectors/common/toml_reader.h"

namespace dc {

struct ValueMapping {
  std::string metric;  // a schema metric name
  Labels labels;       // constant labels, e.g. {"phase", "L1"}

  // value = raw * scale / divisor + offset
  double scale = 1;
  double divisor = 1;
  double offset = 0;

  // Raw values that mean "not available" and produce no sample.
  std::vector<double> drop;
  // Samples outside [min, max] after scaling are dropped as implausible.
  std::optional<double> min;
  std::optional<double> max;

  // Enumeration: raw integer to state name. With states, the metric is a
  // state series: one sample per state, labelled `state_label`, 1 for the
  // current state and 0 for the rest. An unknown raw value yields all 0
  // and counts as a decode error.
  std::map<std::int64_t, std::string> states;
  std::string state_label = "state";

  // Lookup: raw integer to value, for status codes that map to a gauge
  // (for example 2 = "replace battery" to 1). Unlisted raw values produce
  // no sample and count as a decode error.
  std::map<std::int64_t, double> lookup;

  // Bit field: with `bit` set, the raw integer's bit number `bit` (0 = least
  // significant) is the value, 0 or 1.
  std::optional<int> bit;
};

// Reads the mapping keys (metric, labels, scale, divisor, offset, drop,
// min, max, states, state_label, lookup, bit) from `reader`; the caller
// reads its protocol's own keys and calls Finish(). Checks that `metric` is
// in the schema and that the labels given plus `extra_labels` (labels the
// protocol adds, such as table index labels) are the ones the schema
// declares.
std::optional<ValueMapping> ReadValueMapping(
    TableReader& reader, const std::vector<std::string>& extra_labels);

// Appends the samples for `raw` to `out`, with `labels` added to the
// mapping's own. Returns false when the value was rejected as a decode
// problem (an unknown enumeration or lookup value); dropped sentinels and
// implausible values return true and add nothing.
bool AppendSamples(const ValueMapping& mapping, double raw,
                   const Labels& labels, std::vector<Sample>& out);

}  // namespace dc
