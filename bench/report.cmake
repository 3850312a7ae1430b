# report benchmark: the office's reports on a year of a city's drops (SQLite,
# and PostgreSQL when WUFEI_BENCH_PG names a database: report_pg.c).
add_executable(wufei-bench-report report.c report_pg.c $<TARGET_OBJECTS:wufei_test_init>)
target_link_libraries(wufei-bench-report PRIVATE wufei_report wufei_store wufei_record
  wufei_chain wufei_core PkgConfig::SODIUM PkgConfig::CURL PkgConfig::LIBPQ)
