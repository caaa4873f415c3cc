/*
 * test_golden.c - the golden cases of tests/golden/ run through the
 * library (mg_validate + mg_report_text), compared with the same expected
 * files the binary is checked against (tests/golden/run-golden.sh).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "meshgate/buf.h"
#include "meshgate/report.h"
#include "meshgate/validate.h"
#include "mgt.h"

static int read_text(const char *path, mg_buf *b)
{
	return mg_buf_read_file(b, path, 1u << 24);
}

static void run_case(const char *dir, const char *name, int *skipped)
{
	mg_buf p = MG_BUF_INIT, expected = MG_BUF_INIT, args = MG_BUF_INIT, out = MG_BUF_INIT;
	mg_buf root = MG_BUF_INIT;
	char today[16] = "2026-01-01", path[4096] = "";
	mg_buf_addf(&p, "%s/expected", dir);
	if (read_text(p.ptr, &expected) < 0)
		goto done;
	mg_buf_clear(&p);
	mg_buf_addf(&p, "%s/args", dir);
	if (read_text(p.ptr, &args) == 0) {
		/* supported: --today DATE and one catalogue path */
		char *save = NULL;
		for (char *tok = strtok_r(args.ptr, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			if (strcmp(tok, "--today") == 0) {
				char *d = strtok_r(NULL, " \n", &save);
				if (d)
					snprintf(today, sizeof today, "%s", d);
			} else {
				snprintf(path, sizeof path, "%s", tok);
			}
		}
	}
	mg_buf_clear(&p);
	mg_buf_addf(&p, "%s/shared-cwd", dir);
	mg_buf sc = MG_BUF_INIT;
	if (read_text(p.ptr, &sc) == 0) {
		while (sc.len && sc.ptr[sc.len - 1] == '\n')
			sc.ptr[--sc.len] = '\0';
		if (!mgt_shared()) {
			printf("SKIP %s: ../shared not found\n", name);
			(*skipped)++;
			mg_buf_release(&sc);
			goto done;
		}
		mg_buf_addf(&root, "%s/%s", mgt_shared(), sc.ptr);
	} else {
		mg_buf_adds(&root, dir);
	}
	mg_buf_release(&sc);

	mg_source *src = NULL;
	mg_config cfg;
	mg_catalogue cat;
	mg_findings f;
	mg_config_init(&cfg);
	mg_catalogue_init(&cat);
	mg_findings_init(&f);
	mg_validate_opts vo = { .today = today, .catalogue = path[0] ? path : NULL };
	MGT_EQ_INT(mg_source_dir_new(&src, root.ptr), 0);
	int r = mg_validate(src, &vo, &cfg, &cat, &f);
	MGT_EQ_INT(r, 0);
	mg_report_ctx rc = { "validate", cat.nproducts, cat.nfiles, 0, NULL };
	mg_report_write(MG_REPORT_TEXT, &f, &rc, &out);
	mg_buf_addf(&out, "exit %d\n", mg_findings_count_at(&f, MG_SEV_ERROR) ? 1 : 0);
	if (strcmp(out.ptr, expected.ptr) != 0) {
		fprintf(stderr, "golden case %s differs (library):\n--- expected\n%s--- actual\n%s", name,
			expected.ptr, out.ptr);
		MGT_CHECK(!"golden output matches");
	}
	mg_findings_release(&f);
	mg_catalogue_release(&cat);
	mg_config_release(&cfg);
	mg_source_free(src);
done:
	mg_buf_release(&p);
	mg_buf_release(&expected);
	mg_buf_release(&args);
	mg_buf_release(&out);
	mg_buf_release(&root);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden_cases(void)
{
	char base[4096];
	snprintf(base, sizeof base, "%s/golden", mgt_srcdir());
	DIR *d = opendir(base);
	MGT_CHECK(d != NULL);
	if (!d)
		return;
	char *names[1024];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 1024)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	int ran = 0, skipped = 0;
	for (size_t i = 0; i < n; i++) {
		char dir[8192];
		struct stat st;
		snprintf(dir, sizeof dir, "%s/%s", base, names[i]);
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			run_case(dir, names[i], &skipped);
			ran++;
		}
		free(names[i]);
	}
	printf("golden (library): %d cases, %d skipped\n", ran, skipped);
	MGT_CHECK(ran > 0);
}

MGT_MAIN(test_golden_cases)
