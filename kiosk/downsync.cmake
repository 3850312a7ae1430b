# wufei_downsync: the down-sync / fixture JSON document, validated (jansson).
add_library(wufei_downsync STATIC ${CMAKE_CURRENT_LIST_DIR}/downsync.c)
target_include_directories(wufei_downsync PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_downsync PUBLIC wufei_core PRIVATE PkgConfig::JANSSON)
