# wufei-central: the central store. Libraries: wufei_store (storage interface
# + SQLite backend), wufei_centralcore (ingest, receipt checks, HTTP server),
# and the executable into build/bin.
add_library(wufei_store STATIC
  ${CMAKE_CURRENT_LIST_DIR}/store.c
  ${CMAKE_CURRENT_LIST_DIR}/store_sqlite.c)
target_include_directories(wufei_store PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_store PUBLIC wufei_core PkgConfig::SQLITE3 PkgConfig::SODIUM Threads::Threads)

add_library(wufei_centralcore STATIC
  ${CMAKE_CURRENT_LIST_DIR}/ingest.c
  ${CMAKE_CURRENT_LIST_DIR}/rcheck.c
  ${CMAKE_CURRENT_LIST_DIR}/server.c)
target_link_libraries(wufei_centralcore PUBLIC wufei_store wufei_receipt PkgConfig::JANSSON
  PkgConfig::MHD)
# The ledger part's canonical record codec: with it central decodes every
# record (identity cross-check, points recomputed); without it bytes stay opaque.
if(TARGET wufei_record)
  target_link_libraries(wufei_centralcore PUBLIC wufei_record)
  target_compile_definitions(wufei_centralcore PUBLIC WUFEI_HAVE_RECORD=1)
endif()
if(TARGET wufei_chain)
  target_link_libraries(wufei_centralcore PUBLIC wufei_chain)
  target_compile_definitions(wufei_centralcore PUBLIC WUFEI_HAVE_CHAIN=1)
endif()

add_executable(wufei-central ${CMAKE_CURRENT_LIST_DIR}/main.c)
target_link_libraries(wufei-central PRIVATE wufei_centralcore wufei_cardid)
