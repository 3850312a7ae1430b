# central_ingest benchmark: the real HTTP sync path vs the storage interface alone.
if(TARGET wufei_centralcore)
  add_executable(wufei-bench-central-ingest
    ${CMAKE_CURRENT_LIST_DIR}/central_ingest.c
    ${PROJECT_SOURCE_DIR}/tests/central/harness.c)
  target_include_directories(wufei-bench-central-ingest PRIVATE ${PROJECT_SOURCE_DIR}/tests/central)
  target_link_libraries(wufei-bench-central-ingest PRIVATE wufei_centralcore PkgConfig::CURL
    PkgConfig::SQLITE3 PkgConfig::SODIUM PkgConfig::JANSSON)
  add_dependencies(wufei-bench-central-ingest wufei-central)
endif()
