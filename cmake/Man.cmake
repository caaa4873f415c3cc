# meshgate_man(TARGET page.N docs/page.md ...) builds man pages from the
# Markdown in docs/ (cmake/md2man.awk) on every build, so the installed
# pages are the docs of the same commit and cannot drift from them.
# The date is SOURCE_DATE_EPOCH's when set (reproducible releases).
find_program(MESHGATE_AWK NAMES awk mawk gawk REQUIRED)
find_program(MESHGATE_GZIP gzip)
string(TIMESTAMP MESHGATE_MAN_DATE "%Y-%m-%d" UTC)

function(meshgate_man target)
  set(outputs)
  set(args ${ARGN})
  list(LENGTH args n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE 0 ${last} 2)
    math(EXPR j "${i} + 1")
    list(GET args ${i} page)
    list(GET args ${j} src)
    set(out ${CMAKE_BINARY_DIR}/man/${page})
    set(outs ${out})
    if(MESHGATE_GZIP)
      list(APPEND outs ${out}.gz)
    endif()
    add_custom_command(OUTPUT ${outs}
      COMMAND ${CMAKE_COMMAND} -DAWK=${MESHGATE_AWK} -DSCRIPT=${CMAKE_SOURCE_DIR}/cmake/md2man.awk
              -DIN=${CMAKE_SOURCE_DIR}/${src} -DOUT=${out}
              -DVERSION=${PROJECT_VERSION} -DDATE=${MESHGATE_MAN_DATE} -DGZIP=${MESHGATE_GZIP}
              -P ${CMAKE_SOURCE_DIR}/cmake/ManRun.cmake
      DEPENDS ${CMAKE_SOURCE_DIR}/${src} ${CMAKE_SOURCE_DIR}/cmake/md2man.awk ${CMAKE_SOURCE_DIR}/cmake/ManRun.cmake
      COMMENT "Generating man page ${page} from ${src}"
      VERBATIM)
    list(APPEND outputs ${outs})
  endforeach()
  add_custom_target(${target} ALL DEPENDS ${outputs})
endfunction()

# meshgate_install_man(page.N ...): the gzip'ed page when gzip exists
function(meshgate_install_man)
  foreach(page ${ARGN})
    string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
    if(MESHGATE_GZIP)
      install(FILES ${CMAKE_BINARY_DIR}/man/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
    else()
      install(FILES ${CMAKE_BINARY_DIR}/man/${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
    endif()
  endforeach()
endfunction()
