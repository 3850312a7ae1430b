# The systemd units (packaging/systemd/) and the udev rules
# (packaging/udev/), for the .deb packages (COMPONENT kiosk / central).
# Debian 12 keeps system units in /lib/systemd/system and udev rules in
# /lib/udev/rules.d (not /usr/lib: dpkg's aliasing rules); the paths are
# absolute on purpose, and cache variables so a test install can move them.
set(WUFEI_SYSTEMD_UNITDIR "/lib/systemd/system" CACHE PATH "where the systemd units go")
set(WUFEI_UDEV_RULESDIR "/lib/udev/rules.d" CACHE PATH "where the udev rules go")

install(FILES
  ${CMAKE_CURRENT_LIST_DIR}/systemd/wufei-kiosk.service
  ${CMAKE_CURRENT_LIST_DIR}/systemd/wufei-kiosk-kmsdrm.service
  DESTINATION ${WUFEI_SYSTEMD_UNITDIR} COMPONENT kiosk)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/systemd/wufei-central.service
  DESTINATION ${WUFEI_SYSTEMD_UNITDIR} COMPONENT central)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/udev/60-wufei.rules
  DESTINATION ${WUFEI_UDEV_RULESDIR} COMPONENT kiosk)
