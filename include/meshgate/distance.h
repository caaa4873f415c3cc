/*
 * distance.h - how far apart two words are, for "did you mean" (unknown
 * schema keys, mistyped commands and options).
 */
#ifndef MESHGATE_DISTANCE_H
#define MESHGATE_DISTANCE_H

#include <stddef.h>

/*
 * The optimal string alignment distance of a[0..la) and b[0..lb): edits,
 * one character inserted, deleted or replaced, or two adjacent swapped.
 * SIZE_MAX when either is longer than 64 bytes.
 */
size_t mg_edit_distance(const char *a, size_t la, const char *b, size_t lb);

#endif
