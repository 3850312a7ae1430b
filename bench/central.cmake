# central_ingest benchmark: the real HTTP sync path vs the storage interface alone.
add_executable(wufei-bench-central-ingest central_ingest.c $<TARGET_OBJECTS:wufei_test_init>
  ${PROJECT_SOURCE_DIR}/tests/central/harness.c)
target_include_directories(wufei-bench-central-ingest PRIVATE ${PROJECT_SOURCE_DIR}/tests/central)
target_link_libraries(wufei-bench-central-ingest PRIVATE PkgConfig::SODIUM PkgConfig::CURL wufei_centralcore wufei_record
  wufei_chain PkgConfig::CURL PkgConfig::SQLITE3 PkgConfig::SODIUM PkgConfig::JANSSON)
add_dependencies(wufei-bench-central-ingest wufei-central)
