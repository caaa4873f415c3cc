/*
 * page_product.c - products/<env>/<folder>.html: what the product is, its
 * outputs and columns, its consumers and what each of them can actually
 * read (the desired grants of mg_access_desired, the same as `plan`), its
 * lineage neighbourhood, DATSIS score, findings and last change.
 */
#include <stdlib.h>
#include <string.h>

#include "meshgate/access.h"
#include "meshgate/error.h"
#include "meshgate/sort.h"
#include "site/site_int.h"

#define UP "../../"

static int row(mg_buf *b, const char *key, const char *value)
{
	int r = mg_buf_adds(b, "<tr><th>");
	r |= site_html(b, key);
	r |= mg_buf_adds(b, "</th><td>");
	r |= value && *value ? site_html(b, value) : mg_buf_adds(b, "<span class=\"none\">not given</span>");
	return r | mg_buf_adds(b, "</td></tr>\n");
}

static const char *channel_name(mg_channel c)
{
	switch (c) {
	case MG_CHANNEL_LAKEFORMATION: return "lakeformation";
	case MG_CHANNEL_IAM: return "iam";
	case MG_CHANNEL_POSTGRES: return "postgres";
	case MG_CHANNEL_UNKNOWN: break;
	}
	return "unknown";
}

/* The principal the access model grants consumer c (access.h), or NULL. */
static const char *principal(const mg_consumer *c)
{
	switch (c->channel) {
	case MG_CHANNEL_LAKEFORMATION: return c->account;
	case MG_CHANNEL_IAM: return c->role_arn;
	case MG_CHANNEL_POSTGRES: return c->postgres_role;
	case MG_CHANNEL_UNKNOWN: break;
	}
	return NULL;
}

static const char *const clearance_names[MG_CLEAR__COUNT] = { "confidential", "pii", "pci" };

/* The state of a clearance in words, with a class for its badge. */
static int clearance_state(mg_buf *b, const mg_clearance *c, const char *today)
{
	if (!c->present)
		return mg_buf_adds(b, "<span class=\"none\">none</span>");
	if (mg_clearance_valid(c, today)) {
		int r = mg_buf_adds(b, "<span class=\"ok\">valid until ");
		r |= site_html(b, c->expires);
		r |= mg_buf_adds(b, "</span>, approved by ");
		r |= site_html(b, c->approved_by);
		return r;
	}
	if (!c->approved_by || !*c->approved_by || !c->reason || !*c->reason)
		return mg_buf_adds(b, "<span class=\"bad\">incomplete: needs approved-by and reason</span>");
	if (!c->expires || strlen(c->expires) != 10)
		return mg_buf_adds(b, "<span class=\"bad\">incomplete: no expiry date</span>");
	int r = mg_buf_adds(b, "<span class=\"bad\">expired on ");
	r |= site_html(b, c->expires);
	return r | mg_buf_adds(b, "</span>");
}

/* A table's column by name: the table's columns sorted the way grants sort theirs (strcmp). */
typedef struct named_col {
	const char *name;
	size_t at; /* index in the table's columns */
} named_col;

static int cmp_named_col(const void *a, const void *b)
{
	return strcmp(((const named_col *)a)->name, ((const named_col *)b)->name);
}

/* t's columns in name order; NULL when out of memory. */
static named_col *column_order(const mg_table *t)
{
	named_col *order = malloc((t->ncolumns ? t->ncolumns : 1) * sizeof *order);
	if (!order)
		return NULL;
	for (size_t i = 0; i < t->ncolumns; i++)
		order[i] = (named_col){ t->columns[i].name, i };
	mg_sort(order, t->ncolumns, sizeof *order, cmp_named_col);
	return order;
}

/*
 * Which columns of table t grant g reads, into reads[0..ncolumns): one merge
 * of the table's columns in name order with the grant's sorted names (a page
 * asks this for every consumer and table; a binary search per column was the
 * site's hottest loop at 10,000 products).
 */
static void grant_reads(const mg_table *t, const named_col *order, const mg_grant *g, bool *reads)
{
	size_t k = 0;
	for (size_t i = 0; i < t->ncolumns; i++) {
		int c = 1;
		while (k < g->ncolumns && (c = strcmp(g->columns[k], order[i].name)) < 0)
			k++;
		bool listed = k < g->ncolumns && c == 0;
		reads[order[i].at] = g->except ? !listed : listed;
	}
}

static size_t declared_columns(const mg_table *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->ncolumns; i++)
		n += t->columns[i].declared;
	return n;
}

static bool names_table(const mg_consumer *c, const char *table)
{
	for (size_t i = 0; i < c->ntables; i++)
		if (strcmp(c->tables[i], table) == 0)
			return true;
	return false;
}

/* Why table t is not granted to consumer c: the access model's rules in words. */
static const char *why_not(const mg_table *t, const mg_consumer *c, const char *today)
{
	bool sensitive = false;
	for (size_t i = 0; i < t->ncolumns; i++)
		sensitive |= t->columns[i].pii || t->columns[i].pci;
	if (t->visibility == MG_VIS_CONFIDENTIAL && !(c->has_tables && names_table(c, t->name)))
		return "confidential, and the consumer does not name it in its tables";
	if (t->visibility == MG_VIS_CONFIDENTIAL && !mg_clearance_valid(&c->access[MG_CLEAR_CONFIDENTIAL], today))
		return "confidential, and the consumer holds no valid confidential clearance";
	if (c->has_tables && !names_table(c, t->name))
		return "not among the consumer's tables";
	if (c->channel == MG_CHANNEL_IAM)
		return sensitive ? "an iam consumer gets raw S3 reads, never of a table with pii/pci columns"
				 : "an iam consumer gets raw S3 reads, never of a confidential table";
	return "every column is hidden from this consumer";
}

/* Why a column is hidden from a consumer, most specific first. */
static const char *const hidden_reasons[] = { "pii and pci, no valid clearances", "pii, no valid pii clearance",
					      "pci, no valid pci clearance", "not granted" };
#define N_HIDDEN_REASONS (sizeof hidden_reasons / sizeof *hidden_reasons)

static size_t hidden_why(const mg_column *col, const mg_consumer *c, const char *today)
{
	bool pii = col->pii && !mg_clearance_valid(&c->access[MG_CLEAR_PII], today);
	bool pci = col->pci && !mg_clearance_valid(&c->access[MG_CLEAR_PCI], today);
	return pii && pci ? 0 : pii ? 1 : pci ? 2 : 3;
}

static int class_badges(mg_buf *b, const mg_column *col)
{
	int r = 0;
	if (col->pii)
		r |= mg_buf_adds(b, "<span class=\"badge pii\">pii</span>");
	if (col->pci)
		r |= mg_buf_adds(b, "<span class=\"badge pci\">pci</span>");
	if (!col->pii && !col->pci)
		r |= mg_buf_adds(b, col->classified ? "<span class=\"badge plain\">not sensitive</span>"
						    : "<span class=\"none\">not classified</span>");
	return r;
}

static int section_outputs(site *s, const mg_product *p)
{
	mg_buf *b = &s->page;
	int r = mg_buf_addf(b, "<section id=\"outputs\"><h2>Outputs (%zu)</h2>\n", p->ntables);
	for (size_t i = 0; i < p->ntables; i++) {
		const mg_table *t = &p->tables[i];
		r |= mg_buf_adds(b, "<h3 id=\"t-");
		r |= site_segment(b, t->name);
		r |= mg_buf_adds(b, "\">");
		r |= site_html(b, t->name);
		r |= mg_buf_addf(b, " <span class=\"badge %s\">%s</span></h3>\n", mg_visibility_name(t->visibility),
				 mg_visibility_name(t->visibility));
		if (t->description)
			r |= mg_buf_adds(b, "<p>"), r |= site_html(b, t->description), r |= mg_buf_adds(b, "</p>\n");
		r |= mg_buf_adds(b, "<table class=\"facts\">\n");
		r |= row(b, "format", t->file_format);
		r |= row(b, "port type", t->port_type);
		r |= row(b, "location", t->location);
		mg_buf tmp = MG_BUF_INIT;
		for (size_t k = 0; k < t->npartitions; k++)
			r |= mg_buf_addf(&tmp, "%s%s", k ? ", " : "", t->partitions[k]);
		r |= row(b, "partitions", tmp.ptr);
		mg_buf_clear(&tmp);
		if (t->retention_unit && t->retention_time)
			r |= mg_buf_addf(&tmp, "%ld %s%s", t->retention_time, t->retention_unit,
					 t->retention_time == 1 ? "" : "s");
		r |= row(b, "retention", tmp.ptr);
		mg_buf_release(&tmp);
		r |= mg_buf_adds(b, "</table>\n");
		if (t->ncolumns) {
			/* a row per column, thousands per page at 10,000 products: the optional end tags
			 * (</td>, </tr>) are left out, the cells are the same (HTML's implied ends) */
			r |= mg_buf_adds(b, "<table class=\"list\"><thead><tr><th>column</th><th>type</th><th>description"
					    "</th><th>classification</th></tr></thead><tbody>\n");
			for (size_t k = 0; k < t->ncolumns; k++) {
				const mg_column *c = &t->columns[k];
				r |= mg_buf_adds(b, "<tr><td><code>");
				r |= site_html(b, c->name);
				r |= mg_buf_adds(b, "</code>");
				if (!c->declared && t->columns_known)
					r |= mg_buf_adds(b, " <span class=\"bad\">not declared</span>");
				r |= mg_buf_adds(b, "<td>");
				r |= site_html(b, c->type);
				r |= mg_buf_adds(b, "<td>");
				r |= site_html(b, c->description);
				r |= mg_buf_adds(b, "<td>");
				r |= class_badges(b, c);
				r |= mg_buf_addc(b, '\n');
			}
			r |= mg_buf_adds(b, "</tbody></table>\n");
		}
		if (!t->columns_known)
			r |= mg_buf_adds(b, "<p class=\"meta\">The outputs do not list this table's columns; only the "
					    "classified ones are known.</p>\n");
	}
	return r | mg_buf_adds(b, "</section>\n");
}

/*
 * Scratch for the access bodies of one page: each table's columns in name
 * order, and per column whether the grant reads it and why it is hidden.
 */
typedef struct access_scratch {
	named_col **order; /* per table */
	bool *reads;
	unsigned char *why;
} access_scratch;

/* What consumer c reads of the product, table by table, as a <ul> (no principal in it: equal bodies are grouped). */
static int access_body(mg_buf *b, site *s, const site_product *sp, const mg_consumer *c, const access_scratch *x)
{
	const mg_product *p = sp->p;
	const char *who = principal(c);
	int r = mg_buf_adds(b, "<ul>\n");
	{
		bool db = false;
		/* the product's grants are sorted by principal, then table */
		size_t lo = 0, hi = sp->ngrants;
		while (who && lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(sp->grants[mid].principal, who) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t t = 0; t < p->ntables; t++) {
			const mg_table *tb = &p->tables[t];
			const mg_grant *g = NULL;
			for (size_t k = lo; who && k < sp->ngrants && !g && strcmp(sp->grants[k].principal, who) == 0; k++)
				if (sp->grants[k].table && strcmp(sp->grants[k].table, tb->name) == 0)
					g = &sp->grants[k];
			r |= mg_buf_adds(b, "<li><code>");
			r |= site_html(b, tb->name);
			r |= mg_buf_adds(b, "</code>: ");
			if (!g) {
				r |= mg_buf_adds(b, "<span class=\"no\">no access</span> \xe2\x80\x94 ");
				r |= site_html(b, who ? why_not(tb, c, s->today) : "the consumer names no principal");
				r |= mg_buf_adds(b, "</li>\n");
				continue;
			}
			db = true;
			/* which columns it reads, once; hidden = declared columns it does not read */
			bool *reads = x->reads;
			unsigned char *why = x->why;
			grant_reads(tb, x->order[t], g, reads);
			size_t hidden = 0;
			for (size_t k = 0; k < tb->ncolumns; k++)
				hidden += tb->columns[k].declared && !reads[k];
			r |= mg_buf_adds(b, g->perms & MG_PERM_SELECT ? "<span class=\"yes\">SELECT, DESCRIBE</span> "
								    : "<span class=\"yes\">DESCRIBE</span> ");
			if (g->except && g->ncolumns == 0) {
				r |= mg_buf_adds(b, "on all columns");
			} else if (g->except) {
				r |= mg_buf_adds(b, "on all columns except ");
				for (size_t k = 0; k < g->ncolumns; k++) {
					r |= mg_buf_adds(b, k ? ", <code>" : "<code>");
					r |= site_html(b, g->columns[k]);
					r |= mg_buf_adds(b, "</code>");
				}
			} else if (g->ncolumns == declared_columns(tb)) {
				/* the common case, kept short: pages stay small at 10,000 products */
				r |= mg_buf_addf(b, "on all %zu columns", g->ncolumns);
			} else if (tb->columns_known && g->ncolumns + hidden == declared_columns(tb)) {
				/* every declared column but the hidden ones listed below: say so, not both lists */
				r |= mg_buf_addf(b, "on %zu of the %zu columns, all but the hidden ones", g->ncolumns,
						 declared_columns(tb));
			} else {
				r |= mg_buf_addf(b, "on %zu column%s: ", g->ncolumns, g->ncolumns == 1 ? "" : "s");
				for (size_t k = 0; k < g->ncolumns; k++) {
					r |= mg_buf_adds(b, k ? ", <code>" : "<code>");
					r |= site_html(b, g->columns[k]);
					r |= mg_buf_adds(b, "</code>");
				}
			}
			if (g->exposure & (MG_EXPOSE_PII | MG_EXPOSE_PCI | MG_EXPOSE_CONFIDENTIAL))
				r |= mg_buf_addf(b, " <span class=\"badge risky\">exposes%s%s%s</span>",
						 g->exposure & MG_EXPOSE_CONFIDENTIAL ? " confidential" : "",
						 g->exposure & MG_EXPOSE_PII ? " pii" : "",
						 g->exposure & MG_EXPOSE_PCI ? " pci" : "");
			/* hidden columns, grouped by why (one reason per group: pages stay short) */
			unsigned seen = 0;
			for (size_t k = 0; k < tb->ncolumns; k++) {
				const mg_column *col = &tb->columns[k];
				why[k] = (tb->columns_known && !col->declared) || reads[k]
						 ? N_HIDDEN_REASONS
						 : (unsigned char)hidden_why(col, c, s->today);
				seen |= 1u << why[k];
			}
			for (size_t w = 0; w < N_HIDDEN_REASONS; w++) {
				if (!(seen & (1u << w)))
					continue;
				r |= mg_buf_adds(b, "<br><span class=\"hidden-cols\">hidden (");
				r |= site_html(b, hidden_reasons[w]);
				r |= mg_buf_adds(b, "): ");
				for (size_t k = 0, any = 0; k < tb->ncolumns; k++) {
					if (why[k] != w)
						continue;
					r |= mg_buf_adds(b, any++ ? ", <code>" : "<code>");
					r |= site_html(b, tb->columns[k].name);
					r |= mg_buf_adds(b, "</code>");
				}
				r |= mg_buf_adds(b, "</span>");
			}
			r |= mg_buf_adds(b, "</li>\n");
		}
		if (db)
			r |= mg_buf_adds(b, "<li>DESCRIBE on the product's database</li>\n");
		r |= mg_buf_adds(b, "</ul>\n");
	}
	return r;
}

static int section_consumers(site *s, const site_product *sp)
{
	mg_buf *b = &s->page;
	const mg_product *p = sp->p;
	int r = mg_buf_addf(b, "<section id=\"consumers\"><h2>Consumers (%zu)</h2>\n", p->nconsumers);
	if (!p->nconsumers)
		return r | mg_buf_adds(b, "<p class=\"none\">No consumers are listed.</p></section>\n");
	r |= mg_buf_adds(b, "<table class=\"list\"><thead><tr><th>principal</th><th>type</th><th>team</th>"
			    "<th>contact</th><th>clearances</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < p->nconsumers; i++) {
		const mg_consumer *c = &p->consumers[i];
		r |= mg_buf_adds(b, "<tr><td><code>");
		r |= site_html(b, principal(c) ? principal(c) : c->account);
		r |= mg_buf_adds(b, "</code></td><td>");
		r |= mg_buf_adds(b, channel_name(c->channel));
		r |= mg_buf_adds(b, "</td><td>");
		r |= site_html(b, c->team);
		r |= mg_buf_adds(b, "</td><td>");
		r |= site_html(b, c->contact);
		r |= mg_buf_adds(b, "</td><td>");
		for (int k = 0; k < MG_CLEAR__COUNT; k++) {
			r |= mg_buf_adds(b, k ? "<br>" : "");
			r |= mg_buf_adds(b, clearance_names[k]);
			r |= mg_buf_adds(b, ": ");
			r |= clearance_state(b, &c->access[k], s->today);
		}
		r |= mg_buf_adds(b, "</td></tr>\n");
	}
	r |= mg_buf_adds(b, "</tbody></table>\n");

	/* effective access: exactly the desired grants, explained */
	r |= mg_buf_adds(b, "<h2 id=\"access\">Effective access</h2>\n<p class=\"meta\">What each consumer can read, "
			    "as the access model grants it (the grants <code>meshgate plan</code> and "
			    "<code>apply</code> use), judged on ");
	r |= site_html(b, s->today);
	r |= mg_buf_adds(b, ".</p>\n");
	/*
	 * One block per distinct access: consumers that read exactly the same
	 * (the common case: no clearances, same tables) share it, so a page
	 * stays readable, and small, with hundreds of consumers.
	 */
	size_t n = p->nconsumers, widest = 1;
	for (size_t t = 0; t < p->ntables; t++)
		widest = p->tables[t].ncolumns > widest ? p->tables[t].ncolumns : widest;
	mg_buf *body = calloc(n ? n : 1, sizeof *body);
	bool *done = calloc(n ? n : 1, sizeof *done);
	access_scratch x = { calloc(p->ntables + 1, sizeof *x.order), malloc(widest * sizeof *x.reads),
			     malloc(widest) };
	bool oom = !body || !done || !x.order || !x.reads || !x.why;
	for (size_t t = 0; !oom && t < p->ntables; t++)
		oom = !(x.order[t] = column_order(&p->tables[t]));
	for (size_t i = 0; !oom && i < n; i++)
		r |= access_body(&body[i], s, sp, &p->consumers[i], &x);
	for (size_t t = 0; x.order && t < p->ntables; t++)
		free(x.order[t]);
	free(x.order);
	free(x.reads);
	free(x.why);
	if (oom) {
		free(body);
		free(done);
		return MG_ENOMEM;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		if (done[i])
			continue;
		size_t same = 0;
		for (size_t j = i; j < n; j++)
			if (!done[j] && p->consumers[j].channel == p->consumers[i].channel &&
			    body[j].len == body[i].len && memcmp(body[j].ptr, body[i].ptr, body[i].len) == 0)
				same++;
		r |= mg_buf_adds(b, "<div class=\"access\"><h3>");
		if (same > 1)
			r |= mg_buf_addf(b, "%zu consumers: ", same);
		for (size_t j = i, k = 0; j < n; j++) {
			if (done[j] || p->consumers[j].channel != p->consumers[i].channel || body[j].len != body[i].len ||
			    memcmp(body[j].ptr, body[i].ptr, body[i].len) != 0)
				continue;
			done[j] = true;
			const char *who = principal(&p->consumers[j]);
			r |= mg_buf_adds(b, k++ ? ", <code>" : "<code>");
			r |= site_html(b, who ? who : "(no principal)");
			r |= mg_buf_adds(b, "</code>");
		}
		r |= mg_buf_addf(b, " <span class=\"meta\">%s</span></h3>\n", channel_name(p->consumers[i].channel));
		r |= mg_buf_add(b, body[i].ptr, body[i].len);
		r |= mg_buf_adds(b, "</div>\n");
	}
	for (size_t i = 0; i < n; i++)
		mg_buf_release(&body[i]);
	free(body);
	free(done);
	return r | mg_buf_adds(b, "</section>\n");
}

static int section_score(site *s, const site_product *sp)
{
	mg_buf *b = &s->page;
	int r = mg_buf_addf(b, "<section id=\"datsis\"><h2>DATSIS score: %u / %d</h2>\n<table class=\"list\"><thead><tr>"
			       "<th>point</th><th>quality</th><th>earned when</th><th></th></tr></thead><tbody>\n",
			    sp->score.total, MG_DATSIS__COUNT);
	for (int k = 0; k < MG_DATSIS__COUNT; k++) {
		mg_datsis_point pt = (mg_datsis_point)k;
		r |= mg_buf_adds(b, sp->score.earned[k] ? "<tr class=\"earned\"><td>" : "<tr class=\"missing\"><td>");
		r |= mg_buf_adds(b, mg_datsis_id(pt));
		r |= mg_buf_adds(b, "</td><td>");
		r |= mg_buf_adds(b, mg_datsis_letter_name(mg_datsis_letter(pt)));
		r |= mg_buf_adds(b, "</td><td>");
		r |= site_html(b, mg_datsis_text(pt));
		r |= mg_buf_adds(b, sp->score.earned[k] ? "</td><td>\xe2\x9c\x93 earned</td></tr>\n" : "</td><td>missing</td></tr>\n");
	}
	return r | mg_buf_adds(b, "</tbody></table>\n<p class=\"meta\">The rubric: docs/site.md.</p></section>\n");
}

static int section_findings(site *s, const site_product *sp)
{
	mg_buf *b = &s->page;
	int r = mg_buf_addf(b, "<section id=\"findings\"><h2>Findings (%zu)</h2>\n", sp->nfindings);
	if (!sp->nfindings)
		return r | mg_buf_adds(b, "<p class=\"ok\">meshgate validate reports nothing here.</p></section>\n");
	r |= mg_buf_adds(b, "<ul class=\"findings\">\n");
	for (size_t i = 0; i < sp->nfindings; i++) {
		const mg_finding *f = sp->findings[i];
		r |= mg_buf_addf(b, "<li class=\"%s\"><code>", mg_severity_name(f->severity));
		r |= site_html(b, f->path);
		if (f->line)
			r |= mg_buf_addf(b, ":%u:%u", (unsigned)f->line, (unsigned)f->col);
		r |= mg_buf_addf(b, "</code> %s: ", mg_severity_name(f->severity));
		r |= site_html(b, f->message);
		r |= mg_buf_addf(b, " <span class=\"rule\">[%s]</span></li>\n", mg_rule_id(f->rule));
	}
	return r | mg_buf_adds(b, "</ul></section>\n");
}

static int section_lineage(site *s, size_t i)
{
	mg_buf *b = &s->page;
	const site_product *sp = &s->products[i];
	int r = mg_buf_adds(b, "<section id=\"lineage\"><h2>Lineage</h2>\n<div class=\"graph\">\n");
	r |= site_svg_neighbourhood(s, i, UP, b);
	r |= mg_buf_adds(b, "</div>\n<p>Reads from: ");
	if (!sp->nsources && !sp->nup)
		r |= mg_buf_adds(b, "<span class=\"none\">no inputs declared</span>");
	for (size_t k = 0; k < sp->nsources; k++) {
		r |= mg_buf_adds(b, k ? ", " : "");
		r |= site_html(b, sp->sources[k]);
		r |= mg_buf_adds(b, " <span class=\"meta\">(source system)</span>");
	}
	for (size_t k = 0; k < sp->nup; k++) {
		const site_product *u = &s->products[sp->up[k]];
		r |= mg_buf_addf(b, "%s<a href=\"" UP "%s\">", k || sp->nsources ? ", " : "", u->href);
		r |= site_html(b, u->p->name);
		r |= mg_buf_adds(b, "</a>");
	}
	r |= mg_buf_adds(b, "<br>Read by: ");
	if (!sp->ndown)
		r |= mg_buf_adds(b, "<span class=\"none\">no product of the environment</span>");
	for (size_t k = 0; k < sp->ndown; k++) {
		const site_product *d = &s->products[sp->down[k]];
		r |= mg_buf_addf(b, "%s<a href=\"" UP "%s\">", k ? ", " : "", d->href);
		r |= site_html(b, d->p->name ? d->p->name : d->p->folder);
		r |= mg_buf_adds(b, "</a>");
	}
	return r | mg_buf_adds(b, "</p></section>\n");
}

int site_page_product(site *s, size_t i)
{
	const site_product *sp = &s->products[i];
	const mg_product *p = sp->p;
	const char *name = p->name ? p->name : p->folder;
	int r = site_page_begin(s, name, UP, "product-page");
	mg_buf *b = &s->page;
	r |= mg_buf_adds(b, "<h1>");
	r |= site_html(b, name);
	r |= mg_buf_addf(b, " <span class=\"score s%u\" title=\"DATSIS score\">%u/%d</span></h1>\n<p class=\"meta\">",
			 sp->score.total * 3 / MG_DATSIS__COUNT, sp->score.total, MG_DATSIS__COUNT);
	r |= site_html(b, p->environment);
	r |= mg_buf_adds(b, " \xc2\xb7 <code>");
	r |= site_html(b, p->folder);
	r |= mg_buf_adds(b, "</code>");
	if (sp->commit[0]) {
		r |= mg_buf_addf(b, " \xc2\xb7 last changed %s in <code>%.12s</code> ", sp->date, sp->commit);
		r |= site_html(b, sp->subject);
	}
	r |= mg_buf_adds(b, "</p>\n");
	r |= mg_buf_adds(b, "<nav class=\"toc\"><a href=\"#outputs\">outputs</a> <a href=\"#consumers\">consumers</a> "
			    "<a href=\"#access\">effective access</a> <a href=\"#lineage\">lineage</a> "
			    "<a href=\"#datsis\">DATSIS</a> <a href=\"#findings\">findings</a></nav>\n");
	if (p->description)
		r |= mg_buf_adds(b, "<p class=\"description\">"), r |= site_html(b, p->description),
			r |= mg_buf_adds(b, "</p>\n");
	r |= mg_buf_adds(b, "<section id=\"about\"><table class=\"facts\">\n");
	r |= row(b, "owner", p->owner);
	r |= row(b, "maintainer", p->maintainer);
	r |= row(b, "source system", p->source_system);
	r |= row(b, "version", p->version);
	r |= row(b, "landscape id", p->eslit);
	r |= row(b, "data-quality rules", p->dq_rules && !*p->dq_rules ? "(structured rules)" : p->dq_rules);
	r |= row(b, "producer account", p->producer_account);
	r |= row(b, "producer role", p->producer_role_arn);
	r |= row(b, "bucket", p->bucket);
	r |= row(b, "last commit", sp->commit[0] ? sp->commit : NULL);
	r |= mg_buf_adds(b, "</table></section>\n");
	if (r)
		return mg_oom();
	if ((r = section_outputs(s, p)) != 0 || (r = section_consumers(s, sp)) != 0 || (r = section_lineage(s, i)) != 0 ||
	    (r = section_score(s, sp)) != 0 || (r = section_findings(s, sp)) != 0)
		return mg_oom();
	if ((r = site_page_end(s, UP)) < 0)
		return r;
	return site_write(s, sp->href, &s->page);
}
