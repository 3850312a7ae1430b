# ledger_commit benchmark: a drop transaction vs a bare insert commit, and on
# a journal pre-filled with 1,000,000 records.
add_executable(wufei-bench-ledger-commit ledger_commit.c $<TARGET_OBJECTS:wufei_test_init>)
target_link_libraries(wufei-bench-ledger-commit PRIVATE PkgConfig::SODIUM PkgConfig::CURL wufei_ledger wufei_chain wufei_record
  PkgConfig::SQLITE3)
