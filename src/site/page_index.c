/*
 * page_index.c - index.html: every product by environment with its facts,
 * and a JSON index in a script element that site.js filters (search,
 * environment, has-pii, minimum score) without touching the server.
 */
#include <ctype.h>

#include "meshgate/error.h"
#include "site/site_int.h"

static int lower_json(mg_buf *b, const mg_buf *text)
{
	for (size_t i = 0; i < text->len; i++)
		if ((unsigned char)text->ptr[i] < 0x80)
			text->ptr[i] = (char)tolower((unsigned char)text->ptr[i]);
	return site_json_str(b, text->ptr);
}

int site_page_index(site *s)
{
	int r = site_page_begin(s, "Catalogue", "", "index-page");
	mg_buf *b = &s->page;
	mg_buf json = MG_BUF_INIT, text = MG_BUF_INIT;
	r |= mg_buf_adds(b, "<h1>");
	r |= site_html(b, s->title);
	r |= mg_buf_addf(b, "</h1>\n<p class=\"meta\">%zu products in %zu environments.</p>\n", s->nproducts, s->nenvs);
	r |= mg_buf_adds(b, "<form class=\"filters\" id=\"filters\"><input type=\"search\" id=\"q\" placeholder=\"search name, "
			    "owner, source, table\" aria-label=\"search\"> <select id=\"env\" aria-label=\"environment\">"
			    "<option value=\"\">every environment</option>");
	for (size_t e = 0; e < s->nenvs; e++) {
		r |= mg_buf_adds(b, "<option value=\"");
		r |= site_html(b, s->envs[e].name);
		r |= mg_buf_adds(b, "\">");
		r |= site_html(b, s->envs[e].name);
		r |= mg_buf_adds(b, "</option>");
	}
	r |= mg_buf_adds(b, "</select> <label><input type=\"checkbox\" id=\"pii\"> has pii/pci</label> "
			    "<label>score \xe2\x89\xa5 <input type=\"number\" id=\"min\" min=\"0\" max=\"18\" value=\"0\"></label>"
			    " <span id=\"count\"></span></form>\n");
	r |= mg_buf_adds(b, "<table class=\"list products\" id=\"products\"><thead><tr><th>product</th><th>environment"
			    "</th><th>owner</th><th>source system</th><th>outputs</th><th>classification</th>"
			    "<th>consumers</th><th>DATSIS</th><th>findings</th></tr></thead><tbody>\n");
	r |= mg_buf_adds(&json, "[");
	for (size_t i = 0; i < s->nproducts; i++) {
		const site_product *sp = &s->products[i];
		const mg_product *p = sp->p;
		const char *name = p->name ? p->name : p->folder;
		r |= mg_buf_addf(b, "<tr><td><a href=\"%s\">", sp->href);
		r |= site_html(b, name);
		r |= mg_buf_adds(b, "</a></td><td>");
		r |= site_html(b, p->environment);
		r |= mg_buf_adds(b, "</td><td>");
		r |= site_html(b, p->owner);
		r |= mg_buf_adds(b, "</td><td>");
		r |= site_html(b, p->source_system);
		r |= mg_buf_addf(b, "</td><td>%zu</td><td>", p->ntables);
		static const char *const vis[] = { "public", "internal", "confidential" };
		for (int v = 0; v < 3; v++)
			if (sp->vis[v])
				r |= mg_buf_addf(b, "<span class=\"badge %s\">%zu %s</span>", vis[v], sp->vis[v], vis[v]);
		if (sp->pii)
			r |= mg_buf_addf(b, "<span class=\"badge pii\">%zu pii</span>", sp->pii);
		if (sp->pci)
			r |= mg_buf_addf(b, "<span class=\"badge pci\">%zu pci</span>", sp->pci);
		r |= mg_buf_addf(b, "</td><td>%zu</td><td><span class=\"score s%u\">%u/%d</span></td><td>%zu error%s, %zu warning%s"
				    "</td></tr>\n",
				 p->nconsumers, sp->score.total * 3 / MG_DATSIS__COUNT, sp->score.total, MG_DATSIS__COUNT,
				 sp->errors, sp->errors == 1 ? "" : "s", sp->warnings, sp->warnings == 1 ? "" : "s");
		mg_buf_clear(&text);
		r |= mg_buf_addf(&text, "%s %s %s %s", name, p->owner ? p->owner : "", p->source_system ? p->source_system : "",
				 p->folder);
		for (size_t t = 0; t < p->ntables; t++)
			r |= mg_buf_addf(&text, " %s", p->tables[t].name);
		r |= mg_buf_adds(&json, i ? ",\n[" : "\n[");
		r |= site_json_str(&json, p->environment);
		r |= mg_buf_addf(&json, ",%d,%u,", sp->pii + sp->pci > 0, sp->score.total);
		r |= lower_json(&json, &text);
		r |= mg_buf_adds(&json, "]");
	}
	r |= mg_buf_adds(&json, "]");
	r |= mg_buf_adds(b, "</tbody></table>\n<script type=\"application/json\" id=\"mg-index\">");
	r |= mg_buf_add(b, json.ptr, json.len);
	r |= mg_buf_adds(b, "</script>\n");
	mg_buf_release(&json);
	mg_buf_release(&text);
	if (r)
		return mg_oom();
	if ((r = site_page_end(s, "")) < 0)
		return r;
	return site_write(s, "index.html", &s->page);
}
