# Test support for the real libserialport path over ptys (tests/support/pty_shim.c):
#   wufei_pty_shim_obj  objects to link into a test binary (with ENABLE_EXPORTS)
#   wufei_pty_shim      build/lib/libwufei_pty_shim.so for LD_PRELOAD
# Never linked into a shipped program.
add_library(wufei_pty_shim_obj OBJECT ${PROJECT_SOURCE_DIR}/tests/support/pty_shim.c)
add_library(wufei_pty_shim MODULE ${PROJECT_SOURCE_DIR}/tests/support/pty_shim.c)
set_target_properties(wufei_pty_shim PROPERTIES PREFIX "lib")
target_include_directories(wufei_pty_shim_obj PUBLIC ${PROJECT_SOURCE_DIR}/tests/support)
target_include_directories(wufei_pty_shim PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
target_link_libraries(wufei_pty_shim PRIVATE ${CMAKE_DL_LIBS})

# wufei-devsim: simulated devices on ptys (see devices/sim/sim_main.c).
add_executable(wufei-devsim
  ${CMAKE_CURRENT_LIST_DIR}/sim/sim_main.c
  ${CMAKE_CURRENT_LIST_DIR}/sim/sim_scale.c
  ${CMAKE_CURRENT_LIST_DIR}/sim/sim_card.c
  ${CMAKE_CURRENT_LIST_DIR}/sim/sim_printer.c
  ${CMAKE_CURRENT_LIST_DIR}/sim/sim_png.c
  ${CMAKE_CURRENT_LIST_DIR}/sim/sim_parse.c)
target_link_libraries(wufei-devsim PRIVATE wufei_device wufei_core PkgConfig::JANSSON PkgConfig::QRENCODE
  PkgConfig::PNG)
