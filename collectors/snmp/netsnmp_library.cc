#include "collectors/snmp/netsnmp_library.h"

#include <cstdlib>
#include <mutex>

#include "collectors/snmp/netsnmp.h"

namespace dc::snmp {

void InitNetSnmpLibrary() {
  static std::once_flag once;
  std::call_once(once, [] {
    // These must be set before init_snmp(), which reads configuration,
    // the persistent engine state and MIBs.
    auto set = [](int key) {
      netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, key, 1);
    };
    set(NETSNMP_DS_LIB_DONT_READ_CONFIGS);
    set(NETSNMP_DS_LIB_DONT_PERSIST_STATE);
    set(NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD);
    set(NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE);
    set(NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES);
    set(NETSNMP_DS_LIB_NO_TOKEN_WARNINGS);
    // An empty MIB search path and module list: net-snmp then neither
    // scans directories (which writes .index files) nor parses modules.
    netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "");
    setenv("MIBS", "", 1);
    snmp_disable_log();
    init_snmp("dcagent");
  });
}

}  // namespace dc::snmp
