/*
 * ini.c - a strict reader of AWS credentials and config files (see
 * mg_aws_ini_get in meshgate/aws.h).
 *
 * The grammar, line by line (LF or CRLF):
 *   blank, or a first non-blank '#' or ';'    a comment
 *   [ name ]                                   a section; runs of blanks inside
 *                                              the name count as one space
 *   key = value                                blanks around both trimmed; the key
 *                                              is matched without regard to case
 *   an indented line after "key ="            a nested setting (the config file's
 *                                              "s3 =" blocks): read over, not looked up
 * Anything else, a key before the first section, a key twice in the wanted
 * section or that section twice is malformed.  The whole text is checked,
 * so a typo further down is reported rather than ignored.  Messages give
 * the line number and the key, never a value (values are secrets).
 */
#include "aws/aws_int.h"

#include <string.h>
#include <strings.h>

#include "meshgate/error.h"

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* s[0..n) trimmed of blanks. */
static void trim(const char **s, size_t *n)
{
	while (*n && blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && blank((*s)[*n - 1]))
		(*n)--;
}

/* Compares a section name with blank runs collapsed to the wanted name. */
static bool section_is(const char *s, size_t n, const char *want)
{
	size_t i = 0;
	while (i < n) {
		if (blank(s[i])) {
			while (i < n && blank(s[i]))
				i++;
			if (*want++ != ' ')
				return false;
			continue;
		}
		if (*want++ != s[i++])
			return false;
	}
	return *want == '\0';
}

static int parse_error(const char *name, size_t line, const char *what)
{
	if (name)
		mg_error_set("'%s' line %zu: %s", name, line, what);
	else
		mg_error_set("line %zu: %s", line, what);
	return MG_EPARSE;
}

int mg_aws__ini_get(const char *text, size_t len, const char *name, const char *section, const char *key,
		    char *out, size_t cap)
{
	bool in_section = false, any_section = false, found = false, seen_section = false, nested_ok = false;
	const char *val = NULL;
	size_t vlen = 0, line = 0;

	if (cap)
		out[0] = '\0';
	if (len > MG_AWS__INI_MAX) {
		if (name)
			mg_error_set("'%s' is larger than %d bytes", name, MG_AWS__INI_MAX);
		else
			mg_error_set("the file is larger than %d bytes", MG_AWS__INI_MAX);
		return MG_ETOOBIG;
	}
	for (size_t i = 0; i < len;) {
		const char *s = text + i;
		const char *nl = memchr(s, '\n', len - i);
		size_t n = nl ? (size_t)(nl - s) : len - i;
		i += n + 1;
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (n > MG_AWS__INI_LINE_MAX)
			return parse_error(name, line, "the line is longer than 8192 bytes");
		if (memchr(s, '\0', n) || memchr(s, '\r', n))
			return parse_error(name, line, "the line has a NUL or CR character");
		bool indented = n && blank(s[0]);
		trim(&s, &n);
		if (!n || s[0] == '#' || s[0] == ';')
			continue;
		if (indented && nested_ok)
			continue; /* a nested setting of the key above */
		if (indented)
			return parse_error(name, line, "an indented line that continues nothing");
		nested_ok = false;
		if (s[0] == '[') {
			const char *close = memchr(s, ']', n);
			if (!close)
				return parse_error(name, line, "a section header without ']'");
			const char *rest = close + 1;
			size_t rn = n - (size_t)(rest - s);
			trim(&rest, &rn);
			if (rn && rest[0] != '#' && rest[0] != ';')
				return parse_error(name, line, "text after a section header");
			const char *sn = s + 1;
			size_t snl = (size_t)(close - sn);
			trim(&sn, &snl);
			if (!snl || memchr(sn, '[', snl))
				return parse_error(name, line, "an empty or malformed section name");
			any_section = true;
			in_section = section_is(sn, snl, section);
			if (in_section) {
				if (seen_section)
					return parse_error(name, line, "the section is there twice");
				seen_section = true;
			}
			continue;
		}
		const char *eq = memchr(s, '=', n);
		if (!eq)
			return parse_error(name, line, "expected 'key = value', '[section]' or a comment");
		if (!any_section)
			return parse_error(name, line, "a setting before the first [section]");
		const char *k = s;
		size_t kn = (size_t)(eq - s);
		trim(&k, &kn);
		if (!kn)
			return parse_error(name, line, "a setting without a key");
		for (size_t j = 0; j < kn; j++)
			if (blank(k[j]) || (unsigned char)k[j] < 0x20)
				return parse_error(name, line, "a key with a blank in it");
		const char *v = eq + 1;
		size_t vn = n - (size_t)(v - s);
		trim(&v, &vn);
		nested_ok = vn == 0;
		if (in_section && strlen(key) == kn && strncasecmp(k, key, kn) == 0) {
			if (found) {
				if (name)
					mg_error_set("'%s' line %zu: '%s' is set twice in [%s]", name, line, key, section);
				else
					mg_error_set("line %zu: '%s' is set twice in [%s]", line, key, section);
				return MG_EPARSE;
			}
			found = true;
			val = v;
			vlen = vn;
		}
	}
	if (!found) {
		if (name)
			mg_error_set("'%s' has no '%s' in [%s]", name, key, section);
		else
			mg_error_set("no '%s' in [%s]", key, section);
		return MG_ENOTFOUND;
	}
	if (vlen >= cap) {
		mg_error_set("the value of '%s' in [%s] is longer than %zu bytes", key, section, cap ? cap - 1 : 0);
		return MG_ETOOBIG;
	}
	memcpy(out, val, vlen);
	out[vlen] = '\0';
	return 0;
}

int mg_aws_ini_get(const char *text, size_t len, const char *section, const char *key, char *out, size_t cap)
{
	return mg_aws__ini_get(text, len, NULL, section, key, out, cap);
}
