/*
 * facts.h - the facts cache of the validator (private to src/catalogue/).
 *
 * A hook run validates a catalogue of which usually one product changed.
 * For every product it checked, a run keeps that product's facts - what
 * the global rules read of it (name, environment, output tables with their
 * locations, inputs with their tables, and the positions of each) - and
 * the product's own findings (parse, schema, per-product and cross-file
 * rules; never a global rule's, which mention other products), keyed by
 * the product folder's stamp (each file's name, mode and blob id; see
 * mg_source.stamp).  The next run re-reads only the products whose stamp
 * changed and takes the others from the cache.
 *
 * The file, "<cache dir>/facts-v1", starts with a key naming everything
 * else the findings depend on: the meshgate binary (version, and size and
 * time of the executable, so a rebuild is a new binary), the config's stamp
 * and the catalogue root.  A file with another key, or that does not parse,
 * is an empty cache.  It is replaced atomically (written aside, renamed).
 * A product whose findings depend on the date (a clearance with an expiry)
 * is kept with the date it was checked on and reused only on that date.
 *
 * Ownership: a mg_facts_cache is the caller's, freed with mg_facts_free().
 * Products filled from the cache borrow strings from the catalogue's
 * arena, into which the file is read.
 */
#ifndef MESHGATE_VALIDATOR_FACTS_H
#define MESHGATE_VALIDATOR_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshgate/finding.h"
#include "meshgate/model.h"

typedef struct mg_facts_cache mg_facts_cache;

/*
 * Opens the cache in dir for a run whose findings depend on key (the
 * caller's: config stamp, catalogue root; the binary's identity is added
 * here).  The file is read into cat's arena.  Never fails for a missing,
 * stale or damaged file (the cache is just empty); MG_ENOMEM only.
 */
int mg_facts_open(mg_facts_cache **out, const char *dir, const void *key, size_t keylen,
		  mg_catalogue *cat);

/*
 * Looks a product folder up by its stamp.  On a hit (returns 1), fills p
 * (zeroed, environment and folder set) with the product's facts, adds its
 * findings to f and sets *nfiles and *spent (files read and suggestion
 * budget its rules spent when it was checked).  0 on a miss; MG_ENOMEM.
 */
int mg_facts_lookup(mg_facts_cache *c, const char *stamp, size_t stamplen, const char *today,
		    mg_catalogue *cat, mg_product *p, mg_findings *f, size_t *nfiles, uint64_t *spent);

/*
 * Records a product checked in full for the next run: its stamp, facts,
 * own findings (f->items[first[k], end[k]) for k in 0..nranges-1), files
 * read and suggestion budget spent.  0 or MG_ENOMEM.
 */
int mg_facts_record(mg_facts_cache *c, const char *stamp, size_t stamplen, const char *today,
		    const mg_product *p, const mg_findings *f, const size_t *first, const size_t *end,
		    size_t nranges, size_t nfiles, uint64_t spent);

/*
 * Writes the cache for the next run - the entries recorded and the ones
 * looked up with a hit - when that differs from what was read.  0, or
 * MG_EIO with a message (the caller may ignore it: the cache is only a
 * cache).
 */
int mg_facts_save(mg_facts_cache *c);

void mg_facts_free(mg_facts_cache *c);

#endif
