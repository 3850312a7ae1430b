# wufei_wedge: keyboard-wedge card readers (pure burst detector, libc +
# wufei_core for canonical card ids).
add_library(wufei_wedge STATIC ${CMAKE_CURRENT_LIST_DIR}/proto/wedge.c)
target_include_directories(wufei_wedge PUBLIC ${CMAKE_CURRENT_LIST_DIR}/proto)
target_link_libraries(wufei_wedge PUBLIC wufei_core)
