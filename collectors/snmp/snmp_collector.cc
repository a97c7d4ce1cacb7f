#include "collectors/snmp/snmp_collector.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collectors/snmp/poll_plan.h"
#include "collectors/snmp/poll_state.h"
#include "collectors/snmp/session.h"
#include "collectors/snmp/target_address.h"

namespace dc::snmp {
namespace {

const Oid kSysDescr = {1, 3, 6, 1, 2, 1, 1, 1, 0};
const Oid kSysObjectId = {1, 3, 6, 1, 2, 1, 1, 2, 0};

// What the agent's report means, for the operator.
std::string ReportMessage(int type, const std::string& user) {
  constexpr std::string_view kAuth =
      "authentication failed (wrong password or user?)";
  switch (type) {
    case SNMPERR_AUTHENTICATION_FAILURE:
      return fmt::format(
          "{}: the agent reports a wrong digest "
          "(usmStatsWrongDigests)",
          kAuth);
    case SNMPERR_UNKNOWN_USER_NAME:
      return fmt::format(
          "{}: the agent knows no user '{}' "
          "(usmStatsUnknownUserNames)",
          kAuth, user);
    case SNMPERR_DECRYPTION_ERR:
      return fmt::format(
          "{}: the agent could not decrypt the request; "
          "wrong privacy password or protocol? "
          "(usmStatsDecryptionErrors)",
          kAuth);
    case SNMPERR_UNSUPPORTED_SEC_LEVEL:
      return fmt::format(
          "{}: user '{}' does not support this security "
          "level (usmStatsUnsupportedSecLevels)",
          kAuth, user);
    case SNMPERR_NOT_IN_TIME_WINDOW:
      return fmt::format(
          "{}: requests keep falling outside the agent's "
          "time window (usmStatsNotInTimeWindows)",
          kAuth);
    default: {
      const char* text = snmp_api_errstring(type);
      return fmt::format("{}: the agent sent a report: {}", kAuth,
                         text ? text : "unknown");
    }
  }
}

std::string Seconds(std::chrono::milliseconds duration) {
  return fmt::format("{:g}s", static_cast<double>(duration.count()) / 1000);
}

std::shared_ptr<const Profile> MakeFallbackProfile() {
  auto profile = std::make_shared<Profile>();
  profile->name = kFallbackProfileName;
  profile->info["model"].oid = kSysDescr;
  return profile;
}

// How long the device info (vendor, model, serial, firmware) read from a
// device is served before it is read again. It changes only when the
// device is replaced or upgraded, and either usually restarts the device,
// which ends the session and reads it anew at once.
constexpr auto kInfoRefresh = std::chrono::minutes(15);

// Batches of indices waiting to be sent, a queue that may also take a
// batch at its front. A std::deque would allocate some 600 bytes as soon
// as it is made, for every target, for queues that are empty nearly
// always; the front is kept at the back of a vector instead.
class BatchQueue {
 public:
  bool empty() const { return batches_.empty(); }
  void clear() { batches_.clear(); }
  std::vector<std::size_t> PopFront() {
    std::vector<std::size_t> batch = std::move(batches_.back());
    batches_.pop_back();
    return batch;
  }
  void PushFront(std::vector<std::size_t> batch) {
    batches_.push_back(std::move(batch));
  }
  void PushBack(std::vector<std::size_t> batch) {
    batches_.insert(batches_.begin(), std::move(batch));
  }

 private:
  std::vector<std::vector<std::size_t>> batches_;
};

// A compiled plan and the GET batches of its metrics alone, for the polls
// that serve the device info read earlier.
struct ReadPlan {
  PollPlan plan;
  std::vector<std::vector<std::size_t>> metric_batches;
  // Whether a poll without the info OIDs still reads something.
  bool reads_without_info = false;
};

ReadPlan MakeReadPlan(std::shared_ptr<const Profile> profile,
                      const TargetConfig& target) {
  ReadPlan read{CompilePlan(std::move(profile), target), {}, false};
  std::vector<std::size_t> batch;
  for (std::size_t i = 0; i < read.plan.scalars.size(); ++i) {
    if (read.plan.scalars[i].kind != PlannedScalar::Kind::kMetric)
      continue;
    batch.push_back(i);
    if (batch.size() == kMaxGetVarbinds) {
      read.metric_batches.push_back(std::move(batch));
      batch.clear();
    }
  }
  if (!batch.empty())
    read.metric_batches.push_back(std::move(batch));
  read.reads_without_info =
      !read.metric_batches.empty() || !read.plan.tables.empty();
  return read;
}

// Targets polled with the same profile and the same table settings share
// one plan: with thousands of devices of a few models, a plan per target
// would hold thousands of copies of the same OIDs.
std::shared_ptr<const ReadPlan> SharedReadPlan(
    const std::shared_ptr<const Profile>& profile, const TargetConfig& target) {
  using Key = std::tuple<const Profile*, int, int>;
  static std::mutex mutex;
  static std::map<Key, std::weak_ptr<const ReadPlan>> plans;

  Key key{profile.get(), target.max_repetitions, target.max_table_rows};
  std::lock_guard lock(mutex);
  // A plan holds its profile, so while the entry is alive the address
  // cannot name another profile.
  if (auto it = plans.find(key); it != plans.end()) {
    if (auto plan = it->second.lock())
      return plan;
  }
  std::erase_if(plans,
                [](const auto& entry) { return entry.second.expired(); });
  auto plan = std::make_shared<const ReadPlan>(MakeReadPlan(profile, target));
  plans[key] = plan;
  return plan;
}

}  // namespace

// The state of one target across polls, shared with pending Asio
// handlers so that destroying the collector never leaves them dangling.
class Poller : public Session::Handler,
               public std::enable_shared_from_this<Poller> {
 public:
  Poller(boost::asio::io_context& io, TargetConfig target,
         std::shared_ptr<const ProfileSet> profiles,
         std::shared_ptr<UsmKeyCache> keys)
      : io_(io),
        target_(std::move(target)),
        profiles_(std::move(profiles)),
        keys_(std::move(keys)),
        deadline_timer_(io),
        resolver_(io) {}

  void Poll(std::chrono::steady_clock::time_point deadline,
            Collector::Done done);
  void Stop();

  void OnPdu(int operation, int reqid, netsnmp_pdu* pdu) override;
  void OnSettled() override { Advance(); }

 private:
  struct Request {
    enum class Kind { kDiscover, kDetect, kProbe, kGet, kWalk };
    Kind kind = Kind::kGet;
    std::vector<std::size_t> items;   // scalars (GET) or columns (walk)
    std::vector<std::size_t> tables;  // walk: the table of each column
    int time_window_reports = 0;
    long message_id = 0;
  };

  enum class SessionStep { kReady, kWaiting, kFailed };

  void Advance();
  SessionStep EnsureSession();
  // Starts resolving the target's host name off the loop; Advance() runs
  // again when the address is known.
  void Resolve(const SnmpAddress& address);
  void Send(netsnmp_pdu* pdu, Request request);
  void SendGet(std::vector<std::size_t> items);
  // Sends the next walk request; false when no table needs one now.
  bool SendWalk();
  // The repetitions of the next walk request of `table`.
  int WalkRepetitions(std::size_t table) const;
  void SendDetect();
  void SendProbe(std::vector<std::size_t> probes);
  void ChooseDetectedProfile();
  void StartReading(std::shared_ptr<const Profile> profile);

  void OnReport(Request& request, netsnmp_pdu* pdu);
  void OnTimeout(const Request& request);
  void OnGet(Request& request, netsnmp_pdu* pdu);
  void OnWalk(Request& request, netsnmp_pdu* pdu);
  void OnDetect(netsnmp_pdu* pdu);
  void OnProbe(Request& request, netsnmp_pdu* pdu);

  void Count(ErrorReason reason);
  // Ends the poll at the next settle point with `error` as its cause;
  // `session_dead` drops the session so the next poll opens a new one.
  void Abort(ErrorReason reason, std::string error, bool session_dead);
  void Finish();

  boost::asio::io_context& io_;
  TargetConfig target_;
  std::shared_ptr<const ProfileSet> profiles_;
  std::shared_ptr<UsmKeyCache> keys_;
  boost::asio::steady_timer deadline_timer_;
  boost::asio::ip::udp::resolver resolver_;
  bool resolving_ = false;
  std::string resolved_peer_;  // the next session's numeric peer
  std::shared_ptr<Session> session_;
  std::shared_ptr<const ReadPlan> plan_;
  std::string plan_warning_;  // why the fallback profile is in use

  // Automatic profile choice: sysObjectID read, then probes if needed.
  bool detected_ = false;
  Oid object_id_;
  std::string description_;
  std::vector<ProfileCandidate> candidates_;
  std::vector<Oid> probes_;
  BatchQueue probe_queue_;
  std::set<Oid> answered_probes_;
  bool stopped_ = false;

  // The device info of the last poll that read it, served by the polls
  // in between (see kInfoRefresh).
  std::vector<std::string> info_cache_;
  std::shared_ptr<const ReadPlan> info_plan_;  // the plan it was read with
  std::chrono::steady_clock::time_point info_read_at_;

  // The poll in progress.
  bool active_ = false;
  Collector::Done done_;
  std::unique_ptr<PollState> state_;
  std::map<ErrorReason, std::uint64_t> early_errors_;  // before state_
  std::uint64_t requests_ = 0;
  std::unordered_map<int, Request> pending_;
  std::unordered_map<long, int> by_message_;  // v3 message ID to request
  // GET batches: the plan's, in order, then those asked again (split on
  // tooBig, or without a bad varbind), which go first.
  const std::vector<std::vector<std::size_t>>* batches_ = nullptr;
  std::size_t next_batch_ = 0;
  BatchQueue gets_;
  bool reading_info_ = false;     // this poll asks for the device info
  std::vector<bool> walking_;     // per table: a request is out
  std::vector<int> repetitions_;  // per table, halved on tooBig
  std::vector<bool> walked_;      // per table: its first request went out
  // Rows each table had in the last successful poll with `rows_plan_`,
  // -1 when unknown. The first GETBULK of a walk asks for one row more
  // than that, so it ends the walk when the table has not grown: asking
  // a 3-row table for 20 repetitions would fetch, decode and discard 17
  // varbinds per column.
  std::vector<int> last_rows_;
  std::shared_ptr<const ReadPlan> rows_plan_;
  std::size_t last_samples_ = 0;  // samples of the last poll, to reserve
  // Whether walks of several tables may share a request; cleared when
  // the device answers such a request with tooBig.
  bool combine_walks_ = true;
  std::vector<bool> walk_progress_;  // per table, scratch for OnWalk
  bool answered_ = false;
  bool user_checked_ = false;
  bool aborted_ = false;
  bool session_dead_ = false;
  std::string error_;
};

void Poller::Poll(std::chrono::steady_clock::time_point deadline,
                  Collector::Done done) {
  active_ = true;
  done_ = std::move(done);
  state_.reset();
  early_errors_.clear();
  requests_ = 0;
  pending_.clear();
  by_message_.clear();
  gets_.clear();
  batches_ = nullptr;
  next_batch_ = 0;
  reading_info_ = false;
  answered_ = false;
  user_checked_ = false;
  aborted_ = false;
  session_dead_ = false;
  error_.clear();
  if (plan_) {
    StartReading(plan_->plan.profile);
  } else {
    detected_ = false;  // a detection cut short starts over
  }

  deadline_timer_.expires_at(deadline);
  deadline_timer_.async_wait(
      [weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec || !self->active_)
          return;
        if (self->resolving_) {
          self->Count(ErrorReason::kTimeout);
          self->error_ = fmt::format(
              "the host name of {} was not resolved by the poll deadline",
              self->target_.address);
        } else if (!self->pending_.empty()) {
          self->Count(ErrorReason::kTimeout);
          self->error_ = fmt::format(
              "poll deadline reached with {} request(s) to {} unanswered",
              self->pending_.size(), self->target_.address);
          if (!self->answered_)
            self->session_dead_ = true;
        }
        self->Finish();
      });

  // The first step runs from the loop, so `done` can never run inside
  // Poll() even when the poll fails at once.
  boost::asio::post(io_, [weak = weak_from_this()] {
    if (auto self = weak.lock())
      self->Advance();
  });
}

void Poller::Stop() {
  stopped_ = true;
  active_ = false;
  done_ = nullptr;
  deadline_timer_.cancel();
  resolver_.cancel();
  pending_.clear();
  by_message_.clear();
  session_.reset();
}

void Poller::Count(ErrorReason reason) {
  if (state_) {
    state_->Count(reason);
  } else {
    ++early_errors_[reason];
  }
}

void Poller::Abort(ErrorReason reason, std::string error, bool session_dead) {
  Count(reason);
  if (error_.empty())
    error_ = std::move(error);
  aborted_ = true;
  session_dead_ = session_dead_ || session_dead;
}

Poller::SessionStep Poller::EnsureSession() {
  if (session_)
    return SessionStep::kReady;
  if (resolving_)
    return SessionStep::kWaiting;

  // net-snmp would resolve a host name itself, blocking the loop: a name
  // is resolved first, for every new session (so a changed DNS entry is
  // followed when a device stops answering).
  std::string error;
  std::string peer = target_.address;
  auto address = ParseSnmpAddress(target_.address, error);
  if (!address) {
    Abort(ErrorReason::kConnection, error, false);
    return SessionStep::kFailed;
  }
  if (!IsNumericHost(address->host)) {
    if (resolved_peer_.empty()) {
      Resolve(*address);
      return SessionStep::kWaiting;
    }
    peer = std::exchange(resolved_peer_, std::string());
  }

  auto keys = keys_->Get(target_.snmp_auth, error);
  if (!keys) {
    Abort(ErrorReason::kAuth, error, false);
    return SessionStep::kFailed;
  }
  session_ = Session::Open(io_, target_, peer, *keys, *this, error);
  if (!session_) {
    Abort(ErrorReason::kConnection, error, true);
    return SessionStep::kFailed;
  }
  // A new session may reach a replaced device: read its info again, and
  // choose its profile anew.
  info_plan_.reset();
  if (target_.profile == "auto" && plan_) {
    if (state_)
      early_errors_ = state_->result().errors;
    state_.reset();
    gets_.clear();
    batches_ = nullptr;
    plan_.reset();
  }
  return SessionStep::kReady;
}

void Poller::Resolve(const SnmpAddress& address) {
  using boost::asio::ip::udp;
  resolving_ = true;
  resolver_.async_resolve(
      address.v6 ? udp::v6() : udp::v4(), address.host,
      std::to_string(address.port),
      [weak = weak_from_this(), address](
          const boost::system::error_code& ec,
          const udp::resolver::results_type& results) {
        auto self = weak.lock();
        if (!self || ec == boost::asio::error::operation_aborted)
          return;
        self->resolving_ = false;
        if (!ec && !results.empty()) {
          // Kept for the next poll if this one has ended meanwhile.
          self->resolved_peer_ =
              NumericPeer(results.begin()->endpoint().address().to_string(),
                          address.v6, address.port);
        } else if (self->active_) {
          self->Abort(ErrorReason::kConnection,
                      fmt::format("cannot resolve host \"{}\" of {}: {}",
                                  address.host, self->target_.address,
                                  ec ? ec.message() : "no address"),
                      true);
        }
        if (self->active_)
          self->Advance();
      });
}

void Poller::Advance() {
  if (!active_)
    return;
  if (aborted_)
    return Finish();
  switch (EnsureSession()) {
    case SessionStep::kFailed:
      return Finish();
    case SessionStep::kWaiting:
      return;
    case SessionStep::kReady:
      break;
  }

  // SNMPv3: learn the engine ID once per session, without blocking.
  if (session_->is_v3() && !session_->engine_known()) {
    if (pending_.empty()) {
      if (netsnmp_pdu* probe = Session::MakeDiscoveryPdu()) {
        Send(probe, {Request::Kind::kDiscover, {}, {}, 0, 0});
      } else {
        Abort(ErrorReason::kConnection, "cannot build the discovery PDU", true);
      }
      if (aborted_)
        return Finish();
    }
    return;
  }
  if (session_->is_v3() && !user_checked_) {
    std::string error;
    if (!session_->EnsureUser(error)) {
      Abort(ErrorReason::kAuth, error, true);
      return Finish();
    }
    user_checked_ = true;
  }

  if (!plan_) {
    if (target_.profile != "auto") {
      auto it = profiles_->find(target_.profile);
      if (it == profiles_->end()) {
        Abort(ErrorReason::kProtocol,
              fmt::format("profile '{}' is not loaded", target_.profile),
              false);
        return Finish();
      }
      StartReading(it->second);
    } else if (!detected_) {
      if (pending_.empty())
        SendDetect();
      if (aborted_)
        return Finish();
      return;
    } else {
      int probe_window = std::max(1, target_.max_in_flight);
      while (!aborted_ && !probe_queue_.empty() &&
             static_cast<int>(pending_.size()) < probe_window) {
        std::vector<std::size_t> batch = probe_queue_.PopFront();
        SendProbe(std::move(batch));
      }
      if (aborted_)
        return Finish();
      if (!pending_.empty())
        return;
      ChooseDetectedProfile();
    }
  }

  // Fill the device's request window: GET batches first, then walks.
  int window = std::max(1, target_.max_in_flight);
  while (!aborted_ && static_cast<int>(pending_.size()) < window) {
    if (!gets_.empty()) {
      std::vector<std::size_t> items = gets_.PopFront();
      SendGet(std::move(items));
      continue;
    }
    if (batches_ && next_batch_ < batches_->size()) {
      SendGet((*batches_)[next_batch_++]);
      continue;
    }
    if (!SendWalk())
      break;
  }
  if (aborted_ || pending_.empty())
    Finish();
}

void Poller::StartReading(std::shared_ptr<const Profile> profile) {
  if (!plan_ || plan_->plan.profile != profile) {
    plan_ = SharedReadPlan(profile, target_);
  }
  const PollPlan& plan = plan_->plan;
  state_ = std::make_unique<PollState>(plan);
  state_->result().samples.reserve(last_samples_);
  for (const auto& [reason, count] : early_errors_) {
    state_->result().errors[reason] += count;
  }
  early_errors_.clear();

  // The device info is read by the first poll of a session and then
  // every kInfoRefresh; the polls between serve what it read.
  bool cached = info_plan_ == plan_ && plan_->reads_without_info &&
                std::chrono::steady_clock::now() - info_read_at_ < kInfoRefresh;
  if (cached) {
    state_->UseCachedInfo(info_cache_);
    batches_ = &plan_->metric_batches;
  } else {
    batches_ = &plan.batches;
  }
  reading_info_ = !cached && !plan.info_keys.empty();
  next_batch_ = 0;
  gets_.clear();
  walking_.assign(plan.tables.size(), false);
  walked_.assign(plan.tables.size(), false);
  if (rows_plan_ != plan_) {
    rows_plan_ = plan_;
    last_rows_.assign(plan.tables.size(), -1);
  }
  repetitions_.clear();
  for (const PlannedTable& table : plan.tables) {
    repetitions_.push_back(table.max_repetitions);
  }
}

void Poller::Send(netsnmp_pdu* pdu, Request request) {
  std::string error;
  int reqid = session_->Send(pdu, error);
  if (reqid == 0) {
    Abort(ErrorReason::kConnection,
          fmt::format("cannot send to {}: {}", target_.address, error), true);
    return;
  }
  ++requests_;
  // The PDU stays with net-snmp until answered, so its ID is readable.
  if (session_->is_v3()) {
    request.message_id = pdu->msgid;
    by_message_[request.message_id] = reqid;
  }
  pending_.emplace(reqid, std::move(request));
}

void Poller::SendGet(std::vector<std::size_t> items) {
  netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_GET);
  for (std::size_t i : items) {
    const Oid& name = plan_->plan.scalars[i].oid;
    snmp_add_null_var(pdu, name.data(), name.size());
  }
  Send(pdu, {Request::Kind::kGet, std::move(items), {}, 0, 0});
}

int Poller::WalkRepetitions(std::size_t table) const {
  if (!walked_[table] && last_rows_[table] >= 0)
    return std::min(repetitions_[table], last_rows_[table] + 1);
  return repetitions_[table];
}

bool Poller::SendWalk() {
  const std::vector<PlannedTable>& tables = plan_->plan.tables;
  auto wants_request = [&](std::size_t t) {
    return !walking_[t] && !state_->TableDone(t);
  };
  std::size_t first = 0;
  while (first < tables.size() && !wants_request(first))
    ++first;
  if (first == tables.size())
    return false;

  Request request{Request::Kind::kWalk, {}, {}, 0, 0};
  auto open_columns = [&](std::size_t t) {
    std::size_t count = 0;
    for (std::size_t c = 0; c < tables[t].columns.size(); ++c)
      count += state_->ColumnDone(t, c) ? 0 : 1;
    return count;
  };
  auto add = [&](std::size_t t) {
    for (std::size_t c = 0; c < tables[t].columns.size(); ++c) {
      if (!state_->ColumnDone(t, c)) {
        request.items.push_back(c);
        request.tables.push_back(t);
      }
    }
    walking_[t] = true;
  };
  bool v1 = target_.snmp_auth.version == SnmpAuth::Version::kV1;
  int repetitions = WalkRepetitions(first);
  bool sized = !walked_[first] && last_rows_[first] >= 0;
  add(first);
  walked_[first] = true;

  // Tables whose size the last poll told, starting their walk, share one
  // GETBULK while it asks for no more varbinds than the largest request
  // of one table alone would: one round trip instead of one per table,
  // and no larger a reply.
  if (!v1 && sized && combine_walks_) {
    std::size_t limit = 0;
    for (std::size_t t = first; t < tables.size(); ++t) {
      if (wants_request(t) || t == first) {
        limit = std::max(
            limit, open_columns(t) * static_cast<std::size_t>(repetitions_[t]));
      }
    }
    limit = std::min<std::size_t>(limit, kMaxBulkVarbinds);
    for (std::size_t t = first + 1; t < tables.size(); ++t) {
      if (!wants_request(t) || walked_[t] || last_rows_[t] < 0)
        continue;
      int together = std::max(repetitions, WalkRepetitions(t));
      std::size_t columns = request.items.size() + open_columns(t);
      if (columns * static_cast<std::size_t>(together) > limit)
        continue;
      add(t);
      walked_[t] = true;
      repetitions = together;
    }
  }

  netsnmp_pdu* pdu = snmp_pdu_create(v1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
  if (!v1) {
    int columns = static_cast<int>(request.items.size());
    // GETBULK keeps non-repeaters in errstat, max-repetitions in errindex.
    pdu->errstat = 0;
    pdu->errindex =
        std::max(1, std::min(repetitions, kMaxBulkVarbinds / columns));
  }
  for (std::size_t i = 0; i < request.items.size(); ++i) {
    const Oid& cursor = state_->Cursor(request.tables[i], request.items[i]);
    snmp_add_null_var(pdu, cursor.data(), cursor.size());
  }
  Send(pdu, std::move(request));
  return true;
}

void Poller::SendDetect() {
  netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_GET);
  snmp_add_null_var(pdu, kSysObjectId.data(), kSysObjectId.size());
  snmp_add_null_var(pdu, kSysDescr.data(), kSysDescr.size());
  Send(pdu, {Request::Kind::kDetect, {}, {}, 0, 0});
}

void Poller::OnPdu(int operation, int reqid, netsnmp_pdu* pdu) {
  // net-snmp tells of each retransmission; the request is still out.
  if (operation == NETSNMP_CALLBACK_OP_RESEND) {
    // A v3 retransmission goes out under a new message ID.
    if (auto it = pending_.find(reqid);
        it != pending_.end() && pdu && pdu->version == SNMP_VERSION_3) {
      by_message_.erase(it->second.message_id);
      it->second.message_id = pdu->msgid;
      by_message_[pdu->msgid] = reqid;
    }
    return;
  }
  // A report to a request the agent could not read carries request ID 0;
  // net-snmp matched it by message ID, and so does this.
  auto it = pending_.find(reqid);
  if (it == pending_.end() && pdu && pdu->version == SNMP_VERSION_3) {
    if (auto m = by_message_.find(pdu->msgid); m != by_message_.end()) {
      it = pending_.find(m->second);
    }
  }
  if (it == pending_.end())
    return;  // from a poll that already ended

  // USM reports arrive as received messages or, in net-snmp 5.9, as
  // security errors carrying the report.
  bool report = pdu && pdu->command == SNMP_MSG_REPORT &&
                (operation == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE ||
                 operation == NETSNMP_CALLBACK_OP_SEC_ERROR);
  if (report && snmpv3_get_report_type(pdu) == SNMPERR_NOT_IN_TIME_WINDOW &&
      it->second.kind != Request::Kind::kDiscover) {
    // net-snmp adopts the agent's clock and resends by itself, as long as
    // the request has retries left; it decides on the received-message
    // call that follows the security-error one.
    if (operation == NETSNMP_CALLBACK_OP_SEC_ERROR ||
        ++it->second.time_window_reports <= target_.retries + 1) {
      return;
    }
  }
  Request request = std::move(it->second);
  by_message_.erase(request.message_id);
  pending_.erase(it);
  for (std::size_t table : request.tables)
    walking_[table] = false;

  if (report) {
    answered_ = true;
    return OnReport(request, pdu);
  }
  switch (operation) {
    case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
      answered_ = true;
      if (!pdu)
        return;
      if (request.kind == Request::Kind::kGet)
        return OnGet(request, pdu);
      if (request.kind == Request::Kind::kWalk)
        return OnWalk(request, pdu);
      if (request.kind == Request::Kind::kDetect)
        return OnDetect(pdu);
      if (request.kind == Request::Kind::kProbe)
        return OnProbe(request, pdu);
      Abort(ErrorReason::kProtocol,
            fmt::format("{} answered the SNMPv3 engine discovery without "
                        "a report",
                        target_.address),
            true);
      return;
    case NETSNMP_CALLBACK_OP_TIMED_OUT:
      return OnTimeout(request);
    case NETSNMP_CALLBACK_OP_SEC_ERROR:
      Abort(ErrorReason::kAuth,
            fmt::format("SNMPv3 security processing failed for {}",
                        target_.address),
            false);
      return;
    default:
      Abort(ErrorReason::kConnection,
            fmt::format("the connection to {} failed (net-snmp callback "
                        "operation {})",
                        target_.address, operation),
            true);
  }
}

void Poller::OnReport(Request& request, netsnmp_pdu* pdu) {
  int type = snmpv3_get_report_type(pdu);
  if (request.kind == Request::Kind::kDiscover) {
    std::string error;
    if (!session_->UseEngine(*pdu, error)) {
      Abort(ErrorReason::kAuth, error, true);
    }
    return;
  }
  Abort(ErrorReason::kAuth, ReportMessage(type, target_.snmp_auth.username),
        false);
}

void Poller::OnTimeout(const Request& request) {
  Count(ErrorReason::kTimeout);
  // One lost request of a device that answers costs only its values;
  // a device that never answered is down, and waiting on is pointless.
  if (answered_ && request.kind != Request::Kind::kDiscover &&
      request.kind != Request::Kind::kDetect &&
      request.kind != Request::Kind::kProbe) {
    return;
  }
  bool community = target_.snmp_auth.version != SnmpAuth::Version::kV3;
  error_ = fmt::format(
      "no reply from {} within {} ({} tr{}){}", target_.address,
      Seconds(target_.request_timeout), target_.retries + 1,
      target_.retries == 0 ? "y" : "ies",
      community ? "; device down, or wrong community?" : "; device down?");
  aborted_ = true;
  session_dead_ = true;
}

void Poller::OnGet(Request& request, netsnmp_pdu* pdu) {
  std::vector<std::size_t>& items = request.items;
  if (pdu->errstat == SNMP_ERR_TOOBIG) {
    Count(ErrorReason::kTooBig);
    if (items.size() > 1) {
      auto middle = items.begin() + static_cast<long>(items.size() / 2);
      gets_.PushFront(std::vector<std::size_t>(middle, items.end()));
      gets_.PushFront(std::vector<std::size_t>(items.begin(), middle));
    }
    return;
  }
  if (pdu->errstat != SNMP_ERR_NOERROR) {
    // v1 reports a missing OID as noSuchName; other errors name the bad
    // varbind too. Ask again without it.
    auto bad = static_cast<std::size_t>(pdu->errindex);
    bool optional = pdu->errstat == SNMP_ERR_NOSUCHNAME && bad >= 1 &&
                    bad <= items.size() &&
                    plan_->plan.scalars[items[bad - 1]].optional;
    if (!optional) {
      Count(pdu->errstat == SNMP_ERR_NOSUCHNAME ? ErrorReason::kNoSuchObject
                                                : ErrorReason::kProtocol);
    }
    if (bad >= 1 && bad <= items.size() && items.size() > 1) {
      items.erase(items.begin() + static_cast<long>(bad - 1));
      gets_.PushFront(std::move(items));
    }
    return;
  }
  std::size_t i = 0;
  for (netsnmp_variable_list* var = pdu->variables; var && i < items.size();
       var = var->next_variable, ++i) {
    const Oid& asked = plan_->plan.scalars[items[i]].oid;
    if (Compare(OidView(var->name, var->name_length), asked) != 0) {
      Count(ErrorReason::kDecode);
      continue;
    }
    state_->AddScalar(items[i], FromVariable(*var));
  }
  // A reply with fewer varbinds than asked for: the values it carries
  // are kept, each missing one counts as an error.
  for (; i < items.size(); ++i) {
    Count(ErrorReason::kDecode);
  }
}

void Poller::OnWalk(Request& request, netsnmp_pdu* pdu) {
  const std::vector<std::size_t>& columns = request.items;
  const std::vector<std::size_t>& tables = request.tables;
  // The tables of a request, each once (their columns are adjacent).
  auto each_table = [&](auto&& action) {
    for (std::size_t i = 0; i < tables.size(); ++i) {
      if (i == 0 || tables[i] != tables[i - 1])
        action(tables[i]);
    }
  };
  bool several = !tables.empty() && tables.front() != tables.back();
  if (pdu->errstat == SNMP_ERR_TOOBIG) {
    Count(ErrorReason::kTooBig);
    if (several) {
      // Asked again one table at a time, from now on.
      combine_walks_ = false;
      return;
    }
    std::size_t table = tables.front();
    if (repetitions_[table] > 1) {
      repetitions_[table] /= 2;
    } else {
      state_->EndTable(table);
    }
    return;
  }
  if (pdu->errstat == SNMP_ERR_NOSUCHNAME &&
      target_.snmp_auth.version == SnmpAuth::Version::kV1) {
    // v1's way of saying a GETNEXT ran off the end of the MIB.
    auto bad = static_cast<std::size_t>(pdu->errindex);
    if (bad >= 1 && bad <= columns.size()) {
      state_->EndColumn(tables[bad - 1], columns[bad - 1]);
    } else {
      each_table([&](std::size_t table) { state_->EndTable(table); });
    }
    return;
  }
  if (pdu->errstat != SNMP_ERR_NOERROR) {
    Count(ErrorReason::kProtocol);
    each_table([&](std::size_t table) { state_->EndTable(table); });
    return;
  }

  // Repetitions interleave the columns asked: c1 c2 ... ck c1 c2 ...
  walk_progress_.assign(plan_->plan.tables.size(), false);
  std::size_t i = 0;
  for (netsnmp_variable_list* var = pdu->variables; var;
       var = var->next_variable, ++i) {
    std::size_t k = i % columns.size();
    // Values of a table that stopped (row limit) are passed over.
    auto step = state_->AddTableValue(tables[k], columns[k],
                                      OidView(var->name, var->name_length),
                                      FromVariable(*var));
    if (step == PollState::Step::kMore)
      walk_progress_[tables[k]] = true;
  }
  // An agent that answers without moving any column on would be asked
  // the same thing forever.
  each_table([&](std::size_t table) {
    if (!walk_progress_[table] && !state_->TableDone(table)) {
      Count(ErrorReason::kProtocol);
      state_->EndTable(table);
    }
  });
}

void Poller::OnDetect(netsnmp_pdu* pdu) {
  description_.clear();
  object_id_.clear();
  for (netsnmp_variable_list* var = pdu->variables; var;
       var = var->next_variable) {
    OidView name(var->name, var->name_length);
    RawValue value = FromVariable(*var);
    if (Compare(name, kSysObjectId) == 0 && value.type == ASN_OBJECT_ID) {
      object_id_.assign(value.oid_value.begin(), value.oid_value.end());
    } else if (Compare(name, kSysDescr) == 0) {
      description_ = DecodeText(value);
    }
  }
  if (pdu->errstat != SNMP_ERR_NOERROR || object_id_.empty()) {
    Count(ErrorReason::kNoSuchObject);
  }

  // Profiles that say which subtrees the device must have are checked
  // with one GETNEXT per subtree, batched.
  detected_ = true;
  candidates_ = MatchCandidates(*profiles_, object_id_);
  probes_ = ProbesOf(candidates_);
  answered_probes_.clear();
  probe_queue_.clear();
  std::vector<std::size_t> batch;
  for (std::size_t i = 0; i < probes_.size(); ++i) {
    batch.push_back(i);
    if (batch.size() == kMaxGetVarbinds || i + 1 == probes_.size()) {
      probe_queue_.PushBack(std::move(batch));
      batch.clear();
    }
  }
}

void Poller::SendProbe(std::vector<std::size_t> probes) {
  netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_GETNEXT);
  for (std::size_t i : probes) {
    snmp_add_null_var(pdu, probes_[i].data(), probes_[i].size());
  }
  Send(pdu, {Request::Kind::kProbe, std::move(probes), {}, 0, 0});
}

void Poller::OnProbe(Request& request, netsnmp_pdu* pdu) {
  std::vector<std::size_t>& items = request.items;
  if (pdu->errstat != SNMP_ERR_NOERROR) {
    // v1 says noSuchName for a GETNEXT past the end; that probe has no
    // answer. Ask the rest again.
    auto bad = static_cast<std::size_t>(pdu->errindex);
    if (bad >= 1 && bad <= items.size() && items.size() > 1) {
      items.erase(items.begin() + static_cast<long>(bad - 1));
      probe_queue_.PushFront(std::move(items));
    }
    return;
  }
  std::size_t i = 0;
  for (netsnmp_variable_list* var = pdu->variables; var && i < items.size();
       var = var->next_variable, ++i) {
    const Oid& probe = probes_[items[i]];
    bool exception = var->type == SNMP_NOSUCHOBJECT ||
                     var->type == SNMP_NOSUCHINSTANCE ||
                     var->type == SNMP_ENDOFMIBVIEW;
    if (!exception && IsPrefix(probe, OidView(var->name, var->name_length))) {
      answered_probes_.insert(probe);
    }
  }
}

void Poller::ChooseDetectedProfile() {
  std::shared_ptr<const Profile> profile =
      ChooseProfile(candidates_, answered_probes_);
  plan_warning_.clear();
  if (!profile) {
    // Serving the device's identity keeps it visible on the dashboard
    // while the operator picks or writes a profile.
    plan_warning_ = fmt::format(
        "no profile matches sysObjectID {} (sysDescr \"{}\"); serving "
        "dc_device_info from the MIB-2 system group only; set the "
        "target's profile or add a profile whose match covers it",
        object_id_.empty() ? "<missing>" : FormatOid(object_id_),
        description_.substr(0, 80));
    static const auto fallback = MakeFallbackProfile();
    profile = fallback;
  }
  StartReading(profile);
}

void Poller::Finish() {
  if (!active_)
    return;
  active_ = false;
  deadline_timer_.cancel();
  // Requests still out belong to this poll; their late replies are
  // ignored because they are no longer pending.
  pending_.clear();
  by_message_.clear();

  PollResult result = state_ ? state_->Finish(answered_) : PollResult{};
  if (result.success)
    last_samples_ = result.samples.size();
  if (result.success && rows_plan_ == plan_ && plan_) {
    for (std::size_t t = 0; t < last_rows_.size(); ++t) {
      last_rows_[t] = static_cast<int>(state_->RowCount(t));
    }
  }
  for (const auto& [reason, count] : early_errors_) {
    result.errors[reason] += count;
  }
  result.requests = requests_;
  if (!result.success) {
    result.error =
        !error_.empty() ? error_
        : answered_
            ? fmt::format(
                  "{} answered but none of the OIDs of "
                  "profile '{}' exist there",
                  target_.address, plan_ ? plan_->plan.profile->name : "")
            : fmt::format("no reply from {}", target_.address);
  } else if (!plan_warning_.empty()) {
    result.error = plan_warning_;
  }
  if (reading_info_ && result.success && state_) {
    const std::vector<std::string>& values = state_->info_values();
    bool any = std::any_of(values.begin(), values.end(),
                           [](const std::string& v) { return !v.empty(); });
    if (any) {
      info_cache_ = values;
      info_plan_ = plan_;
      info_read_at_ = std::chrono::steady_clock::now();
    }
  }
  state_.reset();
  if (session_dead_) {
    session_.reset();
    info_plan_.reset();
    if (target_.profile == "auto")
      plan_.reset();
  }

  boost::asio::post(io_, [weak = weak_from_this(), done = std::move(done_),
                          result = std::move(result)]() mutable {
    auto self = weak.lock();
    if (!self || self->stopped_ || !done)
      return;
    done(std::move(result));
  });
  done_ = nullptr;
}

SnmpCollector::SnmpCollector(boost::asio::io_context& io, TargetConfig target,
                             std::shared_ptr<const ProfileSet> profiles,
                             std::shared_ptr<UsmKeyCache> keys)
    : poller_(std::make_shared<Poller>(io, std::move(target),
                                       std::move(profiles), std::move(keys))) {}

SnmpCollector::~SnmpCollector() {
  poller_->Stop();
}

void SnmpCollector::Poll(std::chrono::steady_clock::time_point deadline,
                         Done done) {
  poller_->Poll(deadline, std::move(done));
}

}  // namespace dc::snmp
