// A Modbus TCP link on the agent's io_context: its polls run in a stackful
// coroutine (boost::asio::spawn) that the transport suspends while a reply
// is on its way, so the request logic stays plain sequential code and no
// thread blocks. One coroutine serves a link while it has polls queued and
// ends when the queue is empty.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <deque>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "collectors/modbus/link.h"
#include "collectors/modbus/tcp_transport.h"

namespace dc::modbus {

class TcpLink : public Link, public std::enable_shared_from_this<TcpLink> {
 public:
  TcpLink(boost::asio::io_context& io, std::string host, int port);

  void Submit(Job job) override;

 private:
  void Serve(boost::asio::yield_context yield);

  boost::asio::io_context& io_;
  std::shared_ptr<TcpTransport> transport_;
  std::deque<Job> jobs_;
  bool serving_ = false;  // a coroutine is running the queue
};

// Runs `job` with a Modbus TCP transport to host:port in a coroutine on
// `io` and returns when it is done; `io` must not be running elsewhere.
// For one-off reads outside the agent (modbus-probe, tests, benchmarks).
void RunOnTcpTransport(boost::asio::io_context& io, TcpTransport& transport,
                       const Link::Job& job);

}  // namespace dc::modbus
