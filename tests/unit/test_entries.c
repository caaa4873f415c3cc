/*
 * test_entries.c - the catalogue-entries pass (src/catalogue/entries.c):
 * which names are near misses of the six product file names, what each is
 * taken for, and which entries allowed-files lets through.
 */
#include <stdio.h>
#include <string.h>

#include "catalogue/entries.h"
#include "meshgate/config.h"
#include "mgt.h"

typedef struct {
	const char *name;
	mg_near how;
	const char *suggest; /* NULL: MG_NEAR_NONE */
} near_case;

static const near_case names[] = {
	/* the names themselves */
	{ "data-product.json", MG_NEAR_EXACT, "data-product.json" },
	{ "data-product-inputs.yml", MG_NEAR_EXACT, "data-product-inputs.yml" },
	/* case and separators, on every file system */
	{ "Data-Product-Consumers.JSON", MG_NEAR_CASE, "data-product-consumers.json" },
	{ "DATA-PRODUCT.yaml", MG_NEAR_CASE, "data-product.yaml" },
	{ "data_product_producer_info.json", MG_NEAR_CASE, "data-product-producer-info.json" },
	{ "data product outputs.yml", MG_NEAR_CASE, "data-product-outputs.yml" },
	/* one and two edits */
	{ "data-product-consumer.json", MG_NEAR_TYPO, "data-product-consumers.json" },
	{ "data-products-consumers.json", MG_NEAR_TYPO, "data-product-consumers.json" },
	{ "data-product-visibilty.yaml", MG_NEAR_TYPO, "data-product-visibility.yaml" },
	{ "data-prodcut.json", MG_NEAR_TYPO, "data-product.json" }, /* a transposition is one edit */
	{ "dataproduct.json", MG_NEAR_TYPO, "data-product.json" },
	{ "data-product-consumersjson", MG_NEAR_TYPO, "data-product-consumers.json" }, /* a lost dot */
	{ "data-product-inputs..json", MG_NEAR_TYPO, "data-product-inputs.json" },
	/* other extensions, or none */
	{ "data-product-outputs.jsn", MG_NEAR_TYPO, "data-product-outputs.json" },
	{ "data-product-outputs.ymal", MG_NEAR_TYPO, "data-product-outputs.yaml" },
	{ "data-product.txt", MG_NEAR_TYPO, "data-product.json" },
	{ "data-product-consumers", MG_NEAR_TYPO, "data-product-consumers.json" },
	/* anything else that begins with data-product */
	{ "data-product-v2.json", MG_NEAR_TYPO, "data-product.json" },
	{ "data-product-consumers-old.json", MG_NEAR_TYPO, "data-product-consumers.json" },
	/* backup and editor copies */
	{ "data-product-consumers.json.bak", MG_NEAR_BACKUP, "data-product-consumers.json" },
	{ "data-product-consumers.yml~", MG_NEAR_BACKUP, "data-product-consumers.yml" },
	{ "data-product.json.orig", MG_NEAR_BACKUP, "data-product.json" },
	{ ".data-product-visibility.yaml.swp", MG_NEAR_BACKUP, "data-product-visibility.yaml" },
	{ "#data-product.json#", MG_NEAR_BACKUP, "data-product.json" },
	{ "Data-Product-Consumer.JSON.BAK~", MG_NEAR_BACKUP, "data-product-consumers.json" },
	/* not like a product file */
	{ "README.md", MG_NEAR_NONE, NULL },
	{ "notes.txt", MG_NEAR_NONE, NULL },
	{ "outputs.json", MG_NEAR_NONE, NULL },
	{ "schema.json", MG_NEAR_NONE, NULL },
	{ ".gitkeep", MG_NEAR_NONE, NULL },
	{ "", MG_NEAR_NONE, NULL },
	{ "~", MG_NEAR_NONE, NULL },
	{ ".bak", MG_NEAR_NONE, NULL },
	{ "##", MG_NEAR_NONE, NULL },
	{ ".", MG_NEAR_NONE, NULL },
};

static void test_entries__near_misses(void)
{
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		mg_file_kind k = MG_FILE__COUNT;
		char suggest[64] = "";
		mg_near how = mg_product_file_near(names[i].name, &k, suggest, sizeof suggest);
		if (how != names[i].how) {
			fprintf(stderr, "'%s': near %d, expected %d\n", names[i].name, (int)how, (int)names[i].how);
			mgt__failures++;
			continue;
		}
		if (names[i].suggest) {
			MGT_EQ_STR(suggest, names[i].suggest);
			MGT_CHECK(k < MG_FILE__COUNT);
		}
	}
}

static void test_entries__long_names_are_bounded(void)
{
	char name[4096];
	mg_file_kind k;
	char suggest[64];
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	MGT_EQ_INT(mg_product_file_near(name, &k, suggest, sizeof suggest), MG_NEAR_NONE);
	memcpy(name, "data-product-", 13);
	MGT_EQ_INT(mg_product_file_near(name, &k, suggest, sizeof suggest), MG_NEAR_TYPO);
	MGT_EQ_STR(suggest, "data-product.json");
	memset(name, '~', sizeof name - 1);
	MGT_EQ_INT(mg_product_file_near(name, &k, suggest, sizeof suggest), MG_NEAR_NONE);
}

static void test_entries__findings_per_level(void)
{
	mg_config cfg;
	mg_findings f;
	mg_config_init(&cfg);
	mg_findings_init(&f);
	/* default allowed-files: READMEs and .gitkeep */
	MGT_EQ_INT(mg_entries_file(&cfg, MG_LEVEL_PRODUCT, "c/dev/p/README.md", "README.md", NULL, &f), 0);
	MGT_EQ_INT(mg_entries_file(&cfg, MG_LEVEL_ENVIRONMENT, "c/dev/.gitkeep", ".gitkeep", NULL, &f), 0);
	MGT_EQ_INT(f.count, 0);
	/* meshgate.yaml beside environments is only expected at the repository's top level */
	MGT_EQ_INT(mg_entries_file(&cfg, MG_LEVEL_ROOT, "meshgate.yaml", "meshgate.yaml", NULL, &f), 0);
	MGT_EQ_INT(f.count, 0);
	MGT_EQ_INT(mg_entries_file(&cfg, MG_LEVEL_ROOT, "c/meshgate.yaml", "meshgate.yaml", NULL, &f), 0);
	MGT_EQ_INT(f.count, 1);
	MGT_EQ_INT(f.items[0].rule, MG_RULE_UNEXPECTED_FILE);
	/* a product file's name is fine in a product folder (the loader reads it), not elsewhere */
	MGT_EQ_INT(mg_entries_file(&cfg, MG_LEVEL_PRODUCT, "c/dev/p/data-product.json", "data-product.json", NULL, &f), 0);
	MGT_EQ_INT(f.count, 1);
	MGT_EQ_INT(mg_entries_file(&cfg, MG_LEVEL_ENVIRONMENT, "c/dev/data-product.json", "data-product.json", NULL, &f), 0);
	MGT_EQ_INT(f.count, 2);
	MGT_EQ_INT(f.items[1].rule, MG_RULE_MISNAMED_FILE);
	MGT_EQ_INT(f.items[1].line, 1);
	MGT_EQ_INT(f.items[1].col, 1);
	/* a near miss is an error whatever allowed-files says */
	static const char *const all[] = { "*" };
	cfg.allowed_files = all;
	cfg.nallowed_files = 1;
	MGT_EQ_INT(mg_entries_file(&cfg, MG_LEVEL_PRODUCT, "c/dev/p/x.txt", "x.txt", NULL, &f), 0);
	MGT_EQ_INT(f.count, 2);
	const char *files[MG_FILE__COUNT] = { 0 };
	files[MG_FILE_CONSUMERS] = "c/dev/p/data-product-consumers.json";
	MGT_EQ_INT(mg_entries_file(&cfg, MG_LEVEL_PRODUCT, "c/dev/p/data-product-consumer.json",
				   "data-product-consumer.json", files, &f), 0);
	MGT_EQ_INT(f.count, 3);
	MGT_EQ_INT(f.items[2].rule, MG_RULE_MISNAMED_FILE);
	MGT_CHECK(strstr(f.items[2].message, "did you mean data-product-consumers.json?") != NULL);
	MGT_CHECK(strstr(f.items[2].message, "'c/dev/p/data-product-consumers.json' is read") != NULL);
	/* patterns with a slash match the repository-relative path */
	static const char *const some[] = { "c/dev/*/notes.txt" };
	cfg.allowed_files = some;
	MGT_CHECK(mg_config_allows_file(&cfg, "c/dev/p/notes.txt", "notes.txt"));
	MGT_CHECK(!mg_config_allows_file(&cfg, "c/prod/p/notes.txt", "notes.txt"));
	MGT_CHECK(!mg_config_allows_file(&cfg, "c/dev/p/README.md", "README.md"));
	/* a hidden folder beside environments, unless allowed */
	size_t before = f.count;
	MGT_EQ_INT(mg_entries_hidden_folder(&cfg, "c/.retired", ".retired", &f), 0);
	MGT_EQ_INT(f.count, before + 1);
	MGT_EQ_INT(f.items[before].rule, MG_RULE_UNEXPECTED_FILE);
	MGT_EQ_INT(f.items[before].line, 0);
	static const char *const hidden[] = { ".retired" };
	cfg.allowed_files = hidden;
	MGT_EQ_INT(mg_entries_hidden_folder(&cfg, "c/.retired", ".retired", &f), 0);
	MGT_EQ_INT(f.count, before + 1);
	/* an environment: products, or a .gitkeep, or a finding */
	MGT_EQ_INT(mg_entries_environment("c/qa", 1, false, &f), 0);
	MGT_EQ_INT(mg_entries_environment("c/qa", 0, true, &f), 0);
	MGT_EQ_INT(f.count, before + 1);
	MGT_EQ_INT(mg_entries_environment("c/qa", 0, false, &f), 0);
	MGT_EQ_INT(f.count, before + 2);
	MGT_EQ_INT(f.items[before + 1].rule, MG_RULE_EMPTY_ENVIRONMENT);
	mg_findings_release(&f);
	mg_config_release(&cfg);
}

static void test_entries__allowed_files_config(void)
{
	mg_config cfg;
	mg_findings f;
	mg_config_init(&cfg);
	mg_findings_init(&f);
	const char *yaml = "allowed-files: [LICENSE, \"docs/*\"]\n";
	MGT_EQ_INT(mg_config_parse(&cfg, "meshgate.yaml", yaml, strlen(yaml), &f), 0);
	MGT_EQ_INT(f.count, 0);
	MGT_EQ_INT(cfg.nallowed_files, 2);
	MGT_CHECK(mg_config_allows_file(&cfg, "c/LICENSE", "LICENSE"));
	/* a list replaces the default */
	MGT_CHECK(!mg_config_allows_file(&cfg, "c/dev/p/README.md", "README.md"));
	mg_config_release(&cfg);
	mg_config_init(&cfg);
	yaml = "allowed-files: [3]\n";
	MGT_EQ_INT(mg_config_parse(&cfg, "meshgate.yaml", yaml, strlen(yaml), &f), 0);
	MGT_CHECK(f.count >= 1); /* the schema says strings */
	mg_findings_release(&f);
	mg_config_release(&cfg);
}

MGT_MAIN(test_entries__near_misses, test_entries__long_names_are_bounded, test_entries__findings_per_level,
	 test_entries__allowed_files_config)
