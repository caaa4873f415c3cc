# Script mode: -DAWK= -DSCRIPT= -DIN= -DOUT= -DVERSION= -DDATE=
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(
  COMMAND ${AWK} -v version=${VERSION} -v date=${DATE} -f ${SCRIPT} ${IN}
  OUTPUT_FILE ${OUT}.tmp
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "md2man.awk failed on ${IN}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
# Debian policy and man-db both want installed pages gzip'ed; -n keeps the
# output reproducible (no name or time stamp inside).
if(GZIP)
  execute_process(COMMAND ${GZIP} -9nc ${OUT} OUTPUT_FILE ${OUT}.gz.tmp RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip failed on ${OUT}")
  endif()
  file(RENAME ${OUT}.gz.tmp ${OUT}.gz)
endif()
