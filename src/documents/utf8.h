/* utf8.h - UTF-8 helpers private to the document loaders. */
#ifndef MESHGATE_DOCUMENTS_UTF8_H
#define MESHGATE_DOCUMENTS_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the well-formed UTF-8 sequence at p, or 0 if ill-formed
 * (overlong forms, surrogates and code points above U+10FFFF are ill-formed). */
size_t mg_utf8_valid_prefix(const char *p, size_t avail);
/* Writes cp as UTF-8 to out (room for 4 bytes); returns the byte count. */
size_t mg_utf8_encode(uint32_t cp, char *out);
/* Offset of the first ill-formed byte in data, or len when all is valid. */
size_t mg_utf8_check(const char *data, size_t len);
/* Number of code points in a valid UTF-8 string. */
size_t mg_utf8_length(const char *s, size_t len);

#endif
