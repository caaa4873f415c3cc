# One place for compiler warnings, applied per target.
function(meshgate_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes
    -Wmissing-prototypes -Wold-style-definition -Wpointer-arith -Wcast-qual
    -Wwrite-strings -Wvla -Wundef -Wdouble-promotion
    -Wno-unused-parameter)
  if(MESHGATE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
