# wufei_record: libc only. The canonical binary encoding of journal records.
add_library(wufei_record STATIC ${CMAKE_CURRENT_LIST_DIR}/record.c)
target_include_directories(wufei_record PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_record PUBLIC wufei_core)
# wufei_chain: libsodium. BLAKE2b-256 hash chain over canonical records.
add_library(wufei_chain STATIC ${CMAKE_CURRENT_LIST_DIR}/chain.c)
target_include_directories(wufei_chain PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_chain PUBLIC PkgConfig::SODIUM)
