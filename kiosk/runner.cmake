# wufei_runner: the kiosk's parts wired for a run (cmd_run.c and end-to-end tests).
# Needs the journal (kiosk/ledger.cmake); skipped until it is in the tree.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/ledger.c)
  add_library(wufei_runner STATIC ${CMAKE_CURRENT_LIST_DIR}/runner.c)
  target_include_directories(wufei_runner PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(wufei_runner PUBLIC wufei_session wufei_script wufei_config wufei_device
    wufei_ledger wufei_record wufei_downsync_apply wufei_escpos wufei_receipt wufei_sync
    wufei_cardid PkgConfig::SODIUM)
  target_link_libraries(wufei-kiosk PRIVATE wufei_runner)
  target_compile_definitions(wufei-kiosk PRIVATE WUFEI_HAVE_RUNNER=1)
endif()
