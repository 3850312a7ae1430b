# wufei_cardid: canonical card ids and their keyed BLAKE2b-256 hashes (libsodium).
add_library(wufei_cardid STATIC ${CMAKE_CURRENT_LIST_DIR}/cardid.c)
target_include_directories(wufei_cardid PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_cardid PUBLIC wufei_core PkgConfig::SODIUM)
