# cmake/wufei_package.cmake — the .deb packages (CPack DEB, one package per
# install component), built by scripts/package.sh; packaging/README.md says
# what goes where and why, tests/packaging/ checks the result.
#
#   wufei-kiosk    (component kiosk)    the kiosk, its default kiosk.ini, units, udev
#   wufei-central  (component central)  the central server, central.ini, its unit
#   wufei-devsim   (component devsim)   the simulated devices (tests, bench, training)
#   wufei-common   (component Unspecified: po/'s install line has none)
#                  the translations, which the kiosk and central both read: one
#                  file cannot belong to two packages, so both depend on this one.
#
# The binaries' install() lines are in kiosk/, central/ and devices/sim/;
# everything else a package ships is installed here. Every file under /etc
# is a conffile: the list is made from the same lists that install them.

set(_pkg ${PROJECT_SOURCE_DIR}/packaging)
set(_out ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${_out})

# The installed programs read translations from the installed path only; a
# packaged binary that looked in the build folder it came from would use
# that folder on the build machine (common/i18n/CMakeLists.txt).
option(WUFEI_PACKAGE "Build for the .deb packages (scripts/package.sh)" OFF)
if(WUFEI_PACKAGE)
  get_target_property(_defs wufei_i18n COMPILE_DEFINITIONS)
  list(FILTER _defs EXCLUDE REGEX "^WUFEI_BUILD_LOCALEDIR=")
  set_target_properties(wufei_i18n PROPERTIES COMPILE_DEFINITIONS "${_defs}")
endif()

# --- configs under /etc/wufei: conffiles -------------------------------------
set(_etc_kiosk ${_pkg}/etc/kiosk.ini)
set(_etc_central)
if(EXISTS ${_pkg}/etc/central.ini) # helper sysd's file
  set(_etc_central ${_pkg}/etc/central.ini)
endif()
install(FILES ${_etc_kiosk} DESTINATION /etc/wufei COMPONENT kiosk)
install(DIRECTORY DESTINATION /etc/wufei/kiosk.ini.d COMPONENT kiosk)
if(_etc_central)
  install(FILES ${_etc_central} DESTINATION /etc/wufei COMPONENT central)
endif()

# --- users, state folders ----------------------------------------------------
# (the systemd units and udev rules: packaging/systemd.cmake, helper sysd's,
# included from the top CMakeLists.txt)
foreach(_c kiosk central)
  install(FILES ${_pkg}/sysusers/wufei-${_c}.conf DESTINATION lib/sysusers.d COMPONENT ${_c})
  install(FILES ${_pkg}/tmpfiles/wufei-${_c}.conf DESTINATION lib/tmpfiles.d COMPONENT ${_c})
endforeach()

# --- man pages (helper docs writes packaging/man/), gzip -9n -----------------
set(_gz)
foreach(_c kiosk central devsim)
  file(GLOB _man ${_pkg}/man/wufei-${_c}.[1-8])
  foreach(_m ${_man})
    get_filename_component(_name ${_m} NAME)
    string(REGEX REPLACE ".*\\.([1-8])$" "\\1" _sec ${_name})
    add_custom_command(OUTPUT ${_out}/${_name}.gz
      COMMAND gzip -9n -c ${_m} > ${_out}/${_name}.gz
      DEPENDS ${_m} COMMENT "gzip -9n ${_name}")
    list(APPEND _gz ${_out}/${_name}.gz)
    install(FILES ${_out}/${_name}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${_sec}
      COMPONENT ${_c})
  endforeach()
endforeach()

# --- /usr/share/doc/PKG: copyright and the Debian changelog ------------------
string(TIMESTAMP _date "%a, %d %b %Y %H:%M:%S +0000" UTC) # SOURCE_DATE_EPOCH if set
set(WUFEI_PACKAGE_VERSION "" CACHE STRING "The packages' version; empty: the project's")
set(WUFEI_DEB_VERSION ${WUFEI_PACKAGE_VERSION})
if(NOT WUFEI_DEB_VERSION)
  set(WUFEI_DEB_VERSION ${PROJECT_VERSION})
endif()
configure_file(${_pkg}/deb/changelog.in ${_out}/changelog @ONLY)
add_custom_command(OUTPUT ${_out}/changelog.gz
  COMMAND gzip -9n -c ${_out}/changelog > ${_out}/changelog.gz
  DEPENDS ${_out}/changelog COMMENT "gzip -9n changelog")
list(APPEND _gz ${_out}/changelog.gz)
add_custom_target(wufei_package_files ALL DEPENDS ${_gz})
foreach(_p kiosk central devsim common)
  set(_c ${_p})
  if(_p STREQUAL "common")
    set(_c Unspecified)
  endif()
  install(FILES ${_pkg}/deb/copyright ${_out}/changelog.gz
    DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/wufei-${_p} COMPONENT ${_c})
endforeach()

# --- maintainer scripts and conffiles ----------------------------------------
function(_wufei_control comp pkg etcfiles)
  set(_extra)
  set(_conf ${_out}/${pkg}/conffiles)
  file(MAKE_DIRECTORY ${_out}/${pkg})
  if(etcfiles)
    set(_lines)
    foreach(_f ${etcfiles})
      get_filename_component(_n ${_f} NAME)
      string(APPEND _lines "/etc/wufei/${_n}\n")
    endforeach()
    file(WRITE ${_conf} "${_lines}")
    list(APPEND _extra ${_conf})
  endif()
  foreach(_s postinst prerm postrm)
    if(EXISTS ${_pkg}/deb/${pkg}/${_s})
      list(APPEND _extra ${_pkg}/deb/${pkg}/${_s})
    endif()
  endforeach()
  set(CPACK_DEBIAN_${comp}_PACKAGE_CONTROL_EXTRA "${_extra}" PARENT_SCOPE)
endfunction()
_wufei_control(KIOSK wufei-kiosk "${_etc_kiosk}")
_wufei_control(CENTRAL wufei-central "${_etc_central}")
_wufei_control(DEVSIM wufei-devsim "")
_wufei_control(UNSPECIFIED wufei-common "")

# --- CPack DEB ---------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wufei)
set(CPACK_PACKAGE_VERSION ${WUFEI_DEB_VERSION})
set(CPACK_PACKAGE_CONTACT "Wufei maintainers <maintainers@wufei.example>")
set(CPACK_PACKAGE_VENDOR "Wufei project")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL kiosk central devsim Unspecified)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://wufei.example/")
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

set(_common "wufei-common (= ${WUFEI_DEB_VERSION})")
set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME wufei-kiosk)
set(CPACK_DEBIAN_KIOSK_PACKAGE_SECTION misc)
# what shlibdeps cannot see: the CJK font (fontconfig finds it at run time),
# the compositor the unit starts, and what SDL dlopens to draw on Wayland and
# KMS/DRM beyond what libsdl2-2.0-0 depends on (wayland, drm, gbm): EGL, GLES
# and Mesa's EGL and drivers
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS
  "${_common}, fonts-noto-cjk, cage, libegl1, libgles2, libegl-mesa0, libgl1-mesa-dri")
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "systemd-timesyncd | time-daemon, prometheus-node-exporter")
set(CPACK_COMPONENT_KIOSK_DESCRIPTION "Wufei recycling kiosk
The kiosk a resident uses to drop recyclables: it reads the card, weighs
on the scale, prints a receipt with a QR code, keeps every drop in a
signed journal and sends it to wufei-central. Runs under cage (Wayland)
or directly on KMS/DRM; wufei-kiosk(8) and the technician's guide.")

set(CPACK_DEBIAN_CENTRAL_PACKAGE_NAME wufei-central)
set(CPACK_DEBIAN_CENTRAL_PACKAGE_SECTION net)
set(CPACK_DEBIAN_CENTRAL_PACKAGE_DEPENDS "${_common}")
set(CPACK_DEBIAN_CENTRAL_PACKAGE_RECOMMENDS "systemd-timesyncd | time-daemon")
set(CPACK_DEBIAN_CENTRAL_PACKAGE_SUGGESTS "postgresql")
set(CPACK_COMPONENT_CENTRAL_DESCRIPTION "Wufei recycling central server
The server the kiosks sync with: it takes their journals exactly once,
holds residents, rates and points, checks receipts and serves the office
pages. Stores in SQLite or PostgreSQL; see wufei-central(8).")

set(CPACK_DEBIAN_DEVSIM_PACKAGE_NAME wufei-devsim)
set(CPACK_DEBIAN_DEVSIM_PACKAGE_SECTION devel)
set(CPACK_COMPONENT_DEVSIM_DESCRIPTION "Wufei simulated kiosk devices
Simulates a scale, a card reader and a receipt printer on pseudo-terminals,
for training, tests and trying a kiosk without its hardware; see
wufei-devsim(1).")

set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_NAME wufei-common)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_SECTION localization)
set(CPACK_COMPONENT_UNSPECIFIED_DESCRIPTION "Wufei recycling kiosks, shared files
The Chinese and English words the kiosk and the central server show and
print (gettext catalogues), shared by wufei-kiosk and wufei-central.")
include(CPack)
