// Threads that run blocking libmodbus calls (serial lines) off the Asio
// loop. Every serial bus has one queue: its jobs run one after another,
// never two at once, so requests on a bus never overlap, while different
// buses are served concurrently by up to `workers` threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collectors/modbus/link.h"
#include "collectors/modbus/transport.h"

namespace dc::modbus {

class WorkerPool;

// The queue of one connection. Made by WorkerPool::MakeQueue; shared by the
// collectors of every device on the connection.
class LinkQueue {
 public:
  using Job = Link::Job;

  const std::string& key() const { return key_; }

 private:
  friend class WorkerPool;
  LinkQueue(std::string key, std::unique_ptr<Transport> transport)
      : key_(std::move(key)), transport_(std::move(transport)) {}

  std::string key_;
  std::unique_ptr<Transport> transport_;  // used by one worker at a time
  std::deque<Job> jobs_;                  // guarded by the pool's mutex
  bool scheduled_ = false;                // in the ready list or being served
};

// Thread safety: all members may be called from any thread.
class WorkerPool {
 public:
  explicit WorkerPool(int workers);
  // Stops the threads after the jobs they are running; queued jobs are
  // dropped without running.
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::shared_ptr<LinkQueue> MakeQueue(std::string key,
                                       std::unique_ptr<Transport> transport);

  // Queues `job` behind the link's earlier jobs. It runs on a worker thread
  // with the link's transport, and must not block longer than it must.
  void Submit(const std::shared_ptr<LinkQueue>& queue, LinkQueue::Job job);

  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<LinkQueue>> ready_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// The link of a serial bus: its jobs run on the pool's threads.
class PooledLink : public Link {
 public:
  PooledLink(std::shared_ptr<WorkerPool> pool, std::string key,
             std::unique_ptr<Transport> transport)
      : pool_(std::move(pool)),
        queue_(pool_->MakeQueue(std::move(key), std::move(transport))) {}

  void Submit(Job job) override { pool_->Submit(queue_, std::move(job)); }

 private:
  std::shared_ptr<WorkerPool> pool_;
  std::shared_ptr<LinkQueue> queue_;
};

}  // namespace dc::modbus
