/* mgt.c - the unit-test runner (see mgt.h). */
#undef _POSIX_C_SOURCE
#define _XOPEN_SOURCE 700
#include "mgt.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

int mgt__failures;
const char *mgt__current = "";
static char scratch[4096];
static int scratch_made;

const char *mgt_srcdir(void)
{
	return MGT_SRCDIR;
}

const char *mgt_shared(void)
{
	static char path[4096];
	struct stat st;
	const char *env = getenv("MESHGATE_SHARED");
	if (env && *env)
		snprintf(path, sizeof path, "%s", env);
	else
		snprintf(path, sizeof path, "%s/../../shared", MGT_SRCDIR);
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return path;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

const char *mgt_scratch(void)
{
	if (!scratch_made) {
		char tmpl[4096];
		const char *base = getenv("TMPDIR");
		snprintf(tmpl, sizeof tmpl, "%s/mgt-%s-XXXXXX", base && *base ? base : "/tmp",
			 mgt__current);
		if (!mkdtemp(tmpl)) {
			perror("mkdtemp");
			abort();
		}
		snprintf(scratch, sizeof scratch, "%s", tmpl);
		scratch_made = 1;
	}
	return scratch;
}

static int mkparents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

const char *mgt_write(const char *rel, const char *content)
{
	static char paths[8][4096];
	static int next;
	char *path = paths[next++ % 8];
	int n = snprintf(path, 4096, "%s/%s", mgt_scratch(), rel);
	if (n < 0 || n >= 4096 || mkparents(path) != 0) {
		perror(path);
		abort();
	}
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		abort();
	}
	fputs(content, f);
	fclose(f);
	return path;
}

int mgt_run(const mgt_case *cases, size_t n, int argc, char **argv)
{
	int passed = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		if (argc > 1 && strstr(cases[i].name, argv[1]) == NULL)
			continue;
		int before = mgt__failures;
		mgt__current = cases[i].name;
		scratch_made = 0;
		cases[i].fn();
		if (mgt__failures == before) {
			passed++;
			if (scratch_made && !getenv("MGT_KEEP"))
				nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		} else {
			failed++;
			fprintf(stderr, "FAIL %s%s%s%s\n", cases[i].name, scratch_made ? " (scratch kept: " : "",
				scratch_made ? scratch : "", scratch_made ? ")" : "");
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
