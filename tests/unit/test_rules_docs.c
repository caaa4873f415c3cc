/*
 * test_rules_docs.c - docs/rules.md (embedded, printed by `meshgate
 * explain`) has one section per registered rule, in registry order, whose
 * stated default severity is the registry's, with a failing and a passing
 * example; and the embedded PII patterns load.
 */
#include <stdio.h>
#include <string.h>

#include "meshgate/embedded.h"
#include "meshgate/finding.h"
#include "meshgate/rules.h"
#include "mgt.h"

static void test_rules_docs__one_section_per_rule_in_order(void)
{
	const char *doc = mg_embedded_find("rules.md", NULL);
	MGT_CHECK(doc != NULL);
	if (!doc)
		return;
	const char *prev = doc;
	for (int i = 0; i < MG_RULE__COUNT; i++) {
		char head[64], sev[64];
		snprintf(head, sizeof head, "\n## %s\n", mg_rule_id((mg_rule)i));
		const char *s = strstr(doc, head);
		if (!s) {
			fprintf(stderr, "docs/rules.md: no section '## %s'\n", mg_rule_id((mg_rule)i));
			mgt__failures++;
			continue;
		}
		MGT_CHECK(s >= prev);
		prev = s;
		const char *end = strstr(s + 1, "\n## ");
		size_t len = end ? (size_t)(end - s) : strlen(s);
		snprintf(sev, sizeof sev, "**Default:** %s.",
			 mg_severity_name(mg_rule_default_severity((mg_rule)i)));
		char section[8192];
		snprintf(section, sizeof section, "%.*s", (int)len, s);
		if (!strstr(section, sev) || !strstr(section, "Fails") || !strstr(section, "Passes")) {
			fprintf(stderr, "docs/rules.md: section '%s' lacks '%s', Fails or Passes\n",
				mg_rule_id((mg_rule)i), sev);
			mgt__failures++;
		}
	}
}

static void test_rules_docs__embedded_patterns_load(void)
{
	mg_pii_matcher *m = NULL;
	MGT_EQ_INT(mg_pii_matcher_new(&m, NULL), 0);
	MGT_CHECK(mg_pii_match(m, "email") != NULL);
	mg_pii_matcher_free(m);
}

MGT_MAIN(test_rules_docs__one_section_per_rule_in_order, test_rules_docs__embedded_patterns_load)
