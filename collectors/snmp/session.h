// One net-snmp single-session handle driven from an Asio io_context: its
// socket is watched with an asynchronous wait, its retransmissions and
// request timeouts with a steady timer. Nothing here blocks.
#pragma once

#include <utility>  // before Asio, for Boost 1.74 with GCC 12 in C++23

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collectors/snmp/netsnmp.h"

#include "collectors/common/target.h"
#include "collectors/snmp/usm_keys.h"

namespace dc::snmp {

class Session : public std::enable_shared_from_this<Session> {
 public:
  // Receives what happens to the requests of a session.
  class Handler {
   public:
    virtual ~Handler() = default;
    // A reply, report or timeout for `reqid`, from inside net-snmp's read
    // or timeout processing: it may read `pdu` (valid for this call only)
    // but must not send or destroy the session.
    virtual void OnPdu(int operation, int reqid, netsnmp_pdu* pdu) = 0;
    // After net-snmp finished a read or timeout round; the handler may now
    // send, and may drop its reference to the session.
    virtual void OnSettled() = 0;
  };

  // Opens the session for `target`, sending to `peer` ("udp:ADDRESS:PORT"
  // or "udp6:[ADDRESS]:PORT"), which must name a numeric address: net-snmp
  // resolves a host name with a blocking lookup, so the owner resolves it
  // first (see ResolveSnmpPeer()). For v3 the engine is not probed here
  // (net-snmp's probe blocks): the owner sends MakeDiscoveryPdu() and calls
  // UseEngine() with what comes back. On failure returns nullptr and sets
  // `error`.
  static std::shared_ptr<Session> Open(boost::asio::io_context& io,
                                       const TargetConfig& target,
                                       const std::string& peer,
                                       const UsmMasterKeys& keys,
                                       Handler& handler, std::string& error);

  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sends `pdu` (taking it). Returns the request id, or 0 with `error`
  // set, in which case the pdu is freed.
  int Send(netsnmp_pdu* pdu, std::string& error);

  bool is_v3() const { return v3_; }
  bool engine_known() const;

  // The empty GET that makes a v3 agent report its engine ID.
  static netsnmp_pdu* MakeDiscoveryPdu();
  // Adopts the engine ID of a discovery report and installs the USM user
  // with keys localized to it (computed on first use only).
  bool UseEngine(const netsnmp_pdu& report, std::string& error);
  // Makes sure net-snmp's global USM user table holds this session's keys
  // for its engine: another session for the same engine and user name
  // with other passwords would have replaced them.
  bool EnsureUser(std::string& error);

 private:
  Session(boost::asio::io_context& io, void* handle, int fd, bool v3,
          Handler& handler);

  static int Callback(int operation, netsnmp_session* session, int reqid,
                      netsnmp_pdu* pdu, void* magic);
  void WaitReadable();
  void ArmTimer();
  void OnReadable();
  void OnTimer();

  void* handle_;
  boost::asio::posix::stream_descriptor socket_;
  boost::asio::steady_timer timer_;
  // When timer_ is armed, the time it fires; re-armed only for an earlier
  // time (a timer that fires early finds nothing due and re-arms).
  std::chrono::steady_clock::time_point timer_at_;
  bool timer_armed_ = false;
  int fd_;
  bool v3_;
  Handler* handler_;
  bool waiting_ = false;
  // The localized keys installed for this session's user, to notice when
  // another session replaced them.
  std::vector<unsigned char> local_auth_;
  std::vector<unsigned char> local_priv_;
};

}  // namespace dc::snmp
