// The recorded walks the conformance test polls, with the profile each one
// is read with and the profile `profile = "auto"` must choose for it.
#pragma once

#include <string_view>

namespace dc::conformance {

struct WalkCase {
  std::string_view walk;  // NAME of NAME.snmprec in the corpus
  // The profile the walk is polled with for coverage. Equal to
  // auto_profile when sysObjectID identifies the family; a profile named
  // on the target when it cannot (net-snmp's generic Linux sysObjectID,
  // 0.0, enterprises.0, the UCD-SNMP one).
  std::string_view profile;
  // What profile = "auto" chooses; "mib2-system" is the engine's fallback
  // when no profile's match covers the sysObjectID.
  std::string_view auto_profile;
  // Why a poll of this walk may fail, when the recording lacks every OID
  // the profile reads; empty when the poll must succeed.
  std::string_view may_fail = {};
};

inline constexpr WalkCase kWalkCases[] = {
    {"akcp_serverprobe8", "akcp", "akcp"},
    {"apc-mgeups_galaxy7000", "mge-ups", "mge-ups"},
    {"apc-netbotz_netbotz750", "apc-netbotz", "apc-netbotz"},
    {"apc_ap8959eu3", "apc-pdu", "apc-pdu"},
    {"apc_ats", "apc-ats", "apc-ats"},
    {"apc_inrow-dx", "apc-inrow-dx", "apc-inrow-dx"},
    {"apc_smt750x-nmc2", "apc-ups", "apc-ups"},
    {"apc_symmetralx", "apc-ups", "apc-ups"},
    {"avtech_roomalert12e", "avtech-roomalert12e", "avtech-roomalert12e"},
    {"cyberpower", "cyberpower-ups", "cyberpower-ups"},
    {"dantherm-os", "dantherm", "dantherm"},
    {"dell-powervault_me4084", "dell-powervault-me", "dell-powervault-me"},
    {"deltaups", "delta-ups", "delta-ups"},
    {"drac_r640", "dell-idrac", "dell-idrac"},
    {"eaton-mgeups_9pxle", "eaton-mge-ups", "eaton-mge-ups"},
    {"eatonpdu_2", "eaton-pdu", "eaton-pdu"},
    {"eatonups", "eaton-ups", "eaton-ups"},
    {"generex-ups_cs141", "ups-generic", "ups-generic"},
    {"hpe-ilo_4", "hpe-ilo", "hpe-ilo"},
    {"janitza-umg96_umg96", "janitza-umg96", "janitza-umg96"},
    {"liebert_apm", "liebert", "liebert"},
    {"liebert_mph2rg", "liebert", "liebert"},
    {"liebert_weblbds", "liebert", "liebert"},
    {"linux_powermon", "net-snmp-linux", "net-snmp-linux"},
    {"linux_ups-nut", "nut-extend", "net-snmp-linux",
     "auto picks net-snmp-linux, whose lm-sensors OIDs the walk lacks"},
    {"netvision-rfc", "socomec-netvision", "net-snmp-linux",
     "auto picks net-snmp-linux, whose lm-sensors OIDs the walk lacks"},
    {"nimbleos", "nimble", "nimble"},
    {"packetpower-eg", "packetpower", "packetpower"},
    {"pcoweb-rittal-lcp-3311_lcp-dx-3311", "rittal-lcp-dx", "rittal-lcp-dx"},
    {"poweralert_pdu", "tripplite-pdu", "tripplite-pdu"},
    {"raritan-pdu_px3", "raritan-pdu", "raritan-pdu"},
    {"rittal-cmc-iii-pu_compact", "rittal-cmc3", "rittal-cmc3"},
    {"schleifenbauer_dpm27e", "schleifenbauer-pdu", "schleifenbauer-pdu"},
    {"sentry4", "sentry4", "sentry4"},
    {"spectracool", "spectracool", "spectracool"},
    {"stulz_wib8000", "stulz-wib", "stulz-wib"},
    {"supermicro-bmc_x11", "supermicro-bmc", "supermicro-bmc"},
    {"vertiv-pdu_mn03edr1", "vertiv-pdu", "vertiv-pdu"},
    // Last on purpose: in this suite snmpsim 0.4.5 stops answering, at
    // full CPU, after a GETBULK on this walk's PDU table (seen with strace:
    // the request is read, no reply is sent), and the walks polled after
    // it then time out. dcagent --once polls the same walk with both
    // profiles in under 0.1 s against a fresh snmpsim; the cause inside
    // snmpsim is not understood yet.
    {"vertiv-dcs", "vertiv-rdu", "mib2-system",
     "snmpsim leaves requests unanswered on this walk in the suite"},
};

}  // namespace dc::conformance
