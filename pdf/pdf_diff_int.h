/*
 * eseal PDF adapter - the state shared by the change classifier
 * (pdf_diff.c, with the form and pages in pdf_diff_form.c), its sessions
 * (pdf_diff_session.c) and its check of the bytes after the signed
 * revision (pdf_diff_tail.c).  Private to these files and to
 * pdf_sigfind.c.
 */
#ifndef ESEAL_PDF_DIFF_INT_H
#define ESEAL_PDF_DIFF_INT_H

#include "pdf_adapter.h"
#include "pdf_reader.h"

#define DIFF_MAX_REVISIONS 256   /* later revisions analysed */
#define DIFF_MAX_REASONS 20      /* reasons listed; the rest are counted */
#define DIFF_MAX_DEPTH 32        /* field and page tree depth */
#define DIFF_MAX_NODES 1000000   /* fields + pages + walked objects */
#define DIFF_MAX_WORK (1u << 28) /* xref entries read and compared, in all */

enum {
    ST_CHANGED = 0x01, /* an object of the signed revision, now different */
    ST_NEW = 0x02,     /* absent or free in the signed revision */
    ST_OK = 0x04,      /* judged: a change PAdES permits */
    ST_BAD = 0x08,     /* judged: forbidden, a reason was given */
    ST_OLD_DSS = 0x10, /* part of the signed revision's DSS */
    ST_SEEN = 0x20,    /* visited by the walk under way */
    ST_STM = 0x40,     /* an object stream of the signed revision, seen */
    ST_REFD = 0x80     /* referenced by the later revisions or trailer */
};
#define ST_TOUCHED (ST_CHANGED | ST_NEW)
#define ST_JUDGED (ST_OK | ST_BAD)

/* What is known of one later revision's bytes (pdf_diff_tail.c). */
typedef struct pdf_diff_region {
    uint64_t start;  /* the bytes checked: [start, the revision's end) */
    int state;       /* 0 not checked, 1 only the revision's own, 2 not */
    char *reason;    /* state 2: why */
} pdf_diff_region;

/*
 * One document whose signed revisions are classified in turn: the reader
 * of the whole file and what was learnt of its revisions are shared, and
 * the total work is bounded (pdf_diff_session.c).
 */
typedef struct pdf_diff_session {
    const unsigned char *data;
    uint64_t size;
    const char *name;
    pdf_reader *cur;          /* the whole file */
    int own_cur;              /* cur is freed with the session */
    pdf_arena *arena;         /* scratch objects parsed from the tail */
    uint64_t work;            /* xref entries read and compared so far */
    size_t n_sec;             /* cur's xref sections, newest first */
    uint64_t *rev_end;        /* where each one's revision ends; 0 unknown */
    pdf_diff_region *region;
    /* where the signed bytes first refer to each object number;
     * UINT64_MAX: nowhere (pdf_diff_session.c) */
    uint64_t *first_ref;
    uint32_t n_ref;
    uint64_t raw_done;        /* the raw bytes scanned: [0, raw_done) */
    uint64_t *stm_done;       /* object streams scanned, by offset */
    size_t n_stm_done;
    size_t cap_stm_done;
} pdf_diff_session;

/* One classification: a signed revision against the whole file. */
typedef struct diff {
    pdf_diff_session *s;
    const unsigned char *data;
    uint64_t size;
    uint64_t covered_end;
    const char *name;
    pdf_reader *old;     /* the signed revision */
    pdf_reader *cur;     /* the whole file (the session's) */
    size_t n_later;      /* xref sections after the signed revision */
    uint32_t n;          /* object numbers considered: 1..n-1 */
    uint8_t *st;
    size_t n_nodes;
    int forbidden;
    size_t n_reasons_total;
    char ***reasons;
    size_t *n_reasons;
    int fatal;           /* an error that stops the analysis (ENOMEM) */
    eseal_error *err;
} diff;

/* Classifies the objects that changed (pdf_diff.c). */
void eseal__pdf_diff_compare(diff *d);
/*
 * Forbids new objects that the signed revision already referred to
 * (pdf_diff_session.c).
 */
void eseal__pdf_diff_check_refs(diff *d);
/*
 * Permits the new objects that nothing of the later revisions refers to
 * (pdf_diff_session.c).
 */
void eseal__pdf_diff_unreferenced(diff *d);

/*
 * Opens a session on data[0..size).  cur, when not NULL, is a reader of
 * the same bytes that the caller keeps (and frees after the session).
 */
int eseal__pdf_diff_open(pdf_diff_session **out, pdf_reader *cur,
    const unsigned char *data, uint64_t size, const char *name,
    eseal_error *err);
void eseal__pdf_diff_close(pdf_diff_session *s);
/* eseal__pdf_classify_changes() within a session. */
int eseal__pdf_diff_classify(pdf_diff_session *s, eseal_modifications *out,
    uint64_t covered_end, char ***reasons, size_t *n_reasons,
    eseal_error *err);

/* Adds to the session's work; forbids and returns -1 beyond the limit. */
int eseal__pdf_diff_work(diff *d, uint64_t units);

/* Records a reason and makes the verdict "forbidden". */
void eseal__pdf_diff_forbid(diff *d, const char *fmt, ...)
    ESEAL_PRINTF(2, 3);
/* A failed load: fatal for ENOMEM, otherwise a reason to forbid. */
void eseal__pdf_diff_load_failed(diff *d, int rc, const eseal_error *e);
/* Resolves o in r; NULL for a reference to a free or unknown object. */
pdf_obj *eseal__pdf_diff_resolve(diff *d, pdf_reader *r, pdf_obj *o);

/*
 * Counts the xref sections after the signed revision and finds where each
 * later revision ends; forbids (and returns -1) when they do not extend
 * the signed revision's chain in order (pdf_diff_tail.c).
 */
int eseal__pdf_diff_find_revisions(diff *d);
/*
 * Checks that the bytes after the signed revision are only the later
 * revisions' objects, xref sections and trailers, one revision at a time
 * (each checked once per session) (pdf_diff_tail.c).
 */
void eseal__pdf_diff_check_tail(diff *d);

/* ---- judging objects (pdf_diff.c, pdf_diff_form.c) ---------------- */

/* Marks an object permitted, unless it was forbidden already. */
static inline void set_ok(diff *d, uint32_t num)
{
    if (num > 0 && num < d->n && !(d->st[num] & ST_BAD))
        d->st[num] |= ST_OK;
}

/* Marks an object forbidden (a reason was given). */
static inline void set_bad(diff *d, uint32_t num)
{
    if (num > 0 && num < d->n) {
        d->st[num] &= (uint8_t)~ST_OK;
        d->st[num] |= ST_BAD;
    }
}

/* The state of the object o refers to; 0 for a direct object. */
static inline uint8_t st_of(const diff *d, const pdf_obj *o)
{
    if (o == NULL || o->type != PDF_REF || o->u.ref.num >= d->n)
        return 0;
    return d->st[o->u.ref.num];
}

/* The dictionary of a stream, or o itself. */
static inline const pdf_obj *dict_of(const pdf_obj *o)
{
    if (o != NULL && o->type == PDF_STREAM)
        return o->u.stream.dict;
    return o;
}

/* Has o (or its stream dictionary) this /Type? */
static inline int has_type(const pdf_obj *o, const char *type)
{
    o = dict_of(o);
    return o != NULL && o->type == PDF_DICT &&
        pdf_is_name(pdf_dict_get(o, "Type"), type);
}

/* Loads object num of r; NULL when free, unknown or unreadable. */
pdf_obj *eseal__pdf_diff_load(diff *d, pdf_reader *r, uint32_t num);
/* The value of key in dict (a dictionary or stream), resolved in r. */
pdf_obj *eseal__pdf_diff_get(diff *d, pdf_reader *r, const pdf_obj *dict,
    const char *key);
/* A short description for messages: the /Type, or the kind of value. */
const char *eseal__pdf_diff_kind_of(const pdf_obj *o);
/* 1 when a and b hold the same value (streams: the same bytes too). */
int eseal__pdf_diff_equal(const diff *d, const pdf_obj *a, const pdf_obj *b,
    int depth);
/*
 * Lists in bad[] the keys of the dictionaries a and b that differ and are
 * not allowed to; returns how many.  a may be NULL.
 */
size_t eseal__pdf_diff_keys(const diff *d, const pdf_obj *a, const pdf_obj *b,
    const char *const *allowed, char *bad, size_t bad_size);
/* Permits every new object reachable from o. */
void eseal__pdf_diff_bless(diff *d, pdf_obj *o);
/* Permits what the values of dict reach, except under the keys in skip. */
void eseal__pdf_diff_bless_values(diff *d, pdf_obj *dict,
    const char *const *skip);

/* Judges the AcroForm, its fields and widgets (pdf_diff_form.c). */
void eseal__pdf_diff_judge_acroform(diff *d, pdf_obj *ocat, pdf_obj *ncat);
/*
 * Walks the page tree from node: pages whose /Annots only grew by
 * signature widgets are permitted (pdf_diff_form.c).
 */
void eseal__pdf_diff_walk_pages(diff *d, pdf_obj *node, int depth);

#endif
