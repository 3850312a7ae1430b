# device_reconnect: down-detection and reconnect times of a device thread over
# wufei-devsim (bench/device_reconnect.sh runs it). Uses the test pty shim.
add_executable(device_reconnect device_reconnect.c $<TARGET_OBJECTS:wufei_test_init>
  ${PROJECT_SOURCE_DIR}/tests/devices/devsim_child.c
  $<TARGET_OBJECTS:wufei_pty_shim_obj>)
target_include_directories(device_reconnect PRIVATE ${PROJECT_SOURCE_DIR}/tests/devices
  ${PROJECT_SOURCE_DIR}/tests/support)
target_link_libraries(device_reconnect PRIVATE PkgConfig::SODIUM PkgConfig::CURL wufei_device ${CMAKE_DL_LIBS})
set_target_properties(device_reconnect PROPERTIES ENABLE_EXPORTS ON)
add_dependencies(device_reconnect wufei-devsim)
