// dcsim-load: walks the MIBs of many simulated agents at once with GETBULK
// and reports how many varbinds a second dcsim served and, given its pid,
// how much CPU dcsim spent per varbind. It measures the simulator; it is not
// a poller.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "collectors/common/toml_reader.h"
#include "sim/ber.h"
#include "sim/snmp_responder.h"

namespace {

using Clock = std::chrono::steady_clock;
using dc::sim::Oid;
namespace ber = dc::sim::ber;

// User plus system CPU seconds of a process, from /proc.
double CpuSeconds(int pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  std::size_t close = text.rfind(')');
  if (close == std::string::npos) {
    return 0;
  }
  std::istringstream fields(text.substr(close + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) {
    fields >> skip;
  }
  double user = 0;
  double system = 0;
  fields >> user >> system;
  return (user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string BulkRequest(std::int64_t id, const std::string& community,
                        int repetitions, const Oid& from) {
  std::string varbind;
  ber::AppendOid(varbind, from);
  ber::AppendHeader(varbind, ber::kNull, 0);
  std::string list;
  ber::AppendHeader(list, ber::kSequence, varbind.size());
  list += varbind;
  std::string pdu;
  ber::AppendInteger(pdu, ber::kInteger, id);
  ber::AppendInteger(pdu, ber::kInteger, 0);
  ber::AppendInteger(pdu, ber::kInteger, repetitions);
  ber::AppendHeader(pdu, ber::kSequence, list.size());
  pdu += list;
  std::string body;
  ber::AppendInteger(body, ber::kInteger, 1);
  ber::AppendOctets(body, ber::kOctetString, community);
  ber::AppendHeader(body, dc::sim::pdu::kGetBulk, pdu.size());
  body += pdu;
  std::string message;
  ber::AppendHeader(message, ber::kSequence, body.size());
  return message + body;
}

// Reads a response: its request id, varbind count and last varbind's OID;
// `ended` when the walk ran off the end.
bool ParseResponse(std::span<const std::uint8_t> bytes, std::int64_t& id,
                   std::size_t& count, Oid& last, bool& ended) {
  ber::Reader top(bytes);
  std::span<const std::uint8_t> message;
  std::span<const std::uint8_t> pdu;
  std::span<const std::uint8_t> list;
  std::int64_t version = 0;
  std::string_view community;
  std::uint8_t type = 0;
  std::int64_t status = 0;
  std::int64_t index = 0;
  if (!top.Expect(ber::kSequence, message))
    return false;
  ber::Reader fields(message);
  if (!fields.Integer(version) || !fields.OctetString(community) ||
      !fields.Next(type, pdu)) {
    return false;
  }
  ber::Reader header(pdu);
  if (!header.Integer(id) || !header.Integer(status) ||
      !header.Integer(index) || !header.Expect(ber::kSequence, list)) {
    return false;
  }
  ber::Reader varbinds(list);
  count = 0;
  ended = false;
  while (!varbinds.AtEnd()) {
    std::span<const std::uint8_t> varbind;
    std::span<const std::uint8_t> value;
    std::uint8_t tag = 0;
    if (!varbinds.Expect(ber::kSequence, varbind))
      return false;
    ber::Reader parts(varbind);
    if (!parts.ObjectId(last) || !parts.Next(tag, value))
      return false;
    ended = ended || tag == ber::kEndOfMibView;
    ++count;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dcsim-load: GETBULK walks against many dcsim agents at once"};
  std::string address = "127.0.0.1";
  int first_port = 30161;
  int devices = 100;
  std::string duration_text = "10s";
  int repetitions = 25;
  int window = 2;
  std::string community = "public";
  int pid = 0;
  app.add_option("--address", address)->capture_default_str();
  app.add_option("--first-port", first_port)->capture_default_str();
  app.add_option("--devices", devices)->capture_default_str();
  app.add_option("--duration", duration_text)->capture_default_str();
  app.add_option("--max-repetitions", repetitions)->capture_default_str();
  app.add_option("--window", window, "Requests in flight per device")
      ->capture_default_str();
  app.add_option("--community", community)->capture_default_str();
  app.add_option("--pid", pid, "dcsim's pid, to report its CPU per varbind");
  CLI11_PARSE(app, argc, argv);
  auto duration = dc::ParseDuration(duration_text);
  if (!duration) {
    std::cerr << "dcsim-load: bad --duration\n";
    return 2;
  }

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int size = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  std::vector<sockaddr_in> peers(static_cast<std::size_t>(devices));
  for (int i = 0; i < devices; ++i) {
    sockaddr_in& peer = peers[static_cast<std::size_t>(i)];
    peer.sin_family = AF_INET;
    peer.sin_port = htons(static_cast<std::uint16_t>(first_port + i));
    inet_pton(AF_INET, address.c_str(), &peer.sin_addr);
  }

  // Each device walks from the top of MIB-2 over and over; a request id is
  // the device index times 2^20 plus a sequence number.
  const Oid root = {1, 3, 6, 1, 2, 1};
  std::vector<Oid> cursor(static_cast<std::size_t>(devices), root);
  std::vector<Clock::time_point> sent(static_cast<std::size_t>(devices) *
                                      static_cast<std::size_t>(window));
  std::uint64_t varbinds = 0;
  std::uint64_t responses = 0;
  std::uint64_t timeouts = 0;
  double latency_sum = 0;
  std::vector<std::uint8_t> buffer(65536);
  auto send_one = [&](int device, int slot) {
    std::int64_t id = (std::int64_t{device} << 20) | slot;
    std::string request = BulkRequest(id, community, repetitions,
                                      cursor[static_cast<std::size_t>(device)]);
    sendto(
        fd, request.data(), request.size(), 0,
        reinterpret_cast<sockaddr*>(&peers[static_cast<std::size_t>(device)]),
        sizeof(sockaddr_in));
    sent[static_cast<std::size_t>(device * window + slot)] = Clock::now();
  };

  double cpu_before = pid > 0 ? CpuSeconds(pid) : 0;
  Clock::time_point start = Clock::now();
  for (int d = 0; d < devices; ++d) {
    for (int s = 0; s < window; ++s) {
      send_one(d, s);
    }
  }
  while (Clock::now() - start < *duration) {
    pollfd wait{fd, POLLIN, 0};
    poll(&wait, 1, 50);
    while (true) {
      ssize_t got = recv(fd, buffer.data(), buffer.size(), 0);
      if (got <= 0)
        break;
      std::int64_t id = 0;
      std::size_t count = 0;
      Oid last;
      bool ended = false;
      if (!ParseResponse(
              std::span(buffer.data(), static_cast<std::size_t>(got)), id,
              count, last, ended)) {
        continue;
      }
      int device = static_cast<int>(id >> 20);
      int slot = static_cast<int>(id & 0xfffff);
      if (device < 0 || device >= devices || slot >= window)
        continue;
      ++responses;
      varbinds += count;
      latency_sum += std::chrono::duration<double>(
                         Clock::now() -
                         sent[static_cast<std::size_t>(device * window + slot)])
                         .count();
      Oid& next = cursor[static_cast<std::size_t>(device)];
      next = ended || !dc::sim::HasPrefix(last, root) ? root : last;
      send_one(device, slot);
    }
    // Resend anything unanswered for a second (a lost datagram).
    Clock::time_point now = Clock::now();
    for (int d = 0; d < devices; ++d) {
      for (int s = 0; s < window; ++s) {
        if (now - sent[static_cast<std::size_t>(d * window + s)] >
            std::chrono::seconds(1)) {
          ++timeouts;
          send_one(d, s);
        }
      }
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double cpu = pid > 0 ? CpuSeconds(pid) - cpu_before : 0;

  fmt::print("devices {} max-repetitions {} window {}\n", devices, repetitions,
             window);
  fmt::print("responses {} ({:.0f}/s), varbinds {} ({:.0f}/s), timeouts {}\n",
             responses, responses / seconds, varbinds, varbinds / seconds,
             timeouts);
  fmt::print(
      "mean round trip {:.1f} us\n",
      responses ? 1e6 * latency_sum / static_cast<double>(responses) : 0.0);
  if (pid > 0 && varbinds > 0) {
    fmt::print(
        "dcsim CPU {:.2f} s = {:.2f} us per varbind, {:.1f} us per "
        "response\n",
        cpu, 1e6 * cpu / static_cast<double>(varbinds),
        1e6 * cpu / static_cast<double>(responses));
  }
  close(fd);
  return 0;
}
