# wufei_transport: serial (libserialport) and TCP byte ports. Only
# transport_serial.c includes <libserialport.h>.
add_library(wufei_transport STATIC
  ${CMAKE_CURRENT_LIST_DIR}/transport.c
  ${CMAKE_CURRENT_LIST_DIR}/transport_serial.c)
target_include_directories(wufei_transport PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_transport PUBLIC wufei_core PRIVATE PkgConfig::SERIALPORT)

# wufei_device: device threads (scale, card reader, printer) with a capped
# event queue; links the protocol adapter (device_proto.c).
add_library(wufei_device STATIC
  ${CMAKE_CURRENT_LIST_DIR}/device.c
  ${CMAKE_CURRENT_LIST_DIR}/device_proto.c)
target_include_directories(wufei_device PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_device PUBLIC wufei_transport wufei_core Threads::Threads
  PRIVATE wufei_proto)
