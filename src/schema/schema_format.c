/*
 * schema_format.c - the `format` values meshgate asserts: "date" (RFC 3339
 * full-date) and "email" (RFC 5321 Mailbox: dot-atom or quoted local part,
 * a host name or address literal as domain).  Other formats are annotations.
 */
#include <string.h>

#include "meshgate/date.h"
#include "schema/schema_int.h"

bool mg_format_date(const char *s, size_t len)
{
	return mg_date_valid(s, len);
}

static bool is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c)) || c >= 0x80; /* UTF-8 (RFC 6531) */
}

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* RFC 5321 4.1.3: a dotted IPv4 address or "IPv6:" and hex digits/colons/dots. */
static bool valid_address_literal(const char *s, size_t n)
{
	if (n > 5 && memcmp(s, "IPv6:", 5) == 0) {
		for (size_t i = 5; i < n; i++)
			if (!strchr("0123456789abcdefABCDEF:.", s[i]) || !s[i])
				return false;
		return true;
	}
	int parts = 0, val = 0, nd = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (nd == 0 || val > 255 || ++parts > 4)
				return false;
			val = nd = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && nd < 3) {
			val = val * 10 + (s[i] - '0');
			nd++;
		} else {
			return false;
		}
	}
	return parts == 4;
}

static bool valid_domain(const char *s, size_t n)
{
	if (n == 0 || n > 253)
		return false;
	if (s[0] == '[')
		return n >= 3 && s[n - 1] == ']' && valid_address_literal(s + 1, n - 2);
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_alnum(c) || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && s[n - 1] != '-';
}

bool mg_format_email(const char *s, size_t len)
{
	const char *at = NULL;
	size_t i;
	if (len == 0 || len > 320)
		return false;
	if (s[0] == '"') {
		/* quoted-string local part */
		for (i = 1; i < len && s[i] != '"'; i++) {
			if (s[i] == '\\' && ++i >= len)
				return false;
			if ((unsigned char)s[i] < 0x20)
				return false;
		}
		if (i + 1 >= len || s[i + 1] != '@')
			return false;
		at = s + i + 1;
	} else {
		for (i = 0; i < len && s[i] != '@'; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '.') {
				if (i == 0 || s[i - 1] == '.')
					return false;
			} else if (!is_atext(c)) {
				return false;
			}
		}
		if (i == 0 || i >= len || s[i - 1] == '.' || i > 64)
			return false;
		at = s + i;
	}
	return valid_domain(at + 1, len - (size_t)(at + 1 - s));
}
