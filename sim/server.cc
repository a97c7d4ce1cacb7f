#include "sim/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <queue>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/modbus_responder.h"
#include "sim/snmp_responder.h"

namespace dc::sim {
namespace {

using Clock = std::chrono::steady_clock;

enum Handle : std::uint64_t {
  kSnmpSocket = 1,
  kModbusListener = 2,
  kModbusConnection = 3,
  kControlListener = 4,
  kControlConnection = 5,
  kSignal = 6,
};

std::uint64_t Tag(Handle handle, std::uint64_t index) {
  return (std::uint64_t{handle} << 56) | index;
}

constexpr std::size_t kMaxDatagram = 65535;
constexpr std::size_t kMaxHttpRequest = 64 * 1024;

std::expected<sockaddr_in, std::string> Address(const std::string& host,
                                                std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return std::unexpected("'" + host + "' is not an IPv4 address");
  }
  return address;
}

std::expected<int, std::string> BindSocket(int type, const std::string& host,
                                           std::uint16_t port) {
  auto address = Address(host, port);
  if (!address) {
    return std::unexpected(address.error());
  }
  int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return std::unexpected(std::string("socket: ") + std::strerror(errno));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<sockaddr*>(&*address), sizeof(*address)) != 0 ||
      (type == SOCK_STREAM && listen(fd, 128) != 0)) {
    std::string message =
        fmt::format("{}:{}: {}", host, port, std::strerror(errno));
    close(fd);
    return std::unexpected(message);
  }
  return fd;
}

// Thousands of devices need thousands of descriptors.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::string HttpResponse(int status, std::string_view type,
                         const std::string& body) {
  std::string_view reason = status == 200   ? "OK"
                            : status == 400 ? "Bad Request"
                            : status == 404 ? "Not Found"
                                            : "Method Not Allowed";
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n{}",
      status, reason, type, body.size(), body);
}

// The action that undoes a timed event.
Event Revert(const Event& event) {
  Event undo = event;
  undo.duration_s.reset();
  if (event.action == "ups_on_battery")
    undo.action = "ups_on_mains";
  if (event.action == "cooling_fail")
    undo.action = "cooling_restore";
  if (event.action == "pdu_overload")
    undo.action = "pdu_normal";
  if (event.action == "it_load")
    undo.value = 1.0;
  if (event.action == "faults")
    undo.faults.reset();
  return undo;
}

}  // namespace

struct Server::Impl {
  struct Connection {
    int fd = -1;
    int device = -1;  // -1 for a control connection
    std::uint32_t generation = 0;
    std::string in;
    std::string out;
  };
  struct Pending {
    Clock::time_point due;
    std::uint64_t order;
    bool udp;
    int device;
    std::size_t connection;
    std::uint32_t generation;
    sockaddr_in peer;
    std::string bytes;
    bool operator>(const Pending& other) const {
      return due != other.due ? due > other.due : order > other.order;
    }
  };
  struct Scheduled {
    double at_s;
    Event event;
  };

  Fleet fleet;
  std::vector<Device> devices;
  ServerOptions options;
  Facility facility;
  std::vector<int> fds;  // per device: UDP socket or TCP listener
  std::vector<Connection> connections;
  std::vector<std::size_t> free_connections;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending;
  std::vector<Scheduled> scheduled;
  std::uint64_t order = 0;
  int epoll_fd = -1;
  int signal_fd = -1;
  int control_fd = -1;
  bool stopping = false;
  Clock::time_point start;
  Clock::time_point last_step;
  std::mt19937_64 rng;
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  SnmpScratch snmp_scratch;
  std::vector<std::uint16_t> modbus_scratch;
  std::string response;
  std::vector<std::uint8_t> datagram = std::vector<std::uint8_t>(kMaxDatagram);
  std::uint64_t total_varbinds = 0;
  std::uint64_t total_requests = 0;

  Impl(Fleet f, std::vector<Device> d, ServerOptions o)
      : fleet(std::move(f)),
        devices(std::move(d)),
        options(std::move(o)),
        facility(fleet.hall, fleet.seed, devices),
        rng(fleet.seed ^ 0x5eed) {}

  ~Impl() {
    for (int fd : fds) {
      if (fd >= 0)
        close(fd);
    }
    for (Connection& connection : connections) {
      if (connection.fd >= 0)
        close(connection.fd);
    }
    for (int fd : {epoll_fd, signal_fd, control_fd}) {
      if (fd >= 0)
        close(fd);
    }
  }

  void Watch(int fd, std::uint64_t tag, std::uint32_t events = EPOLLIN) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = tag;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
  }

  void Log(const std::string& line) {
    if (!options.quiet) {
      fmt::print(stderr, "dcsim: {}\n", line);
    }
  }

  std::expected<void, std::string> Open();
  int Run();
  void Step(Clock::time_point now);
  void ServeSnmp(std::size_t index);
  void AcceptModbus(std::size_t index);
  void ServeModbus(std::size_t slot);
  void AcceptControl();
  void ServeControl(std::size_t slot);
  std::string HandleControl(const std::string& method, const std::string& path,
                            const std::string& body);
  std::expected<void, std::string> ApplyEvent(const Event& event);
  void Deliver(Pending& item);
  void Send(Pending item, const Faults& faults);
  void CloseConnection(std::size_t slot, bool reset);
  void Flush(std::size_t slot);
  std::size_t NewConnection(int fd, int device);
  std::string MetricsText() const;
  nlohmann::json StatusJson() const;
};

Server::Server(Fleet fleet, std::vector<Device> devices, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(fleet), std::move(devices),
                                   std::move(options))) {}

Server::~Server() = default;

std::expected<void, std::string> Server::Open() {
  auto opened = impl_->Open();
  if (opened && impl_->control_fd >= 0) {
    sockaddr_in bound{};
    socklen_t length = sizeof(bound);
    getsockname(impl_->control_fd, reinterpret_cast<sockaddr*>(&bound),
                &length);
    control_port_ = ntohs(bound.sin_port);
  }
  return opened;
}

int Server::Run() {
  return impl_->Run();
}

std::expected<void, std::string> Server::Impl::Open() {
  RaiseDescriptorLimit();
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);

  for (std::size_t i = 0; i < devices.size(); ++i) {
    const DeviceSpec& spec = devices[i].spec;
    bool snmp = devices[i].protocol == SimProtocol::kSnmp;
    auto fd =
        BindSocket(snmp ? SOCK_DGRAM : SOCK_STREAM, spec.address, spec.port);
    if (!fd) {
      return std::unexpected(fmt::format("device '{}' ({}): {}", spec.name,
                                         spec.place, fd.error()));
    }
    if (snmp) {
      // A burst of requests from a poller must not overflow the queue.
      int size = 1 << 20;
      setsockopt(*fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    }
    fds.push_back(*fd);
    Watch(*fd, Tag(snmp ? kSnmpSocket : kModbusListener, i));
  }

  if (!options.control.empty()) {
    std::size_t colon = options.control.rfind(':');
    std::string host = options.control.substr(0, colon);
    int port = colon == std::string::npos
                   ? -1
                   : std::atoi(options.control.c_str() + colon + 1);
    if (port < 0 || port > 65535 || host.rfind("127.", 0) != 0) {
      return std::unexpected("control address '" + options.control +
                             "' must be 127.x.y.z:PORT");
    }
    auto fd = BindSocket(SOCK_STREAM, host, static_cast<std::uint16_t>(port));
    if (!fd) {
      return std::unexpected("control port: " + fd.error());
    }
    control_fd = *fd;
    Watch(control_fd, Tag(kControlListener, 0));
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal_fd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
  Watch(signal_fd, Tag(kSignal, 0));

  for (const Event& event : fleet.events) {
    scheduled.push_back({event.at_s, event});
  }
  return {};
}

int Server::Impl::Run() {
  start = Clock::now();
  last_step = start;
  std::vector<epoll_event> events(256);

  while (!stopping) {
    Clock::time_point now = Clock::now();
    if (options.duration.count() > 0 && now - start >= options.duration) {
      break;
    }

    // Wake for the next second's step or the next delayed answer.
    Clock::time_point wake = last_step + std::chrono::seconds(1);
    if (!pending.empty()) {
      wake = std::min(wake, pending.top().due);
    }
    int timeout = static_cast<int>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - now)
                   .count() +
               1));
    int ready = epoll_wait(epoll_fd, events.data(),
                           static_cast<int>(events.size()), timeout);
    if (ready < 0 && errno != EINTR) {
      Log(std::string("epoll_wait: ") + std::strerror(errno));
      return 1;
    }

    for (int i = 0; i < ready; ++i) {
      std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
      std::size_t index = tag & ((std::uint64_t{1} << 56) - 1);
      std::uint32_t what = events[static_cast<std::size_t>(i)].events;
      switch (static_cast<Handle>(tag >> 56)) {
        case kSnmpSocket:
          ServeSnmp(index);
          break;
        case kModbusListener:
          AcceptModbus(index);
          break;
        case kModbusConnection:
          if (what & EPOLLOUT)
            Flush(index);
          if (what & (EPOLLIN | EPOLLHUP | EPOLLERR))
            ServeModbus(index);
          break;
        case kControlListener:
          AcceptControl();
          break;
        case kControlConnection:
          if (what & EPOLLOUT)
            Flush(index);
          if (what & (EPOLLIN | EPOLLHUP | EPOLLERR))
            ServeControl(index);
          break;
        case kSignal:
          stopping = true;
          break;
      }
    }

    now = Clock::now();
    while (!pending.empty() && pending.top().due <= now) {
      Pending item = pending.top();
      pending.pop();
      Deliver(item);
    }
    if (now - last_step >= std::chrono::seconds(1)) {
      Step(now);
    }
  }
  Log(fmt::format("stopped after {} requests, {} varbinds served",
                  total_requests, total_varbinds));
  return 0;
}

void Server::Impl::Step(Clock::time_point now) {
  double seconds = std::chrono::duration<double>(now - last_step).count();
  last_step = now;
  facility.Step(seconds);

  double since_start = std::chrono::duration<double>(now - start).count();
  for (std::size_t i = 0; i < scheduled.size();) {
    if (scheduled[i].at_s > since_start) {
      ++i;
      continue;
    }
    Event event = scheduled[i].event;
    scheduled.erase(scheduled.begin() + static_cast<std::ptrdiff_t>(i));
    auto applied = ApplyEvent(event);
    Log(fmt::format("event {} {}{}", event.action, event.device,
                    applied ? "" : ": " + applied.error()));
  }
}

std::expected<void, std::string> Server::Impl::ApplyEvent(const Event& event) {
  if (event.action == "faults") {
    auto it = std::find_if(devices.begin(), devices.end(), [&](auto& d) {
      return d.spec.name == event.device;
    });
    if (it == devices.end()) {
      return std::unexpected("no device named '" + event.device + "'");
    }
    it->faults = event.faults.value_or(it->spec.faults);
  } else if (event.action == "normal") {
    for (Device& device : devices) {
      device.faults = device.spec.faults;
    }
    auto applied = facility.Apply(event);
    if (!applied)
      return applied;
  } else {
    auto applied = facility.Apply(event);
    if (!applied)
      return applied;
  }

  if (event.duration_s) {
    double since_start =
        std::chrono::duration<double>(Clock::now() - start).count();
    scheduled.push_back({since_start + *event.duration_s, Revert(event)});
  }
  return {};
}

void Server::Impl::Send(Pending item, const Faults& faults) {
  // Corrupt or cut answers: the poller must cope with both.
  if (faults.malformed > 0 && unit(rng) < faults.malformed &&
      item.bytes.size() > 2) {
    item.bytes[1] = static_cast<char>(item.bytes[1] ^ 0x5a);
    std::size_t at =
        2 + static_cast<std::size_t>(
                unit(rng) * static_cast<double>(item.bytes.size() - 2));
    item.bytes[std::min(at, item.bytes.size() - 1)] ^= 0x7f;
  }
  if (faults.truncate > 0 && unit(rng) < faults.truncate &&
      item.bytes.size() > 1) {
    item.bytes.resize(
        1 + static_cast<std::size_t>(
                unit(rng) * static_cast<double>(item.bytes.size() - 1)));
  }

  auto delay = faults.delay;
  if (faults.jitter.count() > 0) {
    delay += std::chrono::milliseconds(static_cast<std::int64_t>(
        unit(rng) * static_cast<double>(faults.jitter.count())));
  }
  if (delay.count() == 0) {
    Deliver(item);
    return;
  }
  item.due = Clock::now() + delay;
  item.order = order++;
  pending.push(std::move(item));
}

void Server::Impl::Deliver(Pending& item) {
  if (item.udp) {
    sendto(fds[static_cast<std::size_t>(item.device)], item.bytes.data(),
           item.bytes.size(), 0, reinterpret_cast<sockaddr*>(&item.peer),
           sizeof(item.peer));
    return;
  }
  if (item.connection >= connections.size()) {
    return;
  }
  Connection& connection = connections[item.connection];
  if (connection.fd < 0 || connection.generation != item.generation) {
    return;  // the poller hung up while the answer was held back
  }
  connection.out += item.bytes;
  Flush(item.connection);
}

void Server::Impl::ServeSnmp(std::size_t index) {
  Device& device = devices[index];
  int fd = fds[index];
  SnmpAgentView agent{device.mib.get(), device.variables, device.texts,
                      device.spec.community, device.spec.max_message_size};
  agent.v1 = device.spec.v1;
  agent.v2c = device.spec.v2c;
  agent.usm = device.usm.get();

  // Drain the socket: one wake-up may cover many requests.
  for (int burst = 0; burst < 64; ++burst) {
    sockaddr_in peer{};
    socklen_t peer_length = sizeof(peer);
    ssize_t received =
        recvfrom(fd, datagram.data(), datagram.size(), 0,
                 reinterpret_cast<sockaddr*>(&peer), &peer_length);
    if (received < 0) {
      return;
    }
    ++device.counters.requests;
    ++total_requests;
    const Faults& faults = device.faults;
    if (faults.down || (faults.drop > 0 && unit(rng) < faults.drop)) {
      ++device.counters.dropped;
      continue;
    }

    SnmpAnswer answer = AnswerSnmp(
        std::span(datagram.data(), static_cast<std::size_t>(received)), agent,
        snmp_scratch, response);
    switch (answer.outcome) {
      case SnmpOutcome::kAnswered:
        break;
      case SnmpOutcome::kReport:
        ++device.counters.reports;
        break;
      case SnmpOutcome::kMalformed:
        ++device.counters.malformed_requests;
        continue;
      case SnmpOutcome::kBadCommunity:
        ++device.counters.bad_community;
        continue;
      case SnmpOutcome::kUnsupported:
        ++device.counters.unsupported;
        continue;
    }
    ++device.counters.answers;
    device.counters.varbinds += answer.varbinds;
    total_varbinds += answer.varbinds;

    if (!faults.any()) {
      sendto(fd, response.data(), response.size(), 0,
             reinterpret_cast<sockaddr*>(&peer), peer_length);
      continue;
    }
    Pending item{};
    item.udp = true;
    item.device = static_cast<int>(index);
    item.peer = peer;
    item.bytes = response;
    Send(std::move(item), faults);
  }
}

std::size_t Server::Impl::NewConnection(int fd, int device) {
  std::size_t slot;
  if (!free_connections.empty()) {
    slot = free_connections.back();
    free_connections.pop_back();
  } else {
    slot = connections.size();
    connections.emplace_back();
  }
  Connection& connection = connections[slot];
  connection.fd = fd;
  connection.device = device;
  ++connection.generation;
  connection.in.clear();
  connection.out.clear();
  return slot;
}

void Server::Impl::CloseConnection(std::size_t slot, bool reset) {
  Connection& connection = connections[slot];
  if (connection.fd < 0) {
    return;
  }
  if (reset) {
    // Linger zero turns the close into a TCP reset.
    linger hard{1, 0};
    setsockopt(connection.fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  }
  close(connection.fd);
  connection.fd = -1;
  connection.in.clear();
  connection.out.clear();
  free_connections.push_back(slot);
}

void Server::Impl::Flush(std::size_t slot) {
  Connection& connection = connections[slot];
  while (!connection.out.empty()) {
    ssize_t sent = send(connection.fd, connection.out.data(),
                        connection.out.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT;
        event.data.u64 =
            Tag(connection.device >= 0 ? kModbusConnection : kControlConnection,
                slot);
        epoll_ctl(epoll_fd, EPOLL_CTL_MOD, connection.fd, &event);
        return;
      }
      CloseConnection(slot, false);
      return;
    }
    connection.out.erase(0, static_cast<std::size_t>(sent));
  }
  if (connection.device < 0) {
    // A control answer is complete once written.
    CloseConnection(slot, false);
  }
}

void Server::Impl::AcceptModbus(std::size_t index) {
  while (true) {
    int fd =
        accept4(fds[index], nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::size_t slot = NewConnection(fd, static_cast<int>(index));
    Watch(fd, Tag(kModbusConnection, slot));
  }
}

void Server::Impl::ServeModbus(std::size_t slot) {
  char buffer[4096];
  while (true) {
    Connection& connection = connections[slot];
    if (connection.fd < 0) {
      return;
    }
    ssize_t received = recv(connection.fd, buffer, sizeof(buffer), 0);
    if (received == 0 ||
        (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      CloseConnection(slot, false);
      return;
    }
    if (received < 0) {
      break;
    }
    connection.in.append(buffer, static_cast<std::size_t>(received));
  }

  Connection& connection = connections[slot];
  Device& device = devices[static_cast<std::size_t>(connection.device)];
  ModbusDeviceView view{device.registers.get(), device.variables,
                        static_cast<std::uint8_t>(device.spec.unit)};
  while (true) {
    std::size_t frame_size = 0;
    auto bytes =
        std::span(reinterpret_cast<const std::uint8_t*>(connection.in.data()),
                  connection.in.size());
    FrameStatus status = NextFrame(bytes, frame_size);
    if (status == FrameStatus::kIncomplete) {
      return;
    }
    if (status == FrameStatus::kInvalid) {
      ++device.counters.malformed_requests;
      CloseConnection(slot, false);
      return;
    }

    auto frame = bytes.first(frame_size);
    ++device.counters.requests;
    ++total_requests;
    const Faults& faults = device.faults;
    if (faults.reset > 0 && unit(rng) < faults.reset) {
      ++device.counters.dropped;
      CloseConnection(slot, true);
      return;
    }
    bool drop = faults.down || (faults.drop > 0 && unit(rng) < faults.drop);
    if (drop) {
      ++device.counters.dropped;
    } else {
      if (faults.exception > 0 && unit(rng) < faults.exception) {
        ModbusException(frame, static_cast<std::uint8_t>(faults.exception_code),
                        response);
      } else {
        AnswerModbus(frame, view, modbus_scratch, response);
      }
      ++device.counters.answers;
      if (static_cast<std::uint8_t>(response[7]) < 0x80) {
        device.counters.varbinds += modbus_scratch.size();
        total_varbinds += modbus_scratch.size();
      }
      Pending item{};
      item.udp = false;
      item.device = connection.device;
      item.connection = slot;
      item.generation = connection.generation;
      item.bytes = response;
      Send(std::move(item), faults);
    }
    connection.in.erase(0, frame_size);
  }
}

void Server::Impl::AcceptControl() {
  while (true) {
    int fd =
        accept4(control_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      return;
    }
    std::size_t slot = NewConnection(fd, -1);
    Watch(fd, Tag(kControlConnection, slot));
  }
}

void Server::Impl::ServeControl(std::size_t slot) {
  char buffer[4096];
  while (true) {
    Connection& connection = connections[slot];
    ssize_t received = recv(connection.fd, buffer, sizeof(buffer), 0);
    if (received == 0 ||
        (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      CloseConnection(slot, false);
      return;
    }
    if (received < 0) {
      break;
    }
    connection.in.append(buffer, static_cast<std::size_t>(received));
    if (connection.in.size() > kMaxHttpRequest) {
      CloseConnection(slot, false);
      return;
    }
  }

  // Wait for the head and the whole body it announces.
  Connection& connection = connections[slot];
  std::size_t head_end = connection.in.find("\r\n\r\n");
  if (head_end == std::string::npos || !connection.out.empty()) {
    return;
  }
  std::string head = connection.in.substr(0, head_end);
  std::size_t body_length = 0;
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::size_t field = lower.find("\r\ncontent-length:");
  if (field != std::string::npos) {
    body_length = static_cast<std::size_t>(
        std::strtoul(head.c_str() + field + 17, nullptr, 10));
  }
  if (connection.in.size() < head_end + 4 + body_length) {
    return;
  }

  std::string request_line = head.substr(0, head.find("\r\n"));
  std::string method = request_line.substr(0, request_line.find(' '));
  std::size_t path_start = request_line.find(' ') + 1;
  std::string path = request_line.substr(
      path_start, request_line.find(' ', path_start) - path_start);
  std::string body = connection.in.substr(head_end + 4, body_length);
  connection.out = HandleControl(method, path, body);
  Flush(slot);
}

std::string Server::Impl::HandleControl(const std::string& method,
                                        const std::string& path,
                                        const std::string& body) {
  if (method == "GET" && (path == "/" || path == "/status")) {
    return HttpResponse(200, "application/json", StatusJson().dump(2) + "\n");
  }
  if (method == "GET" && path == "/metrics") {
    return HttpResponse(200, "text/plain; version=0.0.4", MetricsText());
  }
  if (method == "GET" && path == "/devices") {
    nlohmann::json list = nlohmann::json::array();
    for (const Device& device : devices) {
      list.push_back(
          {{"name", device.spec.name},
           {"kind", ToString(device.kind)},
           {"model", device.model_name},
           {"protocol",
            device.protocol == SimProtocol::kSnmp ? "snmp" : "modbus"},
           {"address",
            fmt::format("{}:{}", device.spec.address, device.spec.port)},
           {"faults", device.faults.any()}});
    }
    return HttpResponse(200, "application/json", list.dump(2) + "\n");
  }
  if (path == "/event") {
    if (method != "POST") {
      return HttpResponse(405, "text/plain", "POST an event here\n");
    }
    auto event = ParseEventJson(body);
    if (!event) {
      return HttpResponse(
          400, "application/json",
          nlohmann::json{{"error", event.error()}}.dump() + "\n");
    }
    auto applied = ApplyEvent(*event);
    if (!applied) {
      return HttpResponse(
          400, "application/json",
          nlohmann::json{{"error", applied.error()}}.dump() + "\n");
    }
    Log("event " + event->action + " " + event->device + " (control port)");
    return HttpResponse(200, "application/json", "{\"ok\":true}\n");
  }
  return HttpResponse(404, "text/plain",
                      "GET /status, /devices, /metrics; POST /event\n");
}

nlohmann::json Server::Impl::StatusJson() const {
  nlohmann::json status;
  status["devices"] = devices.size();
  status["requests"] = total_requests;
  status["varbinds"] = total_varbinds;
  status["uptime_seconds"] =
      std::chrono::duration<double>(Clock::now() - start).count();
  status["facility"] = facility.Status();
  return status;
}

std::string Server::Impl::MetricsText() const {
  std::string text;
  auto family = [&](std::string_view name, std::string_view type,
                    std::string_view help, auto value_of) {
    text += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    for (const Device& device : devices) {
      text += fmt::format("{}{{device=\"{}\"}} {}\n", name, device.spec.name,
                          value_of(device));
    }
  };
  family("dcsim_requests_total", "counter", "Requests received.",
         [](const Device& d) { return d.counters.requests; });
  family("dcsim_answers_total", "counter", "Requests answered.",
         [](const Device& d) { return d.counters.answers; });
  family("dcsim_values_total", "counter",
         "SNMP varbinds or Modbus registers served.",
         [](const Device& d) { return d.counters.varbinds; });
  family("dcsim_dropped_total", "counter",
         "Requests left unanswered by fault injection.",
         [](const Device& d) { return d.counters.dropped; });
  family("dcsim_malformed_requests_total", "counter",
         "Requests that were not well-formed.",
         [](const Device& d) { return d.counters.malformed_requests; });
  family("dcsim_bad_community_total", "counter",
         "SNMP requests with the wrong community.",
         [](const Device& d) { return d.counters.bad_community; });
  family("dcsim_snmp_reports_total", "counter",
         "SNMPv3 reports sent (engine discovery and security errors).",
         [](const Device& d) { return d.counters.reports; });
  family("dcsim_unsupported_requests_total", "counter",
         "SNMP requests in a version or PDU type the device does not take.",
         [](const Device& d) { return d.counters.unsupported; });
  text += fmt::format(
      "# HELP dcsim_it_load_watts Simulated IT load of the hall.\n"
      "# TYPE dcsim_it_load_watts gauge\ndcsim_it_load_watts {}\n",
      facility.it_load_kw() * 1000);
  return text;
}

}  // namespace dc::sim
