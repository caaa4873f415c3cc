/* buf.c - the growable buffer (see meshgate/buf.h). */
#include "meshgate/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "meshgate/error.h"

char mg_buf__empty[1];

void mg_buf_init(mg_buf *b)
{
	b->ptr = mg_buf__empty;
	b->len = b->cap = 0;
}

void mg_buf_release(mg_buf *b)
{
	if (b->cap)
		free(b->ptr);
	mg_buf_init(b);
}

void mg_buf_clear(mg_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}

int mg_buf_grow(mg_buf *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len)
		return mg_oom();
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->cap ? b->ptr : NULL, cap);
	if (!p)
		return mg_oom();
	if (!b->cap)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int mg_buf_add(mg_buf *b, const void *data, size_t len)
{
	if (mg_buf_grow(b, len) < 0)
		return MG_ENOMEM;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int mg_buf_adds(mg_buf *b, const char *s)
{
	return mg_buf_add(b, s, strlen(s));
}

int mg_buf_addc(mg_buf *b, char c)
{
	return mg_buf_add(b, &c, 1);
}

int mg_buf_vaddf(mg_buf *b, const char *fmt, va_list ap)
{
	/* one formatting pass for what fits a line (nearly everything), two for the rest */
	char line[512];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(line, sizeof line, fmt, cp);
	va_end(cp);
	if (n < 0)
		return MG_EINVALID;
	if ((size_t)n < sizeof line)
		return mg_buf_add(b, line, (size_t)n);
	if (mg_buf_grow(b, (size_t)n) < 0)
		return MG_ENOMEM;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int mg_buf_addf(mg_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = mg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

char *mg_buf_detach(mg_buf *b, size_t *len_out)
{
	if (!b->cap && mg_buf_grow(b, 0) < 0)
		return NULL;
	char *p = b->ptr;
	if (len_out)
		*len_out = b->len;
	mg_buf_init(b);
	return p;
}

int mg_buf_add_json_string(mg_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	if (mg_buf_grow(b, len + 2) < 0)
		return MG_ENOMEM;
	int r = mg_buf_addc(b, '"');
	for (size_t i = 0; i < len && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': r = mg_buf_add(b, "\\\"", 2); break;
		case '\\': r = mg_buf_add(b, "\\\\", 2); break;
		case '\n': r = mg_buf_add(b, "\\n", 2); break;
		case '\r': r = mg_buf_add(b, "\\r", 2); break;
		case '\t': r = mg_buf_add(b, "\\t", 2); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				r = mg_buf_add(b, esc, 6);
			} else {
				r = mg_buf_addc(b, (char)c);
			}
		}
	}
	return r ? r : mg_buf_addc(b, '"');
}

int mg_buf_read_file(mg_buf *b, const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		mg_error_set("cannot open '%s': %s", path, strerror(errno));
		return MG_EIO;
	}
	int r = 0;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b->len + n > max) {
			mg_error_set("'%s' is larger than the limit of %zu bytes", path, max);
			r = MG_ETOOBIG;
			break;
		}
		if ((r = mg_buf_add(b, chunk, n)) < 0)
			break;
	}
	if (r == 0 && ferror(f)) {
		mg_error_set("cannot read '%s': %s", path, strerror(errno));
		r = MG_EIO;
	}
	fclose(f);
	return r;
}
