/*
 * site_int.h - the site builder's private types, shared by its files:
 * site.c (loading, indexing, writing), html.c (escaping and page frame),
 * page_index.c, page_product.c, lineage.c (graphs and their layout),
 * history.c (when each product last changed, from git) and score.c.
 *
 * A site owns everything it points to; pages are built into one reused
 * buffer and written out by site_write().
 */
#ifndef MESHGATE_SITE_INT_H
#define MESHGATE_SITE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "meshgate/access.h"
#include "meshgate/buf.h"
#include "meshgate/config.h"
#include "meshgate/finding.h"
#include "meshgate/model.h"
#include "meshgate/site.h"

/* One lineage node: a product of the environment or a source system. */
typedef struct site_node {
	const char *label;
	size_t product; /* index into site.products, or SIZE_MAX for a source system */
} site_node;

typedef struct site_product {
	const mg_product *p;
	char *href;            /* "products/<env>/<folder>.html", from the site root */
	const mg_finding **findings; /* the product's own, in findings order */
	size_t nfindings, errors, warnings;
	const mg_grant *grants; /* this product's desired grants, in set order */
	size_t ngrants;
	mg_datsis score;
	size_t pii, pci;        /* classified columns */
	size_t vis[3];          /* tables per visibility */
	/* the last commit that changed the folder (empty when unknown) */
	char commit[41], date[11];
	char *subject;
	/* direct lineage: indexes into site.products (upstream also lists source systems by name) */
	size_t *up, nup, *down, ndown;
	const char **sources;   /* source systems this product reads (input keys that are no product) */
	size_t nsources;
} site_product;

typedef struct site_env {
	const char *name;
	char *href;             /* "lineage/<env>.html" */
	size_t first, count;    /* its products: site.products[first .. first+count) */
} site_env;

typedef struct site {
	const mg_site_opts *opts;
	const char *today;
	const char *title;
	mg_config cfg;
	mg_catalogue cat;
	mg_findings findings;
	mg_grant_set grants;
	site_product *products; /* in catalogue order (by folder) */
	size_t nproducts;
	site_env *envs;
	size_t nenvs;
	char origin[128];       /* "commit 1a2b3c4d5e6f (2026-11-30)" or "work tree" */
	mg_buf page;            /* the page being built */
	mg_buf path;            /* scratch for file names */
	mg_buf made;            /* the last folder site_write created (or found) */
	mg_site_stats stats;
} site;

/* html.c - escaping for each context; each appends to b and returns 0 or -1 (out of memory). */
int site_html(mg_buf *b, const char *s);         /* text and double-quoted attributes */
int site_htmlf(mg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3))); /* formats, then escapes */
int site_json_str(mg_buf *b, const char *s);     /* a JSON string safe inside <script> */
/* Appends the path segment s encoded for a file name and a URL: [A-Za-z0-9_-] and
 * inner '.' kept, every other byte "~XX" (hex), so distinct names stay distinct. */
int site_segment(mg_buf *b, const char *s);
/* Appends the label truncated to max code points with an ellipsis. */
int site_html_trunc(mg_buf *b, const char *s, size_t max);
/* Page frame; `up` is the relative prefix to the site root ("" or "../../"). */
int site_page_begin(site *s, const char *title, const char *up, const char *page_class);
int site_page_end(site *s, const char *up);

/* site.c */
int site_write(site *s, const char *rel, const mg_buf *content);

/* page_index.c, page_product.c */
int site_page_index(site *s);
int site_page_product(site *s, size_t i);

/* lineage.c */
int site_lineage_link(site *s);               /* fills up/down/sources of every product */
int site_page_lineage(site *s, size_t env);   /* lineage/<env>.html */
/* Appends the SVG of product i's direct neighbourhood; `up` as for site_page_begin. */
int site_svg_neighbourhood(site *s, size_t i, const char *up, mg_buf *b);

/* history.c - fills commit/date/subject of the products; 0 also when there is no repository. */
int site_history(site *s);

#endif
