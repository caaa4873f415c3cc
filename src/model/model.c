/*
 * model.c - builds mg_product from the documents of a product folder
 * (see meshgate/model.h).  Pure: reads nodes, writes the catalogue arena.
 *
 * The schema layer reports wrong shapes; this builder only takes values of
 * the expected type and skips the rest, so every rule downstream can rely
 * on types without re-checking them.
 */
#include "meshgate/model.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meshgate/error.h"

static const char *const stems[MG_FILE__COUNT] = {
	"data-product",
	"data-product-producer-info",
	"data-product-outputs",
	"data-product-visibility",
	"data-product-consumers",
	"data-product-inputs",
};

const char *mg_file_kind_stem(mg_file_kind k)
{
	return (unsigned)k < MG_FILE__COUNT ? stems[k] : "?";
}

bool mg_file_kind_required(mg_file_kind k)
{
	return k == MG_FILE_PRODUCT || k == MG_FILE_PRODUCER || k == MG_FILE_OUTPUTS;
}

int mg_file_kind_from_name(mg_file_kind *out, const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot || (strcmp(dot, ".json") != 0 && strcmp(dot, ".yaml") != 0 && strcmp(dot, ".yml") != 0))
		return MG_ENOTFOUND;
	size_t stem_len = (size_t)(dot - name);
	for (int k = 0; k < MG_FILE__COUNT; k++)
		if (strlen(stems[k]) == stem_len && memcmp(stems[k], name, stem_len) == 0) {
			*out = (mg_file_kind)k;
			return 0;
		}
	return MG_ENOTFOUND;
}

const char *mg_visibility_name(mg_visibility v)
{
	switch (v) {
	case MG_VIS_PUBLIC: return "public";
	case MG_VIS_INTERNAL: return "internal";
	case MG_VIS_CONFIDENTIAL: return "confidential";
	}
	return "?";
}

void mg_catalogue_init(mg_catalogue *cat)
{
	memset(cat, 0, sizeof *cat);
}

void mg_catalogue_release(mg_catalogue *cat)
{
	free(cat->products);
	mg_arena_free(&cat->arena);
	memset(cat, 0, sizeof *cat);
}

/* Copies s into the catalogue's arena; on failure records it (the build then fails). */
static const char *keep(mg_catalogue *cat, const char *s, size_t len)
{
	char *c = mg_arena_strndup(&cat->arena, s, len);
	if (!c)
		cat->oom = true;
	return c;
}

static mg_pos pos_of(const mg_doc *doc, uint32_t line, uint32_t col)
{
	mg_pos p = { doc->path, line, col };
	return p;
}

static mg_pos node_pos(const mg_doc *doc, const mg_node *n)
{
	return pos_of(doc, n ? n->line : 0, n ? n->col : 0);
}

/* A string member's value (NULL unless a string) and its position. */
/*
 * A string member's value (NULL unless a string), copied into the catalogue
 * so the documents can be freed once the product is built, and its position.
 */
static const char *str_at(mg_catalogue *cat, const mg_doc *doc, const mg_node *obj, const char *key, mg_pos *at)
{
	const mg_node *v = mg_obj_get(obj, key);
	if (at)
		*at = v ? node_pos(doc, v) : node_pos(doc, obj);
	if (!v || v->type != MG_NODE_STRING)
		return NULL;
	return keep(cat, v->u.string.ptr, v->u.string.len);
}

/* Collects the string items of an array member into arena arrays. */
static int strings_at(mg_catalogue *cat, const mg_doc *doc, const mg_node *arr, const char ***out,
		      mg_pos **out_at, size_t *n)
{
	*out = NULL;
	*out_at = NULL;
	*n = 0;
	if (!arr || arr->type != MG_NODE_ARRAY || arr->u.array.count == 0)
		return 0;
	size_t cap = arr->u.array.count;
	const char **v = mg_arena_alloc(&cat->arena, cap * sizeof *v);
	mg_pos *at = mg_arena_alloc(&cat->arena, cap * sizeof *at);
	if (!v || !at)
		return mg_oom();
	size_t k = 0;
	for (size_t i = 0; i < cap; i++) {
		const mg_node *it = arr->u.array.items[i];
		if (it->type != MG_NODE_STRING)
			continue;
		v[k] = keep(cat, it->u.string.ptr, it->u.string.len);
		at[k] = node_pos(doc, it);
		k++;
	}
	*out = v;
	*out_at = at;
	*n = k;
	return 0;
}

static void build_product_info(mg_catalogue *cat, mg_product *p, const mg_doc *doc)
{
	const mg_node *root = doc->root;
	p->name = str_at(cat, doc, root, "data-product-name", &p->name_at);
	p->owner = str_at(cat, doc, root, "data-product-owner", &p->owner_at);
	p->maintainer = str_at(cat, doc, root, "data-product-maintainer", NULL);
	if (!p->maintainer)
		p->maintainer = str_at(cat, doc, root, "data-product-mantainer", NULL);
	p->description = str_at(cat, doc, root, "description", NULL);
	p->source_system = str_at(cat, doc, root, "source-system", NULL);
	p->version = str_at(cat, doc, root, "version", NULL);
	p->eslit = str_at(cat, doc, root, "enterprise-system-landscape-information-tracker", NULL);
	const mg_node *dq = mg_obj_get(root, "dq-rules");
	if (dq && dq->type == MG_NODE_STRING)
		p->dq_rules = keep(cat, dq->u.string.ptr, dq->u.string.len);
	else if (dq && ((dq->type == MG_NODE_ARRAY && dq->u.array.count) ||
			(dq->type == MG_NODE_OBJECT && dq->u.object.count)))
		p->dq_rules = "";
	const mg_node *up = mg_obj_get(root, "usage-patterns"), *edc = mg_obj_get(root, "edc-data-objects");
	p->nusage_patterns = up && up->type == MG_NODE_ARRAY ? up->u.array.count : 0;
	p->nedc_objects = edc && edc->type == MG_NODE_ARRAY ? edc->u.array.count : 0;
}

static void build_producer(mg_catalogue *cat, mg_product *p, const mg_doc *doc)
{
	const mg_node *root = doc->root;
	p->producer_account = str_at(cat, doc, root, "producer-account-id", &p->producer_account_at);
	p->producer_role_arn = str_at(cat, doc, root, "producer-role-arn", &p->producer_role_arn_at);
	p->bucket = str_at(cat, doc, root, "bucket-name", &p->bucket_at);
}

static int build_outputs(mg_catalogue *cat, mg_product *p, const mg_doc *doc)
{
	const mg_node *outs = mg_obj_get(doc->root, "outputs");
	if (!outs || outs->type != MG_NODE_OBJECT || outs->u.object.count == 0)
		return 0;
	size_t n = outs->u.object.count;
	p->tables = mg_arena_calloc(&cat->arena, n, sizeof *p->tables);
	if (!p->tables)
		return mg_oom();
	for (size_t i = 0; i < n; i++) {
		const mg_member *m = &outs->u.object.members[i];
		mg_table *t = &p->tables[p->ntables++];
		const mg_node *o = m->value;
		int r;
		t->name = keep(cat, m->key, m->key_len);
		t->at = pos_of(doc, m->line, m->col);
		t->visibility = MG_VIS_PUBLIC;
		if (o->type != MG_NODE_OBJECT)
			continue;
		t->location = str_at(cat, doc, o, "location", &t->location_at);
		t->file_format = str_at(cat, doc, o, "file-format", NULL);
		t->port_type = str_at(cat, doc, o, "port-type", NULL);
		t->description = str_at(cat, doc, o, "description", NULL);
		const mg_node *ret = mg_obj_get(o, "retention-time");
		const mg_node *rtime = mg_obj_get(ret, "time");
		t->retention_unit = str_at(cat, doc, ret, "unit", NULL);
		if (rtime && rtime->type == MG_NODE_NUMBER && rtime->u.number.is_integer &&
		    rtime->u.number.value >= 1 && rtime->u.number.value < 1e9)
			t->retention_time = (long)rtime->u.number.value;
		if ((r = strings_at(cat, doc, mg_obj_get(o, "partition-columns"), &t->partitions,
				    &t->partitions_at, &t->npartitions)) < 0)
			return r;
		const mg_node *cols = mg_obj_get(o, "columns");
		if (cols && cols->type == MG_NODE_ARRAY) {
			t->columns_known = true;
			/* room for classified-only columns is added when visibility is merged */
			t->columns = mg_arena_calloc(&cat->arena, cols->u.array.count ? cols->u.array.count : 1,
						     sizeof *t->columns);
			if (!t->columns)
				return mg_oom();
			for (size_t j = 0; j < cols->u.array.count; j++) {
				const mg_node *c = cols->u.array.items[j];
				const char *name = str_at(cat, doc, c, "name", NULL);
				if (!name)
					continue;
				mg_column *col = &t->columns[t->ncolumns++];
				col->name = name;
				col->at = node_pos(doc, c);
				col->type = str_at(cat, doc, c, "type", NULL);
				col->description = str_at(cat, doc, c, "description", NULL);
				col->declared = true;
			}
		}
	}
	return 0;
}

static size_t table_index(const mg_product *p, const char *name)
{
	for (size_t i = 0; i < p->ntables; i++)
		if (strcmp(p->tables[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

static size_t name_hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static const char *const vis_names[] = { "public", "internal", "confidential" };

static int add_conflict(mg_catalogue *cat, mg_product *p, const mg_class_conflict *c)
{
	/* conflicts are rare: the array grows by one, in the arena */
	mg_class_conflict *v = mg_arena_calloc(&cat->arena, p->nconflicts + 1, sizeof *v);
	if (!v)
		return mg_oom();
	if (p->nconflicts)
		memcpy(v, p->conflicts, p->nconflicts * sizeof *v);
	v[p->nconflicts++] = *c;
	p->conflicts = v;
	return 0;
}

/* "pii", "pci", "pii and pci", "not pii or pci". */
static const char *flag_words(bool pii, bool pci)
{
	return pii && pci ? "pii and pci" : pii ? "pii" : pci ? "pci" : "neither pii nor pci";
}

static int merge_visibility(mg_catalogue *cat, mg_product *p, const mg_doc *doc)
{
	const mg_node *tables = mg_obj_get(doc->root, "tables");
	if (!tables || tables->type != MG_NODE_ARRAY)
		return 0;
	size_t n = tables->u.array.count;
	if (n) {
		p->orphans = mg_arena_calloc(&cat->arena, n, sizeof *p->orphans);
		if (!p->orphans)
			return mg_oom();
	}
	for (size_t i = 0; i < n; i++) {
		const mg_node *e = tables->u.array.items[i];
		mg_pos at;
		const char *name = str_at(cat, doc, e, "name", &at);
		if (!name)
			continue;
		size_t ti = table_index(p, name);
		mg_table *t = ti == SIZE_MAX ? NULL : &p->tables[ti];
		if (!t) {
			p->orphans[p->norphans].name = name;
			p->orphans[p->norphans].at = at;
			p->norphans++;
			continue;
		}
		mg_pos vat;
		const char *vis = str_at(cat, doc, e, "visibility", &vat);
		for (int v = 0; vis && v < 3; v++)
			if (strcmp(vis, vis_names[v]) == 0) {
				if (t->vis_listed && (mg_visibility)v != t->visibility) {
					mg_class_conflict c = { t->name, NULL, vat, t->vis_at, vis_names[t->visibility],
								vis_names[v] };
					int r = add_conflict(cat, p, &c);
					if (r < 0)
						return r;
				}
				/* listed twice: the most restrictive entry wins */
				if (!t->vis_listed || (mg_visibility)v > t->visibility) {
					t->visibility = (mg_visibility)v;
					t->vis_at = vat;
				}
				t->vis_listed = true;
			}
		const mg_node *cols = mg_obj_get(e, "columns");
		if (!cols || cols->type != MG_NODE_ARRAY || cols->u.array.count == 0)
			continue;
		/* an open-addressing index of column names, so large tables stay linear */
		size_t extra = cols->u.array.count;
		size_t cap = 16;
		while (cap < 2 * (t->ncolumns + extra))
			cap *= 2;
		size_t *slot = malloc(cap * sizeof *slot);
		if (!slot)
			return mg_oom();
		for (size_t k = 0; k < cap; k++)
			slot[k] = SIZE_MAX;
		for (size_t k = 0; k < t->ncolumns; k++) {
			size_t h = name_hash(t->columns[k].name) & (cap - 1);
			while (slot[h] != SIZE_MAX)
				h = (h + 1) & (cap - 1);
			slot[h] = k;
		}
		/* grow the column array only by the classified-only columns (usually none) */
		size_t missing = 0;
		for (size_t j = 0; j < cols->u.array.count; j++) {
			const mg_node *cn = mg_obj_get(cols->u.array.items[j], "name");
			if (!cn || cn->type != MG_NODE_STRING)
				continue;
			size_t h = name_hash(cn->u.string.ptr) & (cap - 1);
			bool found = false;
			for (; slot[h] != SIZE_MAX && !found; h = (h + 1) & (cap - 1))
				found = strcmp(t->columns[slot[h]].name, cn->u.string.ptr) == 0;
			missing += !found;
		}
		if (missing) {
			mg_column *grown = mg_arena_calloc(&cat->arena, t->ncolumns + missing, sizeof *grown);
			if (!grown) {
				free(slot);
				return mg_oom();
			}
			if (t->ncolumns)
				memcpy(grown, t->columns, t->ncolumns * sizeof *grown);
			t->columns = grown;
		}
		for (size_t j = 0; j < cols->u.array.count; j++) {
			const mg_node *c = cols->u.array.items[j];
			const mg_node *cn = mg_obj_get(c, "name");
			if (!cn || cn->type != MG_NODE_STRING)
				continue;
			const char *cname = cn->u.string.ptr;
			mg_column *col = NULL;
			size_t h = name_hash(cname) & (cap - 1);
			for (; slot[h] != SIZE_MAX; h = (h + 1) & (cap - 1))
				if (strcmp(t->columns[slot[h]].name, cname) == 0) {
					col = &t->columns[slot[h]];
					break;
				}
			if (!col) {
				slot[h] = t->ncolumns;
				col = &t->columns[t->ncolumns++];
				col->name = keep(cat, cname, cn->u.string.len);
				col->at = node_pos(doc, c);
			}
			const mg_node *pii = mg_obj_get(c, "pii"), *pci = mg_obj_get(c, "pci");
			bool is_pii = pii && pii->type == MG_NODE_BOOL && pii->u.boolean;
			bool is_pci = pci && pci->type == MG_NODE_BOOL && pci->u.boolean;
			if (col->classified && (is_pii != col->pii || is_pci != col->pci)) {
				/* classified twice, differently: the flags of both apply */
				mg_class_conflict cf = { t->name, col->name, node_pos(doc, c), col->class_at,
							 flag_words(col->pii, col->pci), flag_words(is_pii, is_pci) };
				int r = add_conflict(cat, p, &cf);
				if (r < 0) {
					free(slot);
					return r;
				}
			}
			col->classified = true;
			col->class_at = node_pos(doc, c);
			if (pii && pii->type == MG_NODE_BOOL && pii->u.boolean) {
				col->pii = true;
				col->pii_at = node_pos(doc, pii);
			}
			if (pci && pci->type == MG_NODE_BOOL && pci->u.boolean) {
				col->pci = true;
				col->pci_at = node_pos(doc, pci);
			}
		}
		free(slot);
	}
	return 0;
}

static void build_clearance(mg_catalogue *cat, const mg_doc *doc, const mg_node *n, mg_clearance *c)
{
	if (!n || n->type != MG_NODE_OBJECT)
		return;
	c->present = true;
	c->at = node_pos(doc, n);
	c->approved_by = str_at(cat, doc, n, "approved-by", NULL);
	c->reason = str_at(cat, doc, n, "reason", NULL);
	c->expires = str_at(cat, doc, n, "expires", &c->expires_at);
}

static int build_consumers(mg_catalogue *cat, mg_product *p, const mg_doc *doc)
{
	const mg_node *arr = mg_obj_get(doc->root, "consumers");
	if (!arr || arr->type != MG_NODE_ARRAY || arr->u.array.count == 0)
		return 0;
	p->consumers = mg_arena_calloc(&cat->arena, arr->u.array.count, sizeof *p->consumers);
	if (!p->consumers)
		return mg_oom();
	for (size_t i = 0; i < arr->u.array.count; i++) {
		const mg_node *o = arr->u.array.items[i];
		if (o->type != MG_NODE_OBJECT)
			continue;
		mg_consumer *c = &p->consumers[p->nconsumers++];
		int r;
		c->at = node_pos(doc, o);
		c->account = str_at(cat, doc, o, "account", &c->account_at);
		c->role_arn = str_at(cat, doc, o, "consumer-role-arn", &c->role_arn_at);
		c->postgres_role = str_at(cat, doc, o, "postgres-role", &c->postgres_role_at);
		c->contact = str_at(cat, doc, o, "contact", NULL);
		c->team = str_at(cat, doc, o, "team", NULL);
		const char *type = str_at(cat, doc, o, "type", &c->type_at);
		c->channel = !type ? MG_CHANNEL_UNKNOWN
			   : strcmp(type, "lakeformation") == 0 ? MG_CHANNEL_LAKEFORMATION
			   : strcmp(type, "iam") == 0 ? MG_CHANNEL_IAM
			   : strcmp(type, "postgres") == 0 ? MG_CHANNEL_POSTGRES
			   : MG_CHANNEL_UNKNOWN;
		const mg_node *tables = mg_obj_get(o, "tables");
		if (tables && tables->type == MG_NODE_ARRAY) {
			c->has_tables = true;
			if ((r = strings_at(cat, doc, tables, &c->tables, &c->tables_at, &c->ntables)) < 0)
				return r;
		}
		const mg_node *access = mg_obj_get(o, "access");
		build_clearance(cat, doc, mg_obj_get(access, "confidential"), &c->access[MG_CLEAR_CONFIDENTIAL]);
		build_clearance(cat, doc, mg_obj_get(access, "pii"), &c->access[MG_CLEAR_PII]);
		build_clearance(cat, doc, mg_obj_get(access, "pci"), &c->access[MG_CLEAR_PCI]);
	}
	return 0;
}

static int build_inputs(mg_catalogue *cat, mg_product *p, const mg_doc *doc)
{
	const mg_node *obj = mg_obj_get(doc->root, "inputs");
	if (!obj || obj->type != MG_NODE_OBJECT || obj->u.object.count == 0)
		return 0;
	p->inputs = mg_arena_calloc(&cat->arena, obj->u.object.count, sizeof *p->inputs);
	if (!p->inputs)
		return mg_oom();
	for (size_t i = 0; i < obj->u.object.count; i++) {
		const mg_member *m = &obj->u.object.members[i];
		mg_input *in = &p->inputs[p->ninputs++];
		int r;
		in->key = keep(cat, m->key, m->key_len);
		in->at = pos_of(doc, m->line, m->col);
		const char *type = str_at(cat, doc, m->value, "type", NULL);
		in->declared_product = type && strcmp(type, "data-product") == 0;
		if ((r = strings_at(cat, doc, mg_obj_get(m->value, "tables"), &in->tables, &in->tables_at,
				    &in->ntables)) < 0)
			return r;
	}
	return 0;
}

int mg_model_build_product(mg_catalogue *cat, mg_product *p, mg_doc *docs[MG_FILE__COUNT])
{
	int r = 0;
	cat->oom = false;
	for (int k = 0; k < MG_FILE__COUNT && r == 0; k++) {
		p->loaded[k] = docs[k] != NULL;
		/* positions name the file through the catalogue's copy of its path */
		if (docs[k] && !(docs[k]->path = p->files[k] ? p->files[k] : keep(cat, docs[k]->path, strlen(docs[k]->path))))
			r = mg_oom();
	}
	if (r == 0 && docs[MG_FILE_PRODUCT])
		build_product_info(cat, p, docs[MG_FILE_PRODUCT]);
	if (r == 0 && docs[MG_FILE_PRODUCER])
		build_producer(cat, p, docs[MG_FILE_PRODUCER]);
	if (r == 0 && docs[MG_FILE_OUTPUTS])
		r = build_outputs(cat, p, docs[MG_FILE_OUTPUTS]);
	if (r == 0 && docs[MG_FILE_VISIBILITY])
		r = merge_visibility(cat, p, docs[MG_FILE_VISIBILITY]);
	if (r == 0 && docs[MG_FILE_CONSUMERS])
		r = build_consumers(cat, p, docs[MG_FILE_CONSUMERS]);
	if (r == 0 && docs[MG_FILE_INPUTS])
		r = build_inputs(cat, p, docs[MG_FILE_INPUTS]);
	if (r == 0 && cat->oom)
		r = mg_oom();
	/* everything the model needs is copied: the trees go now, which keeps a
	 * large catalogue's memory to its model instead of all its documents */
	for (int k = 0; k < MG_FILE__COUNT; k++) {
		mg_doc_free(docs[k]);
		docs[k] = NULL;
	}
	return r;
}

const mg_table *mg_product_table(const mg_product *p, const char *name)
{
	size_t i = table_index(p, name);
	return i == SIZE_MAX ? NULL : &p->tables[i];
}

const mg_column *mg_table_column(const mg_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return &t->columns[i];
	return NULL;
}
