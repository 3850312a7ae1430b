# wufei_ledger: the kiosk journal (SQLite) on the canonical record encoding
# and the hash chain.
add_library(wufei_ledger STATIC ${CMAKE_CURRENT_LIST_DIR}/ledger.c)
target_include_directories(wufei_ledger PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_ledger PUBLIC wufei_core wufei_record wufei_chain PkgConfig::SQLITE3)
# `wufei-kiosk ledger init|verify|dump` (cmd_ledger.c); dump prints JSON lines.
target_link_libraries(wufei-kiosk PRIVATE wufei_ledger PkgConfig::JANSSON)
