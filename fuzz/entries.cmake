# The fuzz targets' entry points (fuzz/targets.c), shared by the libFuzzer
# executables (fuzz/CMakeLists.txt) and the regression test that replays
# fuzz/corpus/ and fuzz/regressions/ in every build (tests/CMakeLists.txt).
#
# The status-body target exists once src/publish/status.c does; while the
# library's source list does not have that file, it is compiled in here.
# The git-index target exists with src/sources/git_index.c (in the library).
set(MESHGATE_FUZZ_STATUS_C ${CMAKE_SOURCE_DIR}/src/publish/status.c)
set(MESHGATE_FUZZ_GIT_INDEX_C ${CMAKE_SOURCE_DIR}/src/sources/git_index.c)

function(meshgate_fuzz_entries target)
  target_sources(${target} PRIVATE ${CMAKE_SOURCE_DIR}/fuzz/targets.c)
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/fuzz)
  if(EXISTS ${MESHGATE_FUZZ_STATUS_C})
    target_compile_definitions(${target} PRIVATE MG_FUZZ_HAVE_STATUS=1)
    get_target_property(lib_sources meshgate_lib SOURCES)
    if(NOT MESHGATE_FUZZ_STATUS_C IN_LIST lib_sources)
      target_sources(${target} PRIVATE ${MESHGATE_FUZZ_STATUS_C})
    endif()
  endif()
  if(EXISTS ${MESHGATE_FUZZ_GIT_INDEX_C})
    target_compile_definitions(${target} PRIVATE MG_FUZZ_HAVE_GIT_INDEX=1)
  endif()
endfunction()
