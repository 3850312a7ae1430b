# wufei_receipt: libsodium. Receipt tokens, base32, request signing, key files.
add_library(wufei_receipt STATIC
  ${CMAKE_CURRENT_LIST_DIR}/receipt.c
  ${CMAKE_CURRENT_LIST_DIR}/base32.c
  ${CMAKE_CURRENT_LIST_DIR}/signing.c)
target_include_directories(wufei_receipt PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_receipt PUBLIC wufei_core PkgConfig::SODIUM)
