# meshgate_embed(OUT file...) writes a C file holding each input as a
# NUL-terminated byte array, looked up by base name through mg_embedded_find().
# The input list goes through a file so no shell ever sees it.
function(meshgate_embed out)
  set(inputs ${ARGN})
  file(WRITE ${out}.inputs "${inputs}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DLIST=${out}.inputs -P ${CMAKE_SOURCE_DIR}/cmake/EmbedRun.cmake
    DEPENDS ${inputs} ${CMAKE_SOURCE_DIR}/cmake/EmbedRun.cmake
    COMMENT "Embedding rules/ and docs/ files"
    VERBATIM)
endfunction()
