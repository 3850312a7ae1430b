# wufei_transport: serial (libserialport) and TCP byte ports. Only
# transport_serial.c includes <libserialport.h>.
add_library(wufei_transport STATIC
  ${CMAKE_CURRENT_LIST_DIR}/transport.c
  ${CMAKE_CURRENT_LIST_DIR}/transport_serial.c)
target_include_directories(wufei_transport PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_transport PUBLIC wufei_core PRIVATE PkgConfig::SERIALPORT)
