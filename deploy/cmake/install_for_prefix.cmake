# Runs at install time, when CMAKE_INSTALL_PREFIX is final (cpack sets it
# to the packaging prefix /usr). Installs the files that name absolute
# paths: the configuration, in the system configuration folder (/etc for
# the prefix /usr, PREFIX/etc otherwise, as GNUInstallDirs decides), and
# the systemd units, rewritten to run PREFIX/bin/dcagent with that
# configuration folder.
#
# Set by the caller: DC_DEPLOY_SOURCE (deploy/), DC_DEPLOY_WORK (a build
# folder), DC_BINDIR (relative to the prefix), DC_SYSTEMD_UNIT_DIR (empty:
# automatic), DC_EXAMPLE_CONFIG (may not exist).

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(etc /etc)
  set(units /lib/systemd/system)
else()
  set(etc "${CMAKE_INSTALL_PREFIX}/etc")
  set(units "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
if(DC_SYSTEMD_UNIT_DIR)
  set(units "${DC_SYSTEMD_UNIT_DIR}")
  if(NOT IS_ABSOLUTE "${units}")
    set(units "${CMAKE_INSTALL_PREFIX}/${units}")
  endif()
endif()

# One work folder per destination: installs may run at the same time.
string(MD5 destination "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(work "${DC_DEPLOY_WORK}/${destination}")
file(MAKE_DIRECTORY "${work}")
foreach(unit dcagent.service dcagent@.service)
  file(READ "${DC_DEPLOY_SOURCE}/systemd/${unit}" text)
  string(REPLACE "/usr/bin/dcagent"
         "${CMAKE_INSTALL_PREFIX}/${DC_BINDIR}/dcagent" text "${text}")
  string(REPLACE "/etc/dcagent/" "${etc}/dcagent/" text "${text}")
  file(WRITE "${work}/${unit}" "${text}")
  file(INSTALL "${work}/${unit}" DESTINATION "${units}")
endforeach()

if(EXISTS "${DC_EXAMPLE_CONFIG}")
  file(INSTALL "${DC_EXAMPLE_CONFIG}" DESTINATION "${etc}/dcagent"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
endif()
