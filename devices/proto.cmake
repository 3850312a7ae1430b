# wufei_proto: pure device protocol parsers and encoders (libc + wufei_core
# only): scales mt8217, mt-sics, cas-ci200, xk3190-a9 behind scale_parser.h;
# the em4100 card reader. No I/O, no clock, no allocation, no floating point.
add_library(wufei_proto STATIC
  ${CMAKE_CURRENT_LIST_DIR}/proto/scale.c
  ${CMAKE_CURRENT_LIST_DIR}/proto/mt8217.c
  ${CMAKE_CURRENT_LIST_DIR}/proto/mtsics.c
  ${CMAKE_CURRENT_LIST_DIR}/proto/cas_ci200.c
  ${CMAKE_CURRENT_LIST_DIR}/proto/xk3190.c
  ${CMAKE_CURRENT_LIST_DIR}/proto/scale_parser.c
  ${CMAKE_CURRENT_LIST_DIR}/proto/card.c
  ${CMAKE_CURRENT_LIST_DIR}/proto/em4100.c)
target_include_directories(wufei_proto PUBLIC ${CMAKE_CURRENT_LIST_DIR}/proto)
target_link_libraries(wufei_proto PUBLIC wufei_core)
