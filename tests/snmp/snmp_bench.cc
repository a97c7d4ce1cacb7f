// Measures the CPU cost per varbind of the SNMP adapter.
//
//   snmp_bench                       decode + map + sample, no network
//   snmp_bench ADDRESS DIR POLLS [MAX_REPETITIONS]
//                                    whole polls of a v2c agent ("public")
//                                    with the profiles in DIR
//
// Prints microseconds of this process's CPU time per varbind.
#include <utility>  // before Asio

#include <sys/resource.h>

#include <cstdio>
#include <optional>
#include <string>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "collectors/snmp/poll_state.h"
#include "collectors/snmp/profile_loader.h"
#include "collectors/snmp/snmp_protocol.h"

namespace dc::snmp {
namespace {

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) /
             1e6;
}

// A UPS-like profile: 40 scalars (plain, scaled, states, string numbers)
// and a 3-phase table of two columns, about 50 varbinds a poll.
std::string BenchProfile() {
  std::string text =
      "[profile]\nname = \"bench\"\nclass = \"ups\"\nvendor = \"B\"\n"
      "match = [\"1.3.6.1.4.1.99999\"]\n"
      "[info]\nmodel = { oid = \"1.3.6.1.4.1.99999.1.0\" }\n";
  // 10 state metrics (one per distinct label set is all the schema
  // allows, so they go to different metrics), 30 scaled gauges of which
  // a third are string numbers.
  for (int i = 0; i < 40; ++i) {
    text += "[[metric]]\noid = \"1.3.6.1.4.1.99999.2." + std::to_string(i + 1) +
            ".0\"\n";
    if (i < 10) {
      text +=
          "metric = \"dc_env_contact_open\"\n"
          "labels = { sensor = \"s" +
          std::to_string(i) +
          "\" }\n"
          "lookup = { 1 = 0, 2 = 1 }\n";
    } else {
      text +=
          "metric = \"dc_ups_input_phase_volts\"\n"
          "labels = { phase = \"L" +
          std::to_string(i) +
          "\" }\n"
          "divisor = 10\ndrop = [65535]\n";
      if (i % 3 == 0)
        text += "type = \"string-number\"\n";
    }
  }
  text +=
      "[[metric]]\noid = \"1.3.6.1.4.1.99999.4.0\"\n"
      "metric = \"dc_ups_output_source\"\nstate_label = \"source\"\n"
      "states = { 2 = \"normal\", 3 = \"battery\", 4 = \"bypass\" }\n";
  text +=
      "[[table]]\noid = \"1.3.6.1.4.1.99999.3.1\"\n"
      "index = [ { label = \"phase\", format = \"L{}\" } ]\n"
      "  [[table.metric]]\n  column = 2\n"
      "  metric = \"dc_ups_output_phase_volts\"\n"
      "  [[table.metric]]\n  column = 3\n"
      "  metric = \"dc_ups_output_phase_amperes\"\n  divisor = 10\n";
  return text;
}

int MappingBench() {
  ProfileSet profiles;
  auto errors = LoadProfileTexts({{"bench.toml", BenchProfile()}}, profiles);
  if (!errors.empty()) {
    std::fprintf(stderr, "%s\n", errors.front().c_str());
    return 1;
  }
  TargetConfig target;
  PollPlan plan = CompilePlan(profiles.at("bench"), target);

  // The varbinds one poll receives, as net-snmp hands them over.
  std::vector<netsnmp_variable_list> scalars(plan.scalars.size());
  for (std::size_t i = 0; i < plan.scalars.size(); ++i) {
    netsnmp_variable_list& var = scalars[i];
    const PlannedScalar& scalar = plan.scalars[i];
    snmp_set_var_objid(&var, scalar.oid.data(), scalar.oid.size());
    long number = 2;
    if (scalar.kind == PlannedScalar::Kind::kInfo) {
      snmp_set_var_typed_value(&var, ASN_OCTET_STR, "Bench UPS 3000", 14);
    } else if (plan.profile->metrics[scalar.index].type ==
               ValueType::kStringNumber) {
      snmp_set_var_typed_value(&var, ASN_OCTET_STR, "231.5 V", 7);
    } else {
      if (plan.profile->metrics[scalar.index].mapping.metric ==
          "dc_ups_input_phase_volts") {
        number = 2301;
      }
      snmp_set_var_typed_value(&var, ASN_GAUGE, &number, sizeof(number));
    }
  }
  struct TableVar {
    std::size_t column;
    netsnmp_variable_list var{};
  };
  std::vector<TableVar> rows;
  for (oid phase = 1; phase <= 3; ++phase) {
    for (std::size_t c = 0; c < 2; ++c) {
      TableVar& tv = rows.emplace_back();
      tv.column = c;
      Oid name = plan.tables[0].columns[c].prefix;
      name.push_back(phase);
      snmp_set_var_objid(&tv.var, name.data(), name.size());
      long number = 2290 + static_cast<long>(phase);
      snmp_set_var_typed_value(&tv.var, ASN_INTEGER, &number, sizeof(number));
    }
  }

  const int polls = 20000;
  std::size_t varbinds = 0, samples = 0;
  double start = CpuSeconds();
  for (int p = 0; p < polls; ++p) {
    PollState state(plan);
    for (std::size_t i = 0; i < scalars.size(); ++i) {
      state.AddScalar(i, FromVariable(scalars[i]));
    }
    for (TableVar& tv : rows) {
      state.AddTableValue(0, tv.column,
                          OidView(tv.var.name, tv.var.name_length),
                          FromVariable(tv.var));
    }
    PollResult r = state.Finish(true);
    if (p == 0) {
      for (const auto& [reason, count] : r.errors) {
        std::printf("first poll: %llu %s errors\n",
                    static_cast<unsigned long long>(count),
                    std::string(ToString(reason)).c_str());
      }
    }
    varbinds += scalars.size() + rows.size();
    samples += r.samples.size();
  }
  double seconds = CpuSeconds() - start;
  std::printf(
      "decode+map: %zu varbinds, %zu samples, %.3f s CPU, "
      "%.3f us/varbind\n",
      varbinds, samples, seconds, seconds * 1e6 / varbinds);
  return 0;
}

int PollBench(const std::string& address, const std::string& dir, int polls,
              int max_repetitions) {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  auto protocol = MakeSnmpProtocol(io);
  auto errors = protocol->LoadProfiles({dir});
  if (!errors.empty()) {
    std::fprintf(stderr, "%s\n", errors.front().c_str());
    return 1;
  }
  TargetConfig target;
  target.address = address;
  target.snmp_auth.community = Secret("public");
  target.max_in_flight = 4;
  target.max_repetitions = max_repetitions;
  auto collector = protocol->MakeCollector(target);

  std::uint64_t varbinds = 0;
  double start = 0;
  for (int p = 0; p <= polls; ++p) {
    if (p == 1)
      start = CpuSeconds();  // the first poll detects the profile
    std::optional<PollResult> out;
    collector->Poll(std::chrono::steady_clock::now() + std::chrono::seconds(10),
                    [&](PollResult r) { out = std::move(r); });
    while (!out)
      io.run_one();
    if (!out->success) {
      std::fprintf(stderr, "poll failed: %s\n", out->error.c_str());
      return 1;
    }
    if (p > 0)
      varbinds += out->items_read;
  }
  double seconds = CpuSeconds() - start;
  std::printf("polls: %d, %llu varbinds, %.3f s CPU, %.3f us/varbind\n", polls,
              static_cast<unsigned long long>(varbinds), seconds,
              seconds * 1e6 / static_cast<double>(varbinds));
  return 0;
}

}  // namespace
}  // namespace dc::snmp

int main(int argc, char** argv) {
  if (argc >= 4) {
    return dc::snmp::PollBench(argv[1], argv[2], std::atoi(argv[3]),
                               argc > 4 ? std::atoi(argv[4]) : 0);
  }
  return dc::snmp::MappingBench();
}
