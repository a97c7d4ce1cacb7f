// TcpTransport and TcpLink against scripted servers on real loopback
// sockets: replies split across segments, cut short, padded, of another
// protocol, never sent, and a peer that hangs up, each classified and each
// followed by a fresh connection that reads again; then links on one
// io_context thread waiting for slow devices at the same time, one link's
// polls never overlapping, and the quiet time between requests.
#include "collectors/modbus/tcp_transport.h"

#include "collectors/modbus/tcp_link.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dc::modbus {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

// The reply to a read of `count` holding registers, register i holding
// 100 + i, as a well-behaved device sends it.
Bytes GoodReply(const std::uint8_t* request) {
  const int count = request[10] << 8 | request[11];
  Bytes reply(request, request + 7);
  const int length = 3 + 2 * count;
  reply[4] = static_cast<std::uint8_t>(length >> 8);
  reply[5] = static_cast<std::uint8_t>(length);
  reply.push_back(request[7]);
  reply.push_back(static_cast<std::uint8_t>(2 * count));
  for (int i = 0; i < count; ++i) {
    reply.push_back(0);
    reply.push_back(static_cast<std::uint8_t>(100 + i));
  }
  return reply;
}

void SendAll(int fd, const Bytes& bytes) {
  ASSERT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bytes.size()));
}

// Accepts connections one after another on 127.0.0.1 and hands each
// request (12 bytes) to the script with its connection's fd; the script
// returns false to close that connection.
class ScriptedServer {
 public:
  using Script = std::function<bool(int fd, const std::uint8_t* request,
                                    int request_number)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(
        bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address),
        0);
    socklen_t size = sizeof address;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    listen(listener_, 4);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    thread_.join();
  }

  int port() const { return port_; }
  int connections() const { return connections_; }

 private:
  void Serve() {
    int number = 0;
    while (true) {
      int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0)
        return;
      ++connections_;
      std::uint8_t request[12];
      while (recv(fd, request, sizeof request, MSG_WAITALL) ==
                 static_cast<ssize_t>(sizeof request) &&
             script_(fd, request, ++number)) {
      }
      close(fd);
    }
  }

  Script script_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

class TcpTransportTest : public ::testing::Test {
 protected:
  std::shared_ptr<TcpTransport> Connect(const std::string& host, int port) {
    return TcpTransport::Make(io_, host, port);
  }
  // One read of three holding registers from 40, in a coroutine on io_.
  ReadResult ReadThree(TcpTransport& transport) {
    std::fill(std::begin(out_), std::end(out_), 0);
    ReadResult result;
    RunOnTcpTransport(io_, transport, [&](Transport& t) {
      result = t.Read(options_, Function::kHolding, 40, 3, out_);
    });
    return result;
  }
  void ExpectValues() {
    EXPECT_EQ(out_[0], 100);
    EXPECT_EQ(out_[1], 101);
    EXPECT_EQ(out_[2], 102);
  }

  boost::asio::io_context io_;
  RequestOptions options_{1, 300ms, {}};
  std::uint16_t out_[3] = {};
};

TEST_F(TcpTransportTest, ReadsAReplySplitAcrossSegments) {
  ScriptedServer server([](int fd, const std::uint8_t* request, int) {
    Bytes reply = GoodReply(request);
    // Header, then one byte, then the rest, each in its own segment.
    SendAll(fd, Bytes(reply.begin(), reply.begin() + 7));
    std::this_thread::sleep_for(20ms);
    SendAll(fd, Bytes(reply.begin() + 7, reply.begin() + 8));
    std::this_thread::sleep_for(20ms);
    SendAll(fd, Bytes(reply.begin() + 8, reply.end()));
    return true;
  });
  auto transport = Connect("127.0.0.1", server.port());
  for (int i = 0; i < 3; ++i) {
    ReadResult r = ReadThree(*transport);
    ASSERT_TRUE(r.ok()) << r.message;
    ExpectValues();
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(TcpTransportTest, EachBrokenReplyCostsItsConnectionOnly) {
  // Request 1: no reply; 2: cut short, then silence; 3: extra bytes;
  // 4: not Modbus; 5: the peer hangs up; 6: another transaction id; then
  // good replies.
  ScriptedServer server([](int fd, const std::uint8_t* request, int n) {
    Bytes reply = GoodReply(request);
    switch (n) {
      case 1:
        return true;
      case 2:
        reply.resize(9);
        break;
      case 3:
        reply.push_back(0);
        break;
      case 4:
        reply[2] = 0x12;
        break;
      case 5:
        return false;
      case 6:
        reply[1] ^= 1;
        break;
      default:
        break;
    }
    SendAll(fd, reply);
    return true;
  });
  auto transport = Connect("127.0.0.1", server.port());

  struct Expected {
    ReadStatus status;
    const char* message;
  };
  const Expected broken[] = {
      {ReadStatus::kTimeout, "no reply within 300 ms"},
      {ReadStatus::kTimeout, "reply incomplete after 300 ms (9 bytes)"},
      {ReadStatus::kBadReply, "1 bytes more"},
      {ReadStatus::kBadReply, "not a Modbus TCP frame"},
      {ReadStatus::kConnection, "closed the connection"},
      {ReadStatus::kBadReply, "transaction"},
  };
  for (const Expected& e : broken) {
    auto start = std::chrono::steady_clock::now();
    ReadResult r = ReadThree(*transport);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.status, e.status) << r.message;
    EXPECT_NE(r.message.find(e.message), std::string::npos) << r.message;
    if (e.status == ReadStatus::kTimeout) {
      EXPECT_GE(took, 290ms);
      EXPECT_LT(took, 1500ms);
    }
  }
  ReadResult r = ReadThree(*transport);
  ASSERT_TRUE(r.ok()) << r.message;
  ExpectValues();
  // Every failure dropped the connection; the good read needed a new one.
  EXPECT_EQ(server.connections(), 7);
}

TEST_F(TcpTransportTest, ExceptionRepliesKeepTheConnection) {
  ScriptedServer server([](int fd, const std::uint8_t* request, int n) {
    if (n == 1) {
      Bytes reply(request, request + 7);
      reply[5] = 3;
      reply.push_back(static_cast<std::uint8_t>(request[7] | 0x80));
      reply.push_back(2);
      SendAll(fd, reply);
    } else {
      SendAll(fd, GoodReply(request));
    }
    return true;
  });
  auto transport = Connect("127.0.0.1", server.port());
  ReadResult refused = ReadThree(*transport);
  EXPECT_EQ(refused.status, ReadStatus::kIllegalAddress);
  EXPECT_EQ(refused.exception_code, 2);
  ASSERT_TRUE(ReadThree(*transport).ok());
  ExpectValues();
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(TcpTransportTest, NobodyListeningIsAConnectionError) {
  int port = 0;
  {
    ScriptedServer gone([](int, const std::uint8_t*, int) { return false; });
    port = gone.port();
  }
  auto transport = Connect("127.0.0.1", port);
  ReadResult r = ReadThree(*transport);
  EXPECT_EQ(r.status, ReadStatus::kConnection);
  EXPECT_NE(
      r.message.find("cannot connect to 127.0.0.1:" + std::to_string(port)),
      std::string::npos)
      << r.message;

  auto unknown = Connect("no-such-host.invalid", 502);
  ReadResult u = ReadThree(*unknown);
  EXPECT_EQ(u.status, ReadStatus::kConnection);
  EXPECT_NE(u.message.find("cannot resolve no-such-host.invalid"),
            std::string::npos)
      << u.message;
}

TEST_F(TcpTransportTest, ReadingOutsideACoroutineIsRefused) {
  // Nothing may block the agent's loop: without a coroutine to suspend,
  // the transport does not touch the network.
  ScriptedServer server([](int fd, const std::uint8_t* request, int) {
    SendAll(fd, GoodReply(request));
    return true;
  });
  auto transport = Connect("127.0.0.1", server.port());
  ReadResult r = transport->Read(options_, Function::kHolding, 40, 3, out_);
  EXPECT_EQ(r.status, ReadStatus::kConnection);
  EXPECT_NE(r.message.find("outside its link's coroutine"), std::string::npos)
      << r.message;
  EXPECT_EQ(server.connections(), 0);
}

// A device that answers every request after `delay`.
ScriptedServer::Script SlowDevice(std::chrono::milliseconds delay) {
  return [delay](int fd, const std::uint8_t* request, int) {
    std::this_thread::sleep_for(delay);
    SendAll(fd, GoodReply(request));
    return true;
  };
}

TEST_F(TcpTransportTest, LinksWaitForSlowDevicesTogetherOnOneThread) {
  ScriptedServer first(SlowDevice(200ms));
  ScriptedServer second(SlowDevice(200ms));
  auto a = std::make_shared<TcpLink>(io_, "127.0.0.1", first.port());
  auto b = std::make_shared<TcpLink>(io_, "127.0.0.1", second.port());
  std::vector<ReadResult> results;
  std::vector<std::thread::id> threads;
  auto job = [&](Transport& t) {
    std::uint16_t out[3];
    results.push_back(t.Read(options_, Function::kHolding, 40, 3, out));
    threads.push_back(std::this_thread::get_id());
  };
  // The loop keeps serving timers while both devices take their time.
  int ticks = 0;
  boost::asio::steady_timer tick(io_);
  std::function<void()> arm = [&] {
    tick.expires_after(20ms);
    tick.async_wait([&](const boost::system::error_code& error) {
      if (!error && ++ticks < 10)
        arm();
    });
  };
  arm();

  const auto start = std::chrono::steady_clock::now();
  a->Submit(job);
  b->Submit(job);
  io_.run();
  const auto took = std::chrono::steady_clock::now() - start;

  ASSERT_EQ(results.size(), 2u);
  for (const ReadResult& r : results)
    EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(threads[0], std::this_thread::get_id());
  EXPECT_EQ(threads[1], std::this_thread::get_id());
  EXPECT_EQ(ticks, 10);
  // One after the other would take 400 ms and more.
  EXPECT_LT(took, 380ms);
}

TEST_F(TcpTransportTest, OneLinksPollsRunInTurnWithItsQuietTime) {
  std::atomic<int> replies{0};
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  std::mutex mutex;
  ScriptedServer server([&](int fd, const std::uint8_t* request, int) {
    {
      std::lock_guard lock(mutex);
      arrivals.push_back(std::chrono::steady_clock::now());
    }
    std::this_thread::sleep_for(30ms);
    SendAll(fd, GoodReply(request));
    ++replies;
    return true;
  });
  auto link = std::make_shared<TcpLink>(io_, "127.0.0.1", server.port());
  const RequestOptions paused{1, 1000ms, 50ms};
  std::vector<int> order;
  std::vector<int> replies_before;
  for (int i = 0; i < 3; ++i) {
    link->Submit([&, i](Transport& t) {
      replies_before.push_back(replies);
      std::uint16_t out[3];
      EXPECT_TRUE(t.Read(paused, Function::kHolding, 40, 3, out).ok());
      order.push_back(i);
    });
  }
  link.reset();  // the running coroutine keeps the link until it is done
  io_.run();

  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  // Each poll started only after the previous one's reply.
  EXPECT_EQ(replies_before, (std::vector<int>{0, 1, 2}));
  ASSERT_EQ(arrivals.size(), 3u);
  for (int i = 1; i < 3; ++i) {
    // 30 ms of reply time and then the 50 ms pause.
    EXPECT_GE(arrivals[i] - arrivals[i - 1], 80ms);
  }
  EXPECT_EQ(server.connections(), 1);
}

}  // namespace
}  // namespace dc::modbus
