/*
 * site.h - discovery: a static catalogue site (index with search and
 * filters, a page per product with its effective access and findings,
 * lineage graphs as SVG) and the DATSIS score of each product.
 *
 * The site is built from the same pipeline as `validate` (findings) and
 * `plan` (mg_access_desired), from the work tree or any commit, and is
 * deterministic: the same inputs give byte-identical files.  Every string
 * from the catalogue is escaped for where it lands (HTML text, attributes,
 * JSON inside a script element, SVG).  The rubric is docs/site.md.
 */
#ifndef MESHGATE_SITE_H
#define MESHGATE_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/buf.h"
#include "meshgate/finding.h"
#include "meshgate/model.h"

/* ---- DATSIS ---- */

/* X(enum suffix, id, letter index 0..5, what earns the point) */
#define MG_FOREACH_DATSIS(X) \
	X(D_DESCRIPTION, "D1", 0, "the product has a description") \
	X(D_OWNERS, "D2", 0, "owner and maintainer are both set") \
	X(D_CONTEXT, "D3", 0, "source system and at least one usage pattern are named") \
	X(A_VERSION, "A1", 1, "a semantic version is set") \
	X(A_LOCATIONS, "A2", 1, "every output has a location under the producer bucket") \
	X(A_UNIQUE, "A3", 1, "no duplicate-product or overlapping-location finding") \
	X(T_DQ, "T1", 2, "data-quality rules are given") \
	X(T_RETENTION, "T2", 2, "every output declares its retention time") \
	X(T_CLEAN, "T3", 2, "no error-level finding in the product's files") \
	X(S_COLUMNS, "S1", 3, "every output declares its columns") \
	X(S_TYPES, "S2", 3, "every declared column has a type") \
	X(S_DESCRIBED, "S3", 3, "every output and every declared column has a description") \
	X(I_FORMATS, "I1", 4, "every output uses a typed open format (parquet, avro, delta)") \
	X(I_LINEAGE, "I2", 4, "inputs are declared (lineage is known)") \
	X(I_VOCABULARY, "I3", 4, "the enterprise system landscape id and EDC data objects are named") \
	X(X_VISIBILITY, "SEC1", 5, "every output has an explicit visibility") \
	X(X_CLASSIFIED, "SEC2", 5, "no unclassified-sensitive or public-sensitive finding") \
	X(X_CLEARANCES, "SEC3", 5, "every consumer's clearances are valid and no access finding (clearance, iam-consumer-sensitive, ungranted-table)")

typedef enum mg_datsis_point {
#define MG__DATSIS_ENUM(e, id, letter, text) MG_DATSIS_##e,
	MG_FOREACH_DATSIS(MG__DATSIS_ENUM)
#undef MG__DATSIS_ENUM
	MG_DATSIS__COUNT
} mg_datsis_point;

/* "D1", the letter (0..5 for D, A, T, S, I, S) and the rubric text of a point. */
const char *mg_datsis_id(mg_datsis_point p);
unsigned mg_datsis_letter(mg_datsis_point p);
const char *mg_datsis_text(mg_datsis_point p);
/* "Discoverable", ... for letters 0..5. */
const char *mg_datsis_letter_name(unsigned letter);

typedef struct mg_datsis {
	bool earned[MG_DATSIS__COUNT];
	unsigned letter[6]; /* points per letter, 0..3 */
	unsigned total;     /* 0..MG_DATSIS__COUNT */
} mg_datsis;

/*
 * Scores product p.  findings are the product's own findings (those whose
 * path lies in its folder), n of them, as pointers; today judges clearances.
 */
void mg_datsis_score(const mg_product *p, const mg_finding *const *findings, size_t n, const char *today,
		     mg_datsis *out);

/* ---- the site ---- */

typedef struct mg_site_opts {
	const char *dir;       /* the repository or work tree (NULL: "."), as -C */
	const char *rev;       /* a commit-ish to read instead of the work tree, or NULL */
	const char *catalogue; /* overrides the catalogue root, or NULL */
	const char *today;     /* "YYYY-MM-DD": clearances are judged on this day */
	const char *out_dir;   /* where the site is written (created; existing files are replaced) */
	const char *title;     /* the site's title, or NULL for "Data products" */
} mg_site_opts;

typedef struct mg_site_stats {
	size_t products, environments, files, bytes, grants, findings;
} mg_site_stats;

/*
 * Builds the site.  Returns 0 (also when the catalogue has findings: they
 * are shown on the pages) or a negative error with the message set.
 */
int mg_site_build(const mg_site_opts *opts, mg_site_stats *stats);

/*
 * The score report of `meshgate score`: loads and validates the catalogue as
 * mg_site_build does and appends, per product sorted by folder, its score
 * (text: "  14/18  dev/sales  missing: D1 ...", json: see docs/site.md).
 * *lowest receives the lowest total (MG_DATSIS__COUNT when no product).
 */
int mg_site_scores(const mg_site_opts *opts, bool json, mg_buf *out, unsigned *lowest);

#endif
