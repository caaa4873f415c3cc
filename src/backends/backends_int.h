/*
 * backends_int.h - what each backend module gives the registry
 * (registry.c): a constructor from meshgate.yaml and an option check.
 * Private to src/backends/.
 */
#ifndef MESHGATE_BACKENDS_INT_H
#define MESHGATE_BACKENDS_INT_H

#include "meshgate/backend.h"

/*
 * Where the problems of one backend's options go (options.c): `config`
 * findings on path when findings is not NULL (validate, check), else the
 * first problem becomes the error (MG_EINVALID in first) when a backend
 * is built.
 */
typedef struct mg_backend_reporter {
	const char *path;
	mg_findings *findings;
	int first; /* 0, or the error code of the first problem (findings == NULL) */
} mg_backend_reporter;

/* Reports one problem at node `at` (NULL: 1:1); < 0 only when a finding could not be stored. */
int mg_backend_problem(mg_backend_reporter *rp, const mg_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int mg_backend_local_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_local_check(const mg_node *options, const char *path, mg_findings *findings);

#ifdef MESHGATE_WITH_POSTGRES
int mg_backend_postgres_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_postgres_check(const mg_node *options, const char *path, mg_findings *findings);
#endif
#ifdef MESHGATE_WITH_LAKEFORMATION
int mg_backend_s3policy_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_s3policy_check(const mg_node *options, const char *path, mg_findings *findings);
int mg_backend_lakeformation_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_lakeformation_check(const mg_node *options, const char *path, mg_findings *findings);
#endif

#endif
