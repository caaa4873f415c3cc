/* test_pii.c - the PII/PCI column-name matcher: word splitting, the built-in list, near misses, config patterns. */
#include <stdlib.h>
#include <string.h>

#include "meshgate/config.h"
#include "meshgate/rules.h"
#include "mgt.h"

static mg_pii_matcher *builtin(void)
{
	mg_pii_matcher *m = NULL;
	MGT_EQ_INT(mg_pii_matcher_new(&m, NULL), 0);
	MGT_CHECK(m != NULL);
	return m;
}

/* Expects `name` to match the pattern called `pattern` (NULL: no match). */
#define EXPECT(m, name, pattern) expect(m, name, pattern, __LINE__)

static void expect(const mg_pii_matcher *m, const char *name, const char *pattern, int line)
{
	const mg_pii_pattern *p = mg_pii_match(m, name);
	const char *got = p ? p->name : "(none)";
	const char *want = pattern ? pattern : "(none)";
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "test_pii.c:%d: '%s' matched %s, expected %s\n", line, name, got, want);
		mgt__failures++;
	}
}

static void test_pii__spellings_of_email(void)
{
	mg_pii_matcher *m = builtin();
	EXPECT(m, "email", "email");
	EXPECT(m, "customer_email", "email");
	EXPECT(m, "customerEmail", "email");
	EXPECT(m, "CustomerEmail", "email");
	EXPECT(m, "customer-email", "email");
	EXPECT(m, "e_mail", "email");
	EXPECT(m, "eMail", "email");
	EXPECT(m, "E-Mail", "email");
	EXPECT(m, "EMAIL_ADDRESS", "email");
	EXPECT(m, "emails", "email");
	EXPECT(m, "contact.email", "email");
	EXPECT(m, "email2", "email");
	/* near misses */
	EXPECT(m, "mailbox_count", NULL);
	EXPECT(m, "mailbox", NULL);
	EXPECT(m, "gmail_label", NULL);
	EXPECT(m, "email_count", NULL);
	EXPECT(m, "emailVerified", NULL);
	mg_pii_matcher_free(m);
}

static void test_pii__builtin_coverage(void)
{
	mg_pii_matcher *m = builtin();
	EXPECT(m, "first_name", "person name");
	EXPECT(m, "firstName", "person name");
	EXPECT(m, "FIRSTNAME", "person name");
	EXPECT(m, "last_name", "person name");
	EXPECT(m, "surname", "person name");
	EXPECT(m, "full_name", "person name");
	EXPECT(m, "customer_name", "person name");
	EXPECT(m, "phone_number", "phone number");
	EXPECT(m, "mobilePhone", "phone number");
	EXPECT(m, "tel", "phone number");
	EXPECT(m, "date_of_birth", "birth date");
	EXPECT(m, "birthDate", "birth date");
	EXPECT(m, "dob", "birth date");
	EXPECT(m, "ssn", "national id");
	EXPECT(m, "national_id", "national id");
	EXPECT(m, "social_security_number", "national id");
	EXPECT(m, "passport", "passport number");
	EXPECT(m, "passport_no", "passport number");
	EXPECT(m, "passportNumber", "passport number");
	EXPECT(m, "tax_id", "tax id");
	EXPECT(m, "vat_number", "tax id");
	EXPECT(m, "iban", "iban");
	EXPECT(m, "payer_iban", "iban");
	EXPECT(m, "bank_account_number", "bank account");
	EXPECT(m, "card_number", "card number");
	EXPECT(m, "cardNumber", "card number");
	EXPECT(m, "credit_card", "card number");
	EXPECT(m, "pan", "card number");
	EXPECT(m, "cvv", "card verification code");
	EXPECT(m, "cvc2", "card verification code");
	EXPECT(m, "card_expiry", "card expiry");
	EXPECT(m, "card_expiry_date", "card expiry");
	EXPECT(m, "exp_month", "card expiry");
	EXPECT(m, "cardholder_name", "cardholder name");
	EXPECT(m, "ip_address", "ip address");
	EXPECT(m, "IPAddress", "ip address");
	EXPECT(m, "client_ip", "ip address");
	EXPECT(m, "ipv4", "ip address");
	EXPECT(m, "IPv6Address", "ip address");
	EXPECT(m, "imei", "device id");
	EXPECT(m, "idfa", "device id");
	EXPECT(m, "device_id", "device id");
	EXPECT(m, "deviceId", "device id");
	EXPECT(m, "mac_address", "device id");
	EXPECT(m, "street", "postal address");
	EXPECT(m, "street_address", "postal address");
	EXPECT(m, "postcode", "postal address");
	EXPECT(m, "zip_code", "postal address");
	EXPECT(m, "zipCode", "postal address");
	EXPECT(m, "zip", "postal address");
	EXPECT(m, "billing_address", "postal address");
	EXPECT(m, "address_line_1", "postal address");
	EXPECT(m, "latitude", "geolocation");
	EXPECT(m, "longitude", "geolocation");
	EXPECT(m, "geo_location", "geolocation");
	EXPECT(m, "geoLocation", "geolocation");
	EXPECT(m, "lat", "geolocation");
	EXPECT(m, "username", "username");
	EXPECT(m, "user_name", "username");
	mg_pii_matcher_free(m);
}

static void test_pii__near_misses(void)
{
	mg_pii_matcher *m = builtin();
	EXPECT(m, "zip_file", NULL);
	EXPECT(m, "zipFile", NULL);
	EXPECT(m, "zipper", NULL);
	EXPECT(m, "filename", NULL);
	EXPECT(m, "file_name", NULL);
	EXPECT(m, "product_name", NULL);
	EXPECT(m, "name", NULL);
	EXPECT(m, "article_number", NULL);
	EXPECT(m, "order_number", NULL);
	EXPECT(m, "date", NULL);
	EXPECT(m, "update_date", NULL);
	EXPECT(m, "password", NULL);
	EXPECT(m, "pass", NULL);
	EXPECT(m, "ship_date", NULL);
	EXPECT(m, "relationship", NULL);
	EXPECT(m, "japan_sales", NULL);
	EXPECT(m, "credit_card_type", NULL);
	EXPECT(m, "phone_model", NULL);
	EXPECT(m, "address_type", NULL);
	EXPECT(m, "latency_ms", NULL);
	EXPECT(m, "ipsum", NULL);
	EXPECT(m, "sales_trends", NULL);
	EXPECT(m, "foobar", NULL);
	EXPECT(m, "", NULL);
	EXPECT(m, "___", NULL);
	EXPECT(m, "42", NULL);
	mg_pii_matcher_free(m);
}

static void test_pii__order_and_hostile_names(void)
{
	mg_pii_matcher *m = builtin();
	/* specific patterns win over postal address */
	EXPECT(m, "email_address", "email");
	EXPECT(m, "remote_addr", "ip address");
	/* odd bytes are letters without case; they never crash */
	EXPECT(m, "\xc3\xa9mail", NULL);
	EXPECT(m, "kunden_\xc3\xa9_email", "email");
	/* long names are matched on their first 512 bytes */
	char *big = malloc(100001);
	memset(big, 'a', 100000);
	big[100000] = '\0';
	EXPECT(m, big, NULL);
	memcpy(big, "email_", 6);
	EXPECT(m, big, "email");
	for (size_t i = 0; i < 100000; i += 2)
		big[i] = '_';
	EXPECT(m, big, NULL);
	free(big);
	MGT_CHECK(mg_pii_match(NULL, "email") == NULL);
	MGT_CHECK(mg_pii_match(m, NULL) == NULL);
	mg_pii_matcher_free(m);
	mg_pii_matcher_free(NULL);
}

static void test_pii__config_extends_and_replaces(void)
{
	mg_config cfg;
	mg_config_init(&cfg);
	const char *match[] = { "Loyalty-Card ID" };
	const char *unless[] = { "loyalty card id hash" };
	mg_pii_pattern pats[] = {
		{ "loyalty card", false, match, 1, unless, 1 },
	};
	cfg.pii = pats;
	cfg.npii = 1;
	mg_pii_matcher *m = NULL;
	MGT_EQ_INT(mg_pii_matcher_new(&m, &cfg), 0);
	EXPECT(m, "loyalty_card_id", "loyalty card");
	EXPECT(m, "loyaltyCardId", "loyalty card");
	EXPECT(m, "loyalty_card_id_hash", NULL);
	EXPECT(m, "email", "email");
	mg_pii_matcher_free(m);

	cfg.pii_replace = true;
	MGT_EQ_INT(mg_pii_matcher_new(&m, &cfg), 0);
	EXPECT(m, "loyalty_card_id", "loyalty card");
	EXPECT(m, "email", NULL);
	mg_pii_matcher_free(m);
	cfg.pii = NULL;
	cfg.npii = 0;
	mg_config_release(&cfg);
}

MGT_MAIN(test_pii__spellings_of_email, test_pii__builtin_coverage, test_pii__near_misses,
	 test_pii__order_and_hostile_names, test_pii__config_extends_and_replaces)
