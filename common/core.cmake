# wufei_core: libc only. Error table, catalog (categories, rates, points),
# canonical card ids and hex (cardid.c; their hashes are wufei_cardid's).
add_library(wufei_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/wf.c
  ${CMAKE_CURRENT_LIST_DIR}/catalog.c
  ${CMAKE_CURRENT_LIST_DIR}/cardid.c)
target_include_directories(wufei_core PUBLIC ${CMAKE_CURRENT_LIST_DIR})
