# central_ingest benchmark: the real HTTP sync path vs the storage interface alone.
# The central harness (tests/central/harness.c, with tests/support/testdb.c) is
# compiled in, so the benchmark builds without the test suite too.
add_executable(wufei-bench-central-ingest central_ingest.c $<TARGET_OBJECTS:wufei_test_init>
  ${PROJECT_SOURCE_DIR}/tests/central/harness.c ${PROJECT_SOURCE_DIR}/tests/support/testdb.c)
target_include_directories(wufei-bench-central-ingest PRIVATE ${PROJECT_SOURCE_DIR}/tests/central
  ${PROJECT_SOURCE_DIR}/tests/support)
target_link_libraries(wufei-bench-central-ingest PRIVATE wufei_central_ingest wufei_store
  wufei_receipt wufei_record wufei_chain wufei_core PkgConfig::CURL PkgConfig::LIBPQ
  PkgConfig::SQLITE3 PkgConfig::SODIUM PkgConfig::JANSSON)
add_dependencies(wufei-bench-central-ingest wufei-central)
