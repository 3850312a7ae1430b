# wufei_script: the kiosk's line command language (scripted runs, tests).
add_library(wufei_script STATIC ${CMAKE_CURRENT_LIST_DIR}/script.c)
target_include_directories(wufei_script PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(wufei_script PUBLIC wufei_session)
