# wufei_sync: the sync client (libcurl), with its own journal connection.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/ledger.c)
  add_library(wufei_sync STATIC ${CMAKE_CURRENT_LIST_DIR}/sync.c)
  target_include_directories(wufei_sync PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(wufei_sync PUBLIC wufei_core wufei_ledger wufei_downsync_apply
    wufei_record wufei_receipt PkgConfig::CURL PkgConfig::JANSSON PkgConfig::SODIUM
    Threads::Threads)
endif()
