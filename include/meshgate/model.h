/*
 * model.h - the catalogue model: environments, products, tables, columns,
 * consumers and inputs, built from documents.  Pure: no I/O.
 *
 * A mg_catalogue owns everything it points to (one arena: the builder copies
 * every string it keeps, so documents are freed as soon as a product is
 * built); every pointer handed out is borrowed until mg_catalogue_release().  Values the schema layer already
 * reported as wrong-typed are left NULL/empty here, so rules never see a
 * value of the wrong type.
 */
#ifndef MESHGATE_MODEL_H
#define MESHGATE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshgate/arena.h"
#include "meshgate/doc.h"

/* A position in a catalogue file; `file` is borrowed from the catalogue. */
typedef struct mg_pos {
	const char *file;
	uint32_t line, col;
} mg_pos;

/* The six files of a product folder, in this order everywhere. */
typedef enum mg_file_kind {
	MG_FILE_PRODUCT,
	MG_FILE_PRODUCER,
	MG_FILE_OUTPUTS,
	MG_FILE_VISIBILITY,
	MG_FILE_CONSUMERS,
	MG_FILE_INPUTS,
	MG_FILE__COUNT
} mg_file_kind;

/* "data-product", "data-product-producer-info", ... */
const char *mg_file_kind_stem(mg_file_kind k);
bool mg_file_kind_required(mg_file_kind k);
/* Matches "<stem>.json|.yaml|.yml"; returns 0 and sets *out, or MG_ENOTFOUND. */
int mg_file_kind_from_name(mg_file_kind *out, const char *basename);

typedef enum mg_visibility {
	MG_VIS_PUBLIC,
	MG_VIS_INTERNAL,
	MG_VIS_CONFIDENTIAL
} mg_visibility;

const char *mg_visibility_name(mg_visibility v);

/* A column, as declared in outputs.<table>.columns and/or classified in visibility. */
typedef struct mg_column {
	const char *name;
	mg_pos at;         /* declaration in outputs, else the visibility entry */
	const char *type;  /* NULL when not given */
	const char *description; /* NULL when not given */
	bool declared;     /* listed in outputs.<table>.columns */
	bool classified;   /* listed in visibility */
	bool pii, pci;
	mg_pos class_at;   /* the visibility entry's position (valid when classified) */
	mg_pos pii_at, pci_at; /* the flags' values (valid when set) */
} mg_column;

typedef struct mg_table {
	const char *name;
	mg_pos at; /* the key in outputs */
	const char *location; /* NULL when absent */
	mg_pos location_at;
	const char *file_format, *port_type;
	const char *description; /* NULL when not given */
	const char *retention_unit; /* retention-time.unit, NULL when not given */
	long retention_time;        /* retention-time.time, 0 when not given */
	const char **partitions;
	mg_pos *partitions_at;
	size_t npartitions;
	bool columns_known; /* outputs gave a column list */
	mg_column *columns; /* declared columns first (in order), then classified-only ones */
	size_t ncolumns;
	mg_visibility visibility; /* public when not listed */
	bool vis_listed;
	mg_pos vis_at; /* the visibility value (valid when vis_listed) */
} mg_table;

/* A visibility entry naming a table that outputs does not have. */
typedef struct mg_orphan_visibility {
	const char *name;
	mg_pos at;
} mg_orphan_visibility;

/*
 * A table or column classified twice in visibility, differently.  The
 * stricter classification is the one the model keeps (the higher
 * visibility; a pii or pci flag set by either entry).
 */
typedef struct mg_class_conflict {
	const char *table;
	const char *column; /* NULL: the table's visibility */
	mg_pos at, first_at; /* the later entry, and the earlier one */
	const char *first, *later; /* what each says: "confidential", "internal"; "pii", "not pii" */
} mg_class_conflict;

typedef struct mg_clearance {
	bool present;
	const char *approved_by, *reason, *expires; /* NULL when absent */
	mg_pos at, expires_at;
} mg_clearance;

typedef enum mg_clearance_kind {
	MG_CLEAR_CONFIDENTIAL,
	MG_CLEAR_PII,
	MG_CLEAR_PCI,
	MG_CLEAR__COUNT
} mg_clearance_kind;

typedef enum mg_channel {
	MG_CHANNEL_UNKNOWN,
	MG_CHANNEL_LAKEFORMATION,
	MG_CHANNEL_IAM,
	MG_CHANNEL_POSTGRES
} mg_channel;

typedef struct mg_consumer {
	mg_pos at; /* the consumer object */
	const char *account, *role_arn, *postgres_role, *contact, *team;
	mg_pos account_at, role_arn_at, postgres_role_at;
	mg_channel channel;
	mg_pos type_at;
	bool has_tables; /* `tables` given: restricts the consumer */
	const char **tables;
	mg_pos *tables_at;
	size_t ntables;
	mg_clearance access[MG_CLEAR__COUNT];
} mg_consumer;

typedef struct mg_input {
	const char *key; /* a source system or a data product's name */
	mg_pos at;
	bool declared_product; /* "type": "data-product" */
	const char **tables;
	mg_pos *tables_at;
	size_t ntables;
} mg_input;

typedef struct mg_product {
	const char *environment; /* folder name */
	const char *folder;      /* repository-relative folder path */
	const char *files[MG_FILE__COUNT]; /* repository-relative paths; NULL when absent */
	bool loaded[MG_FILE__COUNT];       /* parsed without a parse finding */

	const char *name; /* NULL when absent or invalid */
	mg_pos name_at;
	const char *owner, *maintainer;
	mg_pos owner_at;
	/* Descriptive facts of data-product (NULL/0 when absent), for people: the site, scores. */
	const char *description, *source_system, *version, *eslit; /* eslit: enterprise-system-landscape-information-tracker */
	const char *dq_rules;  /* the text when dq-rules is a string, "" for a list or map, NULL when absent */
	size_t nusage_patterns, nedc_objects;

	const char *producer_account, *producer_role_arn, *bucket;
	mg_pos producer_account_at, producer_role_arn_at, bucket_at;

	mg_table *tables;
	size_t ntables;
	mg_orphan_visibility *orphans;
	size_t norphans;
	mg_class_conflict *conflicts;
	size_t nconflicts;
	mg_consumer *consumers;
	size_t nconsumers;
	mg_input *inputs;
	size_t ninputs;
} mg_product;

typedef struct mg_catalogue {
	mg_arena arena;
	const char *root; /* repository-relative catalogue root */
	mg_product *products; /* sorted by folder path */
	size_t nproducts;
	size_t nfiles; /* product files read */
	bool oom;      /* set by the builder when a copy failed */
} mg_catalogue;

void mg_catalogue_init(mg_catalogue *cat);
void mg_catalogue_release(mg_catalogue *cat);

/*
 * Fills `p` (zeroed by the caller, environment/folder/files set) from the
 * parsed documents of its folder; docs[k] may be NULL for an absent or
 * unparsable file.  The documents are freed (and docs[] cleared), also on
 * error.
 */
int mg_model_build_product(mg_catalogue *cat, mg_product *p, mg_doc *docs[MG_FILE__COUNT]);

/* Finds a table of p by name, or NULL. */
const mg_table *mg_product_table(const mg_product *p, const char *name);
const mg_column *mg_table_column(const mg_table *t, const char *name);

#endif
