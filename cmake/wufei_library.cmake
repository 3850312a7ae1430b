# wufei_library(NAME name SOURCES a.c ... INTERFACE a.h ... [PUBLIC lib ...] [PRIVATE lib ...])
#
# One static library per layer, in a folder of its own. The folder is on the
# library's include path only (PRIVATE): what it builds with stays its own.
# Users see the INTERFACE headers alone, linked into
# build/interface/<name>/, which is the library's PUBLIC include directory.
# So a file may include a header of another library only if its target links
# that library: a session file that includes "ledger.h" does not compile
# (tests/layering proves it). Every library is recorded in the global property
# WUFEI_LIBRARIES (the layering and size checks read it).
function(wufei_library)
  cmake_parse_arguments(L "" "NAME" "SOURCES;INTERFACE;PUBLIC;PRIVATE" ${ARGN})
  add_library(${L_NAME} STATIC ${L_SOURCES})
  set(_iface ${CMAKE_BINARY_DIR}/interface/${L_NAME})
  file(MAKE_DIRECTORY ${_iface})
  foreach(_h IN LISTS L_INTERFACE)
    file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR}/${_h} ${_iface}/${_h} SYMBOLIC)
  endforeach()
  target_include_directories(${L_NAME} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} PUBLIC ${_iface})
  target_link_libraries(${L_NAME} PUBLIC ${L_PUBLIC} PRIVATE ${L_PRIVATE})
  set_property(GLOBAL APPEND PROPERTY WUFEI_LIBRARIES ${L_NAME})
endfunction()
