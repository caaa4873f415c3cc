/*
 * test_config.c - meshgate.yaml extend-enums: what the config keeps, which
 * schema extensions it hands the validator, and that the policy key (the
 * facts cache's) changes with every value.
 */
#include <string.h>

#include "meshgate/buf.h"
#include "meshgate/config.h"
#include "mgt.h"

/* Parses yaml into cfg (released by the caller); returns the findings count. */
static size_t parse(mg_config *cfg, const char *yaml)
{
	mg_findings f;
	mg_findings_init(&f);
	mg_config_init(cfg);
	MGT_EQ_INT(mg_config_parse(cfg, "meshgate.yaml", yaml, strlen(yaml), &f), 0);
	size_t n = f.count;
	mg_findings_release(&f);
	return n;
}

/* The policy key of yaml into out. */
static void key_of(mg_buf *out, const char *yaml)
{
	mg_config cfg;
	MGT_EQ_INT((int)parse(&cfg, yaml), 0);
	MGT_EQ_INT(mg_config_policy_key(&cfg, out), 0);
	mg_config_release(&cfg);
}

static int same(const mg_buf *a, const mg_buf *b)
{
	return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

static void test_config__schema_exts(void)
{
	mg_config cfg;
	mg_schema_enum_ext ext[4];
	MGT_EQ_INT((int)parse(&cfg, "extend-enums:\n  port-type: [table]\n  file-format: [iceberg, orc]\n"), 0);
	MGT_EQ_INT((int)cfg.nenum_exts, 2);
	MGT_EQ_INT((int)mg_config_schema_exts(&cfg, "data-product-outputs.schema.json", ext, 4), 2);
	MGT_EQ_STR(ext[0].pointer, "/$defs/output/properties/port-type/enum");
	MGT_EQ_STR(ext[1].pointer, "/$defs/output/properties/file-format/enum");
	MGT_EQ_INT((int)ext[1].nvalues, 2);
	MGT_EQ_STR(ext[1].values[1], "orc");
	MGT_EQ_INT((int)mg_config_schema_exts(&cfg, "data-product-outputs.schema.json", ext, 1), 1);
	MGT_EQ_INT((int)mg_config_schema_exts(&cfg, "data-product-consumers.schema.json", ext, 4), 0);
	mg_config_release(&cfg);
	/* a consumer's type selects a backend channel: not extensible, a config finding */
	MGT_EQ_INT((int)parse(&cfg, "extend-enums:\n  type: [kafka]\n"), 1);
	MGT_EQ_INT((int)cfg.nenum_exts, 0);
	mg_config_release(&cfg);
}

static void test_config__policy_key_has_extensions(void)
{
	mg_buf none = MG_BUF_INIT, one = MG_BUF_INIT, two = MG_BUF_INIT, other = MG_BUF_INIT, again = MG_BUF_INIT;
	key_of(&none, "catalogue: c\n");
	key_of(&one, "catalogue: c\nextend-enums:\n  file-format: [iceberg]\n");
	key_of(&two, "catalogue: c\nextend-enums:\n  file-format: [iceberg, orc]\n");
	key_of(&other, "catalogue: c\nextend-enums:\n  port-type: [iceberg]\n");
	key_of(&again, "extend-enums:\n  file-format: [iceberg]\ncatalogue: c\n");
	MGT_CHECK(!same(&none, &one));
	MGT_CHECK(!same(&one, &two));
	MGT_CHECK(!same(&one, &other));
	MGT_CHECK(same(&one, &again));
	mg_buf_release(&none);
	mg_buf_release(&one);
	mg_buf_release(&two);
	mg_buf_release(&other);
	mg_buf_release(&again);
}

MGT_MAIN(test_config__schema_exts, test_config__policy_key_has_extensions)
