#include "collectors/modbus/worker_pool.h"

#include <algorithm>

namespace dc::modbus {

WorkerPool::WorkerPool(int workers) {
  const int count = std::max(1, workers);
  threads_.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i)
    threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_)
    thread.join();
}

std::shared_ptr<LinkQueue> WorkerPool::MakeQueue(
    std::string key, std::unique_ptr<Transport> transport) {
  return std::shared_ptr<LinkQueue>(
      new LinkQueue(std::move(key), std::move(transport)));
}

void WorkerPool::Submit(const std::shared_ptr<LinkQueue>& queue,
                        LinkQueue::Job job) {
  {
    std::lock_guard lock(mutex_);
    queue->jobs_.push_back(std::move(job));
    if (queue->scheduled_)
      return;  // a worker has it or will take it
    queue->scheduled_ = true;
    ready_.push_back(queue);
  }
  wake_.notify_one();
}

void WorkerPool::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (stopping_)
      return;

    // Take one job of the link at the head; the link stays scheduled, so
    // no other worker touches its transport meanwhile.
    std::shared_ptr<LinkQueue> queue = std::move(ready_.front());
    ready_.pop_front();
    LinkQueue::Job job = std::move(queue->jobs_.front());
    queue->jobs_.pop_front();

    lock.unlock();
    job(*queue->transport_);
    job = nullptr;  // release what the job captured outside the lock
    lock.lock();

    // One job per turn keeps a busy link from starving the others.
    if (queue->jobs_.empty()) {
      queue->scheduled_ = false;
    } else {
      ready_.push_back(std::move(queue));
    }
  }
}

}  // namespace dc::modbus
