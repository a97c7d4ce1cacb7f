#include "collectors/snmp/session.h"

#include <cstring>

#include <boost/asio/posix/descriptor_base.hpp>

#include "collectors/snmp/netsnmp_library.h"
#include "collectors/snmp/usm_protocols.h"

namespace dc::snmp {
namespace {

std::string LastError(void* handle) {
  netsnmp_session* s = handle ? snmp_sess_session(handle) : nullptr;
  int code = s ? s->s_snmp_errno : snmp_errno;
  const char* text = snmp_api_errstring(code);
  return text ? text : "unknown net-snmp error";
}

// One descriptor set for every session of the loop's thread: net-snmp's
// select helpers need a set reaching the session's descriptor, and a set
// per session would cost each of thousands of sessions a bitmap as large
// as the highest descriptor.
netsnmp_large_fd_set& SharedFdSet(int fd) {
  thread_local struct Holder {
    Holder() { netsnmp_large_fd_set_init(&set, 1024); }
    ~Holder() { netsnmp_large_fd_set_cleanup(&set); }
    netsnmp_large_fd_set set;
  } holder;
  if (static_cast<unsigned>(fd) >= holder.set.lfs_setsize)
    netsnmp_large_fd_set_resize(&holder.set, fd + 1024);
  return holder.set;
}

void ReplaceBytes(u_char*& field, std::size_t& length,
                  const unsigned char* data, std::size_t size) {
  free(field);
  field = static_cast<u_char*>(malloc(size ? size : 1));
  if (size)
    std::memcpy(field, data, size);
  length = size;
}

}  // namespace

std::shared_ptr<Session> Session::Open(boost::asio::io_context& io,
                                       const TargetConfig& target,
                                       const std::string& peer,
                                       const UsmMasterKeys& keys,
                                       Handler& handler, std::string& error) {
  InitNetSnmpLibrary();

  netsnmp_session config;
  snmp_sess_init(&config);
  // net-snmp reads "udp:ADDRESS:PORT" itself; the address is numeric, so
  // opening never waits on a name lookup.
  std::string peer_name = peer;
  config.peername = peer_name.data();
  config.retries = target.retries;
  config.timeout =
      static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(
                            target.request_timeout)
                            .count());

  const SnmpAuth& auth = target.snmp_auth;
  std::string community = auth.community.Reveal();
  std::string user = auth.username;
  std::string context = auth.context_name;
  AuthOid auth_oid = AuthProtocolOid(auth.auth_protocol);
  AuthOid priv_oid = PrivProtocolOid(auth.priv_protocol);
  bool v3 = auth.version == SnmpAuth::Version::kV3;
  if (!v3) {
    config.version = auth.version == SnmpAuth::Version::kV1 ? SNMP_VERSION_1
                                                            : SNMP_VERSION_2c;
    config.community = reinterpret_cast<u_char*>(community.data());
    config.community_len = community.size();
  } else {
    config.version = SNMP_VERSION_3;
    config.securityModel = SNMP_SEC_MODEL_USM;
    config.securityName = user.data();
    config.securityNameLen = user.size();
    config.contextName = context.data();
    config.contextNameLen = context.size();
    config.flags |= SNMP_FLAGS_DONT_PROBE;
    config.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
    if (auth.level != SnmpAuth::Level::kNoAuthNoPriv) {
      config.securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
      // net-snmp copies the protocol OIDs into its own session.
      config.securityAuthProto = const_cast<oid*>(auth_oid.value);
      config.securityAuthProtoLen = auth_oid.length;
      std::memcpy(config.securityAuthKey, keys.auth.data(),
                  std::min(keys.auth.size(), sizeof(config.securityAuthKey)));
      config.securityAuthKeyLen = keys.auth.size();
    }
    if (auth.level == SnmpAuth::Level::kAuthPriv) {
      config.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
      config.securityPrivProto = const_cast<oid*>(priv_oid.value);
      config.securityPrivProtoLen = priv_oid.length;
      std::memcpy(config.securityPrivKey, keys.priv.data(),
                  std::min(keys.priv.size(), sizeof(config.securityPrivKey)));
      config.securityPrivKeyLen = keys.priv.size();
    }
  }

  void* handle = snmp_sess_open(&config);
  if (!handle) {
    error = "cannot open an SNMP session to " + target.address + ": " +
            LastError(nullptr);
    return nullptr;
  }
  netsnmp_transport* transport = snmp_sess_transport(handle);
  if (!transport || transport->sock < 0) {
    snmp_sess_close(handle);
    error = "net-snmp opened no socket for " + target.address;
    return nullptr;
  }
  return std::shared_ptr<Session>(
      new Session(io, handle, transport->sock, v3, handler));
}

Session::Session(boost::asio::io_context& io, void* handle, int fd, bool v3,
                 Handler& handler)
    : handle_(handle),
      socket_(io, fd),
      timer_(io),
      fd_(fd),
      v3_(v3),
      handler_(&handler) {}

Session::~Session() {
  // Closing reports outstanding requests to the callback; nobody listens.
  handler_ = nullptr;
  timer_.cancel();
  socket_.release();  // net-snmp owns the socket and closes it
  snmp_sess_close(handle_);
}

int Session::Send(netsnmp_pdu* pdu, std::string& error) {
  int reqid = snmp_sess_async_send(handle_, pdu, &Session::Callback, this);
  if (reqid == 0) {
    error = LastError(handle_);
    snmp_free_pdu(pdu);
    return 0;
  }
  WaitReadable();
  ArmTimer();
  return reqid;
}

int Session::Callback(int operation, netsnmp_session*, int reqid,
                      netsnmp_pdu* pdu, void* magic) {
  auto* self = static_cast<Session*>(magic);
  if (self->handler_)
    self->handler_->OnPdu(operation, reqid, pdu);
  return 1;
}

void Session::WaitReadable() {
  if (waiting_)
    return;
  waiting_ = true;
  socket_.async_wait(
      boost::asio::posix::descriptor_base::wait_read,
      [weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self)
          return;
        self->waiting_ = false;
        if (ec)
          return;
        self->OnReadable();
      });
}

void Session::ArmTimer() {
  int fds = 0;
  int block = 1;
  timeval wait{};
  netsnmp_large_fd_set& set = SharedFdSet(fd_);
  NETSNMP_LARGE_FD_ZERO(&set);
  snmp_sess_select_info2_flags(handle_, &fds, &set, &wait, &block,
                               NETSNMP_SELECT_NOALARMS);
  if (block) {
    // Nothing outstanding. A timer left armed fires once and finds nothing
    // due, which is cheaper than cancelling it after every poll.
    return;
  }
  // Every send and every reply asks again; moving the timer each time
  // would churn the loop's timer queue for the same few deadlines.
  auto at = std::chrono::steady_clock::now() +
            std::chrono::seconds(wait.tv_sec) +
            std::chrono::microseconds(wait.tv_usec);
  if (timer_armed_ && timer_at_ <= at)
    return;
  timer_armed_ = true;
  timer_at_ = at;
  timer_.expires_at(at);
  timer_.async_wait(
      [weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (!self || ec == boost::asio::error::operation_aborted)
          return;
        self->timer_armed_ = false;
        if (!ec)
          self->OnTimer();
      });
}

void Session::OnReadable() {
  netsnmp_large_fd_set& set = SharedFdSet(fd_);
  NETSNMP_LARGE_FD_ZERO(&set);
  NETSNMP_LARGE_FD_SET(fd_, &set);
  snmp_sess_read2(handle_, &set);
  WaitReadable();
  ArmTimer();
  if (handler_)
    handler_->OnSettled();
}

void Session::OnTimer() {
  snmp_sess_timeout(handle_);
  ArmTimer();
  if (handler_)
    handler_->OnSettled();
}

bool Session::engine_known() const {
  return snmp_sess_session(handle_)->securityEngineIDLen > 0;
}

netsnmp_pdu* Session::MakeDiscoveryPdu() {
  // The agent answers an unauthenticated GET from the empty user with a
  // usmStatsUnknownEngineIDs report carrying its engine ID (RFC 3414
  // section 4); net-snmp needs that user in its table to send it.
  if (!usm_get_user(nullptr, 0, "")) {
    struct usmUser* user = usm_create_user();
    if (!user)
      return nullptr;
    user->name = strdup("");
    user->secName = strdup("");
    if (!user->authProtocol) {
      user->authProtocol = snmp_duplicate_objid(usmNoAuthProtocol,
                                                OID_LENGTH(usmNoAuthProtocol));
      user->authProtocolLen = OID_LENGTH(usmNoAuthProtocol);
    }
    if (!user->privProtocol) {
      user->privProtocol = snmp_duplicate_objid(usmNoPrivProtocol,
                                                OID_LENGTH(usmNoPrivProtocol));
      user->privProtocolLen = OID_LENGTH(usmNoPrivProtocol);
    }
    usm_add_user(user);
  }
  netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_GET);
  if (!pdu)
    return nullptr;
  pdu->version = SNMP_VERSION_3;
  pdu->securityName = strdup("");
  pdu->securityNameLen = 0;
  pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
  pdu->securityModel = SNMP_SEC_MODEL_USM;
  return pdu;
}

bool Session::UseEngine(const netsnmp_pdu& report, std::string& error) {
  netsnmp_session* s = snmp_sess_session(handle_);
  if (report.securityEngineIDLen == 0 || !report.securityEngineID) {
    error = "the agent's discovery report carries no engine ID";
    return false;
  }
  ReplaceBytes(s->securityEngineID, s->securityEngineIDLen,
               report.securityEngineID, report.securityEngineIDLen);
  if (s->contextEngineIDLen == 0) {
    ReplaceBytes(s->contextEngineID, s->contextEngineIDLen,
                 report.securityEngineID, report.securityEngineIDLen);
  }
  return EnsureUser(error);
}

bool Session::EnsureUser(std::string& error) {
  netsnmp_session* s = snmp_sess_session(handle_);
  if (!v3_ || s->securityEngineIDLen == 0)
    return true;

  struct usmUser* user = usm_get_user(s->securityEngineID,
                                      s->securityEngineIDLen, s->securityName);
  auto same = [](const u_char* have, std::size_t have_length,
                 const std::vector<unsigned char>& want) {
    // A privacy key may have been extended in place for AES-192/256.
    return have_length >= want.size() &&
           (want.empty() || std::memcmp(have, want.data(), want.size()) == 0);
  };
  bool installed =
      !local_auth_.empty() || s->securityLevel == SNMP_SEC_LEVEL_NOAUTH;
  if (user && installed && same(user->authKey, user->authKeyLen, local_auth_) &&
      same(user->privKey, user->privKeyLen, local_priv_)) {
    return true;
  }

  if (user) {
    usm_remove_user(user);
    usm_free_user(user);
  }
  s->flags &= ~SNMP_FLAGS_USER_CREATED;
  // After the first time, the localized keys are handed over as they are
  // and net-snmp does not derive them again.
  if (!local_auth_.empty()) {
    ReplaceBytes(s->securityAuthLocalKey, s->securityAuthLocalKeyLen,
                 local_auth_.data(), local_auth_.size());
  }
  if (!local_priv_.empty()) {
    ReplaceBytes(s->securityPrivLocalKey, s->securityPrivLocalKeyLen,
                 local_priv_.data(), local_priv_.size());
  }
  if (usm_create_user_from_session(s) != SNMPERR_SUCCESS) {
    error = "net-snmp could not install the SNMPv3 user";
    return false;
  }
  user = usm_get_user(s->securityEngineID, s->securityEngineIDLen,
                      s->securityName);
  if (!user) {
    error = "net-snmp did not install the SNMPv3 user";
    return false;
  }
  if (user->authKey) {
    local_auth_.assign(user->authKey, user->authKey + user->authKeyLen);
  }
  if (user->privKey) {
    local_priv_.assign(user->privKey, user->privKey + user->privKeyLen);
  }
  return true;
}

}  // namespace dc::snmp
