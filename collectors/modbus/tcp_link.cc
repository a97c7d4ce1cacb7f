#include "collectors/modbus/tcp_link.h"

namespace dc::modbus {
namespace {

// The coroutine's stack. A poll's deepest path (the block reader's halving,
// formatting a message, logging) needs a few KiB; the default would be
// 8 * SIGSTKSZ, several hundred KiB, allocated and freed on every poll.
constexpr std::size_t kStackSize = 64 * 1024;

}  // namespace

TcpLink::TcpLink(boost::asio::io_context& io, std::string host, int port)
    : io_(io), transport_(TcpTransport::Make(io, std::move(host), port)) {}

void TcpLink::Submit(Job job) {
  jobs_.push_back(std::move(job));
  if (serving_)
    return;  // the running coroutine takes it in turn
  serving_ = true;
  // The coroutine keeps the link alive until its queue is empty, even if
  // every collector using the link is gone (a reload) meanwhile.
  boost::asio::spawn(
      io_,
      [self = shared_from_this()](boost::asio::yield_context yield) {
        self->Serve(std::move(yield));
      },
      boost::coroutines::attributes(kStackSize));
}

void TcpLink::Serve(boost::asio::yield_context yield) {
  transport_->Attach(&yield);
  while (!jobs_.empty()) {
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    job(*transport_);
  }
  transport_->Attach(nullptr);
  serving_ = false;
}

void RunOnTcpTransport(boost::asio::io_context& io, TcpTransport& transport,
                       const Link::Job& job) {
  boost::asio::spawn(io, [&](boost::asio::yield_context yield) {
    transport.Attach(&yield);
    job(transport);
    transport.Attach(nullptr);
  });
  io.restart();
  io.run();
}

}  // namespace dc::modbus
