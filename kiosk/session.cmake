# wufei_session: the pure session core. Links wufei_core only: no SDL,
# SQLite or serial include path is visible to it.
add_library(wufei_session STATIC ${CMAKE_CURRENT_LIST_DIR}/session.c)
target_include_directories(wufei_session PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_session PUBLIC wufei_core)
