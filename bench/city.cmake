# city_load benchmark: 2,000 simulated kiosks syncing into two centrals on one
# database (bench/city_load.sh, PostgreSQL); its smoke run (50 kiosks, a few
# seconds) is a ctest on the test cluster so it cannot rot.
add_executable(wufei-bench-city-load city_load.c $<TARGET_OBJECTS:wufei_test_init>
  ${PROJECT_SOURCE_DIR}/tests/central/harness.c ${PROJECT_SOURCE_DIR}/tests/support/testdb.c)
target_include_directories(wufei-bench-city-load PRIVATE ${PROJECT_SOURCE_DIR}/tests/central
  ${PROJECT_SOURCE_DIR}/tests/support)
target_link_libraries(wufei-bench-city-load PRIVATE wufei_central_ingest wufei_store
  wufei_receipt wufei_record wufei_chain wufei_core PkgConfig::CURL PkgConfig::SQLITE3
  PkgConfig::SODIUM PkgConfig::JANSSON PkgConfig::LIBPQ Threads::Threads)
add_dependencies(wufei-bench-city-load wufei-central)
if(WUFEI_TESTS)
  add_test(NAME city_load_smoke COMMAND wufei-bench-city-load --smoke)
  set_tests_properties(city_load_smoke PROPERTIES LABELS "bench-smoke;pg" FIXTURES_REQUIRED pg
    TIMEOUT 300
    ENVIRONMENT "WUFEI_TEST_PG=${WUFEI_PG_DIR};WUFEI_BIN_DIR=${CMAKE_BINARY_DIR}/bin;WUFEI_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endif()
