# central_ingest benchmark: the real HTTP sync path vs the storage interface alone
# (SQLite) and vs COPY (PostgreSQL, central_ingest_pg.c).
# The central harness (tests/central/harness.c, with testdb.c) is compiled in, so the benchmark
# builds without the test suite too.
add_executable(wufei-bench-central-ingest central_ingest.c central_ingest_pg.c
  $<TARGET_OBJECTS:wufei_test_init>
  ${PROJECT_SOURCE_DIR}/tests/central/harness.c ${PROJECT_SOURCE_DIR}/tests/support/testdb.c)
target_include_directories(wufei-bench-central-ingest PRIVATE ${PROJECT_SOURCE_DIR}/tests/central
  ${PROJECT_SOURCE_DIR}/tests/support)
target_link_libraries(wufei-bench-central-ingest PRIVATE wufei_central_ingest wufei_store
  wufei_receipt wufei_record wufei_chain wufei_core PkgConfig::CURL PkgConfig::SQLITE3
  PkgConfig::SODIUM PkgConfig::JANSSON PkgConfig::LIBPQ)
add_dependencies(wufei-bench-central-ingest wufei-central)
