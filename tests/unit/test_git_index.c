/*
 * test_git_index.c - the read-only index parser (src/sources/git_index.c)
 * against indexes git itself writes (versions 2, 3 and 4, an extended
 * entry, a split index), and on damaged input: every truncation and many
 * random byte changes must be refused or parsed, never crash (run it under
 * the Asan build).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/buf.h"
#include "meshgate/error.h"
#include "meshgate/source.h"
#include "mgt.h"
#include "sources/git_index.h"

/* A repository in the scratch dir with a few files, one unmerged-free index; returns its path. */
static const char *make_repo(void)
{
	static char repo[1024];
	snprintf(repo, sizeof repo, "%s/repo", mgt_scratch());
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
		 "set -e; export HOME=%s GIT_CONFIG_NOSYSTEM=1; unset GIT_DIR GIT_INDEX_FILE;"
		 " git init -q %s; cd %s; mkdir -p a/b 'sp ace' c;"
		 " echo one >a/b/x.json; echo two >a/y.json; echo three >'sp ace/z.json';"
		 " echo four >c/long-name-$(printf 'n%%.0s' $(seq 1 40)).json;"
		 " ln -s a/y.json link; echo five >top; chmod +x top; git add -A",
		 mgt_scratch(), repo, repo);
	MGT_EQ_INT(system(cmd), 0);
	return repo;
}

/* `git ls-files -s` of the index, as "<mode> <id> <stage>\t<path>\n" lines, from git and from us. */
static void compare_with_git(const char *repo)
{
	char path[1100], cmd[1200];
	mg_buf want = MG_BUF_INIT, got = MG_BUF_INIT;
	mg_git_index ix = MG_GIT_INDEX_INIT;
	snprintf(path, sizeof path, "%s/.git/index", repo);
	snprintf(cmd, sizeof cmd, "cd %s && git ls-files -s > ../ls-files", repo);
	MGT_EQ_INT(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/ls-files", mgt_scratch());
	MGT_EQ_INT(mg_buf_read_file(&want, cmd, 1 << 20), 0);
	MGT_EQ_INT(mg_git_index_read(&ix, path), 0);
	for (size_t i = 0; i < ix.n; i++) {
		const mg_git_index_entry *e = &ix.entries[i];
		mg_buf_addf(&got, "%06o ", (unsigned)e->mode);
		for (int k = 0; k < MG_GIT_OID_RAWSZ; k++)
			mg_buf_addf(&got, "%02x", e->id[k]);
		mg_buf_addf(&got, " %u\t%s\n", e->stage, e->path);
		MGT_EQ_INT(strlen(e->path), e->path_len);
	}
	MGT_EQ_STR(got.ptr, want.ptr);
	mg_git_index_release(&ix);
	mg_buf_release(&want);
	mg_buf_release(&got);
}

static void set_version(const char *repo, int v)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "cd %s && git update-index --index-version %d", repo, v);
	MGT_EQ_INT(system(cmd), 0);
}

static void test_versions_2_3_4(void)
{
	const char *repo = make_repo();
	for (int v = 2; v <= 4; v++) {
		set_version(repo, v);
		compare_with_git(repo);
	}
	/* an extended entry (intent to add) makes git write version 3 */
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "cd %s && echo six >ita && git add -N ita && git update-index --index-version 3", repo);
	MGT_EQ_INT(system(cmd), 0);
	compare_with_git(repo);
	set_version(repo, 4);
	compare_with_git(repo);
}

static void test_missing_index_is_empty(void)
{
	mg_git_index ix = MG_GIT_INDEX_INIT;
	char path[1100];
	snprintf(path, sizeof path, "%s/no-such-index", mgt_scratch());
	MGT_EQ_INT(mg_git_index_read(&ix, path), 0);
	MGT_EQ_INT(ix.n, 0);
	mg_git_index_release(&ix);
}

static unsigned char *slurp(const char *repo, size_t *len)
{
	char path[1100];
	mg_buf b = MG_BUF_INIT;
	snprintf(path, sizeof path, "%s/.git/index", repo);
	MGT_EQ_INT(mg_buf_read_file(&b, path, 1 << 24), 0);
	return (unsigned char *)mg_buf_detach(&b, len);
}

/* Parses a copy of exactly len bytes (so ASan sees any read past them). */
static int parse_copy(const unsigned char *data, size_t len)
{
	unsigned char *copy = malloc(len ? len : 1);
	mg_git_index ix = MG_GIT_INDEX_INIT;
	memcpy(copy, data, len);
	int r = mg_git_index_parse(&ix, copy, len, "test");
	if (r == 0)
		for (size_t i = 0; i < ix.n; i++)
			MGT_CHECK(ix.entries[i].path && strlen(ix.entries[i].path) == ix.entries[i].path_len);
	mg_git_index_release(&ix);
	free(copy);
	return r;
}

static void test_damaged_input(void)
{
	const char *repo = make_repo();
	uint32_t seed = 42;
	for (int v = 2; v <= 4; v += 2) {
		size_t len;
		set_version(repo, v);
		unsigned char *data = slurp(repo, &len);
		MGT_EQ_INT(parse_copy(data, len), 0);
		/* every truncation: refused with a message, never a crash */
		for (size_t n = 0; n < len - MG_GIT_OID_RAWSZ; n++) {
			int r = parse_copy(data, n);
			MGT_CHECK(r == MG_EINVALID || r == MG_EGITINDEX_UNSUPPORTED);
			if (r == MG_EINVALID)
				MGT_CHECK(strstr(mg_error_last(), "malformed git index") != NULL);
		}
		/* random byte changes: any answer but a crash */
		for (int k = 0; k < 20000; k++) {
			unsigned char *copy = malloc(len);
			memcpy(copy, data, len);
			for (int m = 0; m < 1 + k % 4; m++) {
				seed = seed * 1103515245u + 12345u;
				size_t at = (seed >> 8) % len;
				seed = seed * 1103515245u + 12345u;
				copy[at] = (unsigned char)(seed >> 16);
			}
			int r = parse_copy(copy, len);
			MGT_CHECK(r == 0 || r == MG_EINVALID || r == MG_EGITINDEX_UNSUPPORTED);
			free(copy);
		}
		free(data);
	}
}

static void test_required_extension_is_unsupported(void)
{
	const char *repo = make_repo();
	size_t len;
	set_version(repo, 2);
	unsigned char *data = slurp(repo, &len);
	/* put a required extension ("link") between the entries and the checksum */
	unsigned char *grown = malloc(len + 12);
	memcpy(grown, data, len - MG_GIT_OID_RAWSZ);
	memcpy(grown + len - MG_GIT_OID_RAWSZ, "link\0\0\0\4abcd", 12);
	memcpy(grown + len - MG_GIT_OID_RAWSZ + 12, data + len - MG_GIT_OID_RAWSZ, MG_GIT_OID_RAWSZ);
	MGT_EQ_INT(parse_copy(grown, len + 12), MG_EGITINDEX_UNSUPPORTED);
	/* an optional one is skipped */
	memcpy(grown + len - MG_GIT_OID_RAWSZ, "ZZZZ\0\0\0\4abcd", 12);
	MGT_EQ_INT(parse_copy(grown, len + 12), 0);
	/* one that claims more bytes than there are is refused */
	memcpy(grown + len - MG_GIT_OID_RAWSZ, "ZZZZ\0\0\1\0abcd", 12);
	MGT_EQ_INT(parse_copy(grown, len + 12), MG_EINVALID);
	free(grown);
	free(data);
}

/*
 * A split index goes to libgit2, which (1.5) refuses it too: a clear error,
 * as before this parser existed.
 */
static void test_split_index_falls_back(void)
{
	const char *repo = make_repo();
	char cmd[1200];
	mg_source *src = NULL;
	snprintf(cmd, sizeof cmd, "cd %s && git update-index --split-index", repo);
	MGT_EQ_INT(system(cmd), 0);
	int r = mg_source_git_index_new(&src, repo, NULL);
	MGT_CHECK(r == 0 || (r == MG_EIO && strstr(mg_error_last(), "'link'") != NULL));
	mg_source_free(src);
}

/* The index source's stamps: equal for equal content, different after a change. */
static void test_stamps(void)
{
	const char *repo = make_repo();
	char cmd[1200];
	mg_source *src = NULL;
	mg_buf s1 = MG_BUF_INIT, s2 = MG_BUF_INIT, s3 = MG_BUF_INIT;
	MGT_EQ_INT(mg_source_git_index_new(&src, repo, NULL), 0);
	MGT_EQ_INT(src->stamp(src, "a", &s1), 0);
	MGT_EQ_INT(src->stamp(src, "nothing", &s3), 0);
	MGT_EQ_INT(s3.len, 0);
	MGT_CHECK(src->cache_dir && strstr(src->cache_dir, ".git/meshgate"));
	mg_source_free(src);
	snprintf(cmd, sizeof cmd, "cd %s && echo changed >a/b/x.json && git add a", repo);
	MGT_EQ_INT(system(cmd), 0);
	MGT_EQ_INT(mg_source_git_index_new(&src, repo, NULL), 0);
	MGT_EQ_INT(src->stamp(src, "a/", &s2), 0);
	MGT_CHECK(s1.len == s2.len && memcmp(s1.ptr, s2.ptr, s1.len) != 0);
	mg_buf_clear(&s2);
	MGT_EQ_INT(src->stamp(src, "sp ace", &s2), 0);
	MGT_CHECK(s2.len > 0);
	mg_source_free(src);
	mg_buf_release(&s1);
	mg_buf_release(&s2);
	mg_buf_release(&s3);
}

MGT_MAIN(test_versions_2_3_4, test_missing_index_is_empty, test_damaged_input,
	 test_required_extension_is_unsupported, test_split_index_falls_back, test_stamps)
