/*
 * backends_int.h - what each backend module gives the registry
 * (registry.c): a constructor from meshgate.yaml and an option check.
 * Private to src/backends/.
 */
#ifndef MESHGATE_BACKENDS_INT_H
#define MESHGATE_BACKENDS_INT_H

#include "meshgate/backend.h"

int mg_backend_local_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_local_check(const mg_node *options, const char *path, mg_findings *findings);

#ifdef MESHGATE_WITH_POSTGRES
int mg_backend_postgres_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_postgres_check(const mg_node *options, const char *path, mg_findings *findings);
#endif
#ifdef MESHGATE_WITH_LAKEFORMATION
int mg_backend_lakeformation_create(mg_backend **out, const mg_backend_params *p);
int mg_backend_lakeformation_check(const mg_node *options, const char *path, mg_findings *findings);
#endif

#endif
