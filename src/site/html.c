/*
 * html.c - escaping for every context a catalogue string can land in, and
 * the frame every page shares.  Nothing from the catalogue is ever written
 * without going through one of these.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "meshgate/error.h"
#include "site/site_int.h"

int site_html(mg_buf *b, const char *s)
{
	if (!s)
		return 0;
	const char *run = s;
	for (const char *c = s; *c; c++) {
		const char *rep = NULL;
		switch (*c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (mg_buf_add(b, run, (size_t)(c - run)) < 0 || mg_buf_adds(b, rep) < 0)
			return -1;
		run = c + 1;
	}
	return mg_buf_adds(b, run);
}

int site_htmlf(mg_buf *b, const char *fmt, ...)
{
	mg_buf tmp = MG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = mg_buf_vaddf(&tmp, fmt, ap);
	va_end(ap);
	if (r == 0)
		r = site_html(b, tmp.ptr);
	mg_buf_release(&tmp);
	return r;
}

int site_json_str(mg_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (mg_buf_addc(b, '"') < 0)
		return -1;
	for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
		int r;
		if (*c == '"' || *c == '\\') {
			char e[3] = { '\\', (char)*c, 0 };
			r = mg_buf_adds(b, e);
		} else if (*c < 0x20 || *c == '<' || *c == '>' || *c == '&') {
			/* "</script>" and "<!--" cannot end or bend the script element */
			char e[7] = { '\\', 'u', '0', '0', hex[*c >> 4], hex[*c & 15], 0 };
			r = mg_buf_adds(b, e);
		} else if (c[0] == 0xe2 && c[1] == 0x80 && (c[2] == 0xa8 || c[2] == 0xa9)) {
			/* U+2028/U+2029 end a line in older JavaScript */
			r = mg_buf_adds(b, c[2] == 0xa8 ? "\\u2028" : "\\u2029");
			c += 2;
		} else {
			r = mg_buf_addc(b, (char)*c);
		}
		if (r < 0)
			return -1;
	}
	return mg_buf_addc(b, '"');
}

int site_segment(mg_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		bool keep = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			    *c == '_' || *c == '-' || (*c == '.' && c != (const unsigned char *)s);
		int r = keep ? mg_buf_addc(b, (char)*c)
			     : mg_buf_add(b, (char[]){ '~', hex[*c >> 4], hex[*c & 15] }, 3);
		if (r < 0)
			return -1;
	}
	return *s ? 0 : mg_buf_adds(b, "~");
}

int site_html_trunc(mg_buf *b, const char *s, size_t max)
{
	size_t n = 0, i = 0;
	if (!s)
		return 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			break;
	if (!s[i])
		return site_html(b, s);
	mg_buf cut = MG_BUF_INIT;
	int r = mg_buf_add(&cut, s, i);
	if (r == 0)
		r = site_html(b, cut.ptr);
	if (r == 0)
		r = mg_buf_adds(b, "\xe2\x80\xa6");
	mg_buf_release(&cut);
	return r;
}

int site_page_begin(site *s, const char *title, const char *up, const char *page_class)
{
	mg_buf *b = &s->page;
	mg_buf_clear(b);
	int r = mg_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
			       "style-src 'self'; script-src 'self'; img-src 'self' data:\">\n<title>");
	r |= site_html(b, title);
	r |= mg_buf_adds(b, " \xe2\x80\x93 ");
	r |= site_html(b, s->title);
	r |= mg_buf_addf(b, "</title>\n<link rel=\"stylesheet\" href=\"%sassets/site.css\">\n</head>\n"
			    "<body class=\"%s\">\n<header class=\"top\"><a class=\"home\" href=\"%sindex.html\">",
			 up, page_class, up);
	r |= site_html(b, s->title);
	r |= mg_buf_adds(b, "</a><nav>");
	for (size_t i = 0; i < s->nenvs; i++) {
		r |= mg_buf_addf(b, "<a href=\"%s%s\">lineage: ", up, s->envs[i].href);
		r |= site_html(b, s->envs[i].name);
		r |= mg_buf_adds(b, "</a>");
	}
	r |= mg_buf_addf(b, "<a href=\"%sscores.json\">scores.json</a></nav></header>\n<main>\n", up);
	return r ? mg_oom() : 0;
}

int site_page_end(site *s, const char *up)
{
	mg_buf *b = &s->page;
	int r = mg_buf_adds(b, "</main>\n<footer>Built by meshgate " MESHGATE_VERSION " from ");
	r |= site_html(b, s->origin);
	r |= mg_buf_adds(b, "; clearances judged on ");
	r |= site_html(b, s->today);
	r |= mg_buf_adds(b, ".</footer>\n");
	r |= mg_buf_addf(b, "<script src=\"%sassets/site.js\"></script>\n</body>\n</html>\n", up);
	return r ? mg_oom() : 0;
}
