/*
 * main.c - the libFuzzer entry of one target; MG_FUZZ_ENTRY names the
 * function of targets.h it runs (set per executable by fuzz/CMakeLists.txt).
 */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return MG_FUZZ_ENTRY(data, size);
}
