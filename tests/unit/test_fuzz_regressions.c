/*
 * test_fuzz_regressions.c - every reproducer in fuzz/regressions/<target>/
 * and every seed in fuzz/corpus/<target>/ fed to the same entry points the
 * libFuzzer targets run (fuzz/targets.c), without libFuzzer, so a crash
 * found once fails the ordinary test suite (and its ASan/UBSan build) if it
 * comes back.  An entry abort()s on a broken invariant, which fails the
 * test as a crash does; the file being replayed is printed first.  An input
 * that takes longer than the fuzzers' -timeout fails too (judged best in the
 * sanitizer build, whose speed is the fuzzers').
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "meshgate/buf.h"
#include "mgt.h"
#include "targets.h"

#define INPUT_SECONDS_MAX 10.0 /* fuzz/run.sh passes -timeout=10 */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Feeds every regular file of fuzz/<kind>/<target>/ to the target; returns how many. */
static size_t replay_dir(const char *kind, const mg_fuzz_target *t)
{
	mg_buf dir = MG_BUF_INIT, path = MG_BUF_INIT, data = MG_BUF_INIT;
	size_t n = 0;
	mg_buf_addf(&dir, "%s/../fuzz/%s/%s", mgt_srcdir(), kind, t->name);
	DIR *d = opendir(dir.ptr);
	if (!d)
		goto done;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		mg_buf_clear(&path);
		mg_buf_addf(&path, "%s/%s", dir.ptr, de->d_name);
		if (stat(path.ptr, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		mg_buf_clear(&data);
		if (mg_buf_read_file(&data, path.ptr, 1u << 24) < 0) {
			MGT_CHECK(!"reproducer readable");
			continue;
		}
		fprintf(stderr, "replay %s %s/%s\n", t->name, kind, de->d_name);
		double start = now();
		t->fn((const uint8_t *)data.ptr, data.len);
		double took = now() - start;
		if (took > INPUT_SECONDS_MAX) {
			fprintf(stderr, "%s/%s took %.1f s, more than %.0f s\n", dir.ptr, de->d_name, took,
				INPUT_SECONDS_MAX);
			MGT_CHECK(!"input replayed within the time limit");
		}
		n++;
	}
	closedir(d);
done:
	mg_buf_release(&dir);
	mg_buf_release(&path);
	mg_buf_release(&data);
	return n;
}

static void test_fuzz__regressions(void)
{
	size_t n = 0;
	for (size_t i = 0; i < mg_fuzz_ntargets; i++)
		n += replay_dir("regressions", &mg_fuzz_targets[i]);
	printf("%zu reproducers replayed\n", n);
}

static void test_fuzz__corpus(void)
{
	for (size_t i = 0; i < mg_fuzz_ntargets; i++) {
		size_t n = replay_dir("corpus", &mg_fuzz_targets[i]);
		printf("%s: %zu seeds replayed\n", mg_fuzz_targets[i].name, n);
		/* every target has a committed corpus */
		MGT_CHECK(n > 0);
	}
}

MGT_MAIN(test_fuzz__regressions, test_fuzz__corpus)
