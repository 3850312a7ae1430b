# wufei_cardid: keyed BLAKE2b-256 hashes of canonical card ids (libsodium).
# The ids themselves (cardid.c) are pure and live in wufei_core.
add_library(wufei_cardid STATIC ${CMAKE_CURRENT_LIST_DIR}/cardid_hash.c)
target_include_directories(wufei_cardid PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_cardid PUBLIC wufei_core PkgConfig::SODIUM)
