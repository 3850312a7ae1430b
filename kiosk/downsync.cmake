# wufei_downsync: the down-sync / fixture JSON document, validated (jansson).
add_library(wufei_downsync STATIC ${CMAKE_CURRENT_LIST_DIR}/downsync.c)
target_include_directories(wufei_downsync PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_downsync PUBLIC wufei_core PRIVATE PkgConfig::JANSSON)

# wufei_downsync_apply: the parsed document into the journal (links the ledger).
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/ledger.c)
  add_library(wufei_downsync_apply STATIC ${CMAKE_CURRENT_LIST_DIR}/downsync_apply.c)
  target_link_libraries(wufei_downsync_apply PUBLIC wufei_downsync wufei_ledger)
endif()
