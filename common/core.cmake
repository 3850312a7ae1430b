# wufei_core: libc only. Error table, catalog (categories, rates, points).
add_library(wufei_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/wf.c
  ${CMAKE_CURRENT_LIST_DIR}/catalog.c)
target_include_directories(wufei_core PUBLIC ${CMAKE_CURRENT_LIST_DIR})
