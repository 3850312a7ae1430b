# wufei_add_test(NAME name SOURCES a.c b.c LIBS lib... [LABELS ...] [TIMEOUT s] [ENV K=V ...] [PG])
# Builds a cmocka (or plain) test executable into build/tests/ and registers
# it with ctest. PG: a storage test (its databases from testdb.h) registered
# twice: NAME on SQLite and NAME_pg on the throwaway PostgreSQL of the ctest
# fixture "pg" (tests/pg), labelled "pg" too. Loop-heavy tests read WUFEI_LOOP_SCALE (percent of the full
# count): 100 normally, WUFEI_SANITIZE_LOOP_PERCENT under sanitizers.
set(WUFEI_SANITIZE_LOOP_PERCENT 20 CACHE STRING "Loop count percent under sanitizers")
if(WUFEI_SANITIZE)
  set(WUFEI_LOOP_PERCENT ${WUFEI_SANITIZE_LOOP_PERCENT})
else()
  set(WUFEI_LOOP_PERCENT 100)
endif()

# Every test and benchmark program starts libsodium and libcurl before main
# (tests/support/test_init.c), as each program's main does.
add_library(wufei_test_init OBJECT ${PROJECT_SOURCE_DIR}/tests/support/test_init.c)
target_link_libraries(wufei_test_init PUBLIC PkgConfig::SODIUM PkgConfig::CURL)

function(wufei_add_test)
  cmake_parse_arguments(T "PG" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENV;ARGS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES} $<TARGET_OBJECTS:wufei_test_init>)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} PkgConfig::CMOCKA PkgConfig::SODIUM
    PkgConfig::CURL)
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(NOT T_LABELS)
    set(T_LABELS fast)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES
    TIMEOUT ${T_TIMEOUT}
    LABELS "${T_LABELS}"
    ENVIRONMENT "WUFEI_LOOP_PERCENT=${WUFEI_LOOP_PERCENT};WUFEI_BIN_DIR=${CMAKE_BINARY_DIR}/bin;WUFEI_SOURCE_DIR=${PROJECT_SOURCE_DIR};CMOCKA_MESSAGE_OUTPUT=stdout;${T_ENV}")
  if(T_PG)
    target_link_libraries(${T_NAME} PRIVATE wufei_testdb)
    add_test(NAME ${T_NAME}_pg COMMAND ${T_NAME} ${T_ARGS})
    set_tests_properties(${T_NAME}_pg PROPERTIES
      TIMEOUT ${T_TIMEOUT}
      LABELS "${T_LABELS};pg"
      FIXTURES_REQUIRED pg
      ENVIRONMENT "WUFEI_TEST_PG=${WUFEI_PG_DIR};WUFEI_LOOP_PERCENT=${WUFEI_LOOP_PERCENT};WUFEI_BIN_DIR=${CMAKE_BINARY_DIR}/bin;WUFEI_SOURCE_DIR=${PROJECT_SOURCE_DIR};CMOCKA_MESSAGE_OUTPUT=stdout;${T_ENV}")
  endif()
endfunction()

# The throwaway PostgreSQL the _pg twins share (tests/pg/pg-cluster.sh).
set(WUFEI_PG_DIR ${CMAKE_BINARY_DIR}/pgtest)
