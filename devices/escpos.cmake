# wufei_escpos: ESC/POS receipt encoder (libqrencode draws the raster QR).
add_library(wufei_escpos STATIC ${CMAKE_CURRENT_LIST_DIR}/proto/escpos.c)
target_include_directories(wufei_escpos PUBLIC ${CMAKE_CURRENT_LIST_DIR}/proto)
target_link_libraries(wufei_escpos PRIVATE PkgConfig::QRENCODE)
