# wufei_config: kiosk.ini + drop-ins through inih.
add_library(wufei_config STATIC ${CMAKE_CURRENT_LIST_DIR}/config.c)
target_include_directories(wufei_config PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_config PUBLIC wufei_core wufei_session wufei_device wufei_receipt
                      PRIVATE PkgConfig::INIH)
