# ledger_commit benchmark: a drop transaction vs a bare insert commit, and on
# a journal pre-filled with 1,000,000 records.
add_executable(wufei-bench-ledger-commit ${CMAKE_CURRENT_LIST_DIR}/ledger_commit.c)
target_link_libraries(wufei-bench-ledger-commit PRIVATE wufei_ledger PkgConfig::SQLITE3)
