# sync_catchup benchmark: queued drops to fully acknowledged through the kiosk's
# real sync client and a real wufei-central on loopback (bench/sync_catchup.sh).
add_executable(wufei-bench-sync-catchup sync_catchup.c $<TARGET_OBJECTS:wufei_test_init>
  ${PROJECT_SOURCE_DIR}/tests/central/harness.c ${PROJECT_SOURCE_DIR}/tests/support/testdb.c)
target_include_directories(wufei-bench-sync-catchup PRIVATE ${PROJECT_SOURCE_DIR}/tests/central
  ${PROJECT_SOURCE_DIR}/tests/support)
target_link_libraries(wufei-bench-sync-catchup PRIVATE wufei_sync wufei_ledger wufei_record
  wufei_chain wufei_central_ingest wufei_receipt PkgConfig::CURL PkgConfig::LIBPQ
  PkgConfig::SQLITE3 PkgConfig::SODIUM PkgConfig::JANSSON)
add_dependencies(wufei-bench-sync-catchup wufei-central)
