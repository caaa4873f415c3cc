/*
 * buf.h - one growable byte buffer, owned by whoever declared it.
 *
 * `ptr` is never NULL (it points at a shared empty string until the first
 * write) and always NUL-terminated.  Release with mg_buf_release(); hand the
 * bytes over with mg_buf_detach(), after which the caller frees them with
 * free().  Appends that fail leave the buffer unchanged and return -1.
 */
#ifndef MESHGATE_BUF_H
#define MESHGATE_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct mg_buf {
	char *ptr;
	size_t len;
	size_t cap;
} mg_buf;

extern char mg_buf__empty[];
#define MG_BUF_INIT { mg_buf__empty, 0, 0 }

void mg_buf_init(mg_buf *b);
/* Frees the storage and returns b to MG_BUF_INIT. */
void mg_buf_release(mg_buf *b);
/* Keeps the storage, sets the length to 0. */
void mg_buf_clear(mg_buf *b);
int mg_buf_grow(mg_buf *b, size_t extra);
int mg_buf_add(mg_buf *b, const void *data, size_t len);
int mg_buf_adds(mg_buf *b, const char *s);
int mg_buf_addc(mg_buf *b, char c);
int mg_buf_addf(mg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int mg_buf_vaddf(mg_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Returns the malloc'd bytes (never NULL on success) and resets b. */
char *mg_buf_detach(mg_buf *b, size_t *len_out);
/* Appends s as a JSON string literal, quotes included. */
int mg_buf_add_json_string(mg_buf *b, const char *s, size_t len);

/*
 * Reads the whole file at path into b, refusing files larger than max bytes.
 * Returns 0, or MG_ETOOBIG / MG_EIO with the error message set.
 */
int mg_buf_read_file(mg_buf *b, const char *path, size_t max);

#endif
