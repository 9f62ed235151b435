/*
 * eseal - the long-term part of verification: document timestamps,
 * signature and archive timestamps, the time a seal existed by, the chain
 * at that time, revocation at that time (embedded evidence first, then
 * the certificates' own services unless --offline), and the level.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include "ltv.h"

int eseal__ltv_doc_open(eseal_ltv_doc *d, eseal_format format,
    const eseal_source *src, X509_STORE *trust,
    const eseal_verify_opts *opts, eseal_error *err)
{
    const eseal_ltv_adapter *ltv = eseal__ltv_adapter(format);
    int rc;

    memset(d, 0, sizeof(*d));
    d->trust = trust;
    d->opts = opts;
    d->net.offline = opts->offline;
    d->net.timeout = opts->net_timeout;
    d->dss_certs = sk_X509_new_null();
    if (d->dss_certs == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if (ltv != NULL && ltv->read_dss != NULL) {
        eseal_error why = { 0, "" };

        rc = ltv->read_dss(&d->dss, &d->dss_off, src, &why);
        if (rc == ESEAL_ENOMEM)
            return eseal__error_set(err, rc, "%s", why.message);
        if (rc < 0) {
            /* a damaged /DSS: the seals are checked without its data,
             * each with a warning, rather than the document refused */
            eseal__vdata_free(&d->dss);
            d->dss_off = 0;
            snprintf(d->dss_unread, sizeof(d->dss_unread), "%s",
                why.message);
        } else if (eseal__vdata_certs(d->dss_certs, &d->dss) < 0) {
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
        }
    }
    return 0;
}

void eseal__ltv_doc_close(eseal_ltv_doc *d)
{
    size_t i;

    if (d == NULL)
        return;
    for (i = 0; i < d->n_dts; i++)
        free(d->dts[i].authority);
    free(d->dts);
    sk_X509_pop_free(d->dss_certs, X509_free);
    eseal__vdata_free(&d->dss);
    memset(d, 0, sizeof(*d));
}

static const char *md_name_of(const EVP_MD *md)
{
    return OBJ_nid2sn(EVP_MD_get_type(md));
}

/*
 * The timestamp authority's certificate at time at (0: now), from the
 * evidence the document holds (nothing is fetched for it): 0 with why when
 * it was revoked by then, else 1.  A token whose authority was revoked
 * before a later timestamp protected it proves no time.
 */
static int tsa_not_revoked(const eseal_ts *ts, STACK_OF(X509) *untrusted,
    const eseal_vdata *ev, time_t at, char *why, size_t why_size)
{
    X509 *issuer = eseal__issuer_in(ts->certs, ts->signer);
    eseal_rev rev;
    char when[21];

    if (issuer == NULL)
        issuer = eseal__issuer_in(untrusted, ts->signer);
    if (issuer == NULL)
        return 1;
    eseal__rev_check(&rev, ts->signer, issuer, ev, at ? at : time(NULL));
    if (rev.source == NULL || rev.status != ESEAL_REVOCATION_REVOKED)
        return 1;
    eseal__time_rfc3339(when, rev.revoked_at);
    snprintf(why, why_size, "the authority's certificate was revoked on %s "
        "(%s)", when, rev.source);
    return 0;
}

int eseal__ltv_doc_timestamps(eseal_ltv_doc *d, eseal_report *r,
    const eseal_verify_job *vj, const eseal_source *src, eseal_error *err)
{
    size_t i, n = 0, first = r->n_doc_ts, k;
    time_t protect = 0;

    for (i = 0; i < vj->n_found; i++)
        if (vj->found[i].kind == ESEAL_FOUND_DOC_TIMESTAMP)
            n++;
    if (n == 0)
        return 0;
    d->dts = calloc(n, sizeof(*d->dts));
    if (d->dts == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    d->n_dts = n;
    for (k = 0; k < n; k++) {
        eseal_doc_timestamp_report *rep;

        if (eseal__report_add_doc_timestamp(r, &rep) < 0)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    /* newest first: each valid one protects the older ones */
    k = n;
    for (i = vj->n_found; i-- > 0;) {
        const eseal_found_signature *f = &vj->found[i];
        eseal_doc_timestamp_report *rep;
        eseal_doc_ts_seen *seen;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        eseal_ts ts;
        const char *why = NULL;
        char revoked[120];

        if (f->kind != ESEAL_FOUND_DOC_TIMESTAMP)
            continue;
        k--;
        rep = &r->doc_ts[first + k];
        seen = &d->dts[k];
        if (f->covered.count == 2)
            seen->end = f->covered.span[1].off + f->covered.span[1].len;
        if (f->contents.len == 0 ||
            eseal__ts_open(&ts, f->contents.data, f->contents.len,
                &why) < 0)
            continue;
        rep->time = seen->time = ts.time;
        if (ts.authority != NULL) {
            rep->authority = eseal__strdup(ts.authority);
            seen->authority = eseal__strdup(ts.authority);
        }
        if (eseal__digest_spans(md, &md_len, md_name_of(ts.md), src, NULL,
                &f->covered, NULL) == 0 &&
            f->modifications_after != ESEAL_MODS_FORBIDDEN &&
            f->n_errors == 0 &&
            eseal__ts_verify(&ts, md, md_len, d->trust, d->dss_certs,
                protect) == 1 &&
            tsa_not_revoked(&ts, d->dss_certs, &d->dss, protect, revoked,
                sizeof(revoked)) == 1) {
            rep->valid = seen->valid = 1;
            protect = ts.time;
        }
        eseal__ts_close(&ts);
    }
    ERR_clear_error();
    return 0;
}

/* ---- one signature ----------------------------------------------------- */

static void add_all(STACK_OF(X509) *to, STACK_OF(X509) *from)
{
    int i;

    for (i = 0; from != NULL && i < sk_X509_num(from); i++)
        (void)eseal__sk_add_unique(to, sk_X509_value(from, i));
}

/* Checks one timestamp over data at time at; 1 valid, 0 not, -1 when
 * only the authority's chain could not be checked (no trust anchor). */
static int check_ts(eseal_ts *ts, const eseal_found_ts *f,
    STACK_OF(X509) *untrusted, const eseal_vdata *ev, eseal_ltv_doc *d,
    time_t at, char *why, size_t why_size)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    const char *w = NULL;
    int r;

    memset(ts, 0, sizeof(*ts));
    if (f->problem != NULL) {
        snprintf(why, why_size, "%s", f->problem);
        return 0;
    }
    if (eseal__ts_open(ts, f->token.data, f->token.len, &w) < 0) {
        snprintf(why, why_size, "%s", w);
        return 0;
    }
    if (eseal__ts_digest(ts, md, &md_len, f->data.data, f->data.len) < 0) {
        snprintf(why, why_size, "cannot compute the timestamp's imprint");
        return 0;
    }
    r = eseal__ts_verify(ts, md, md_len, d->trust, untrusted, at);
    if (r != 1)
        snprintf(why, why_size, "%s", ts->why);
    /* a revoked authority outweighs an unchecked chain (r == -1) */
    if (r != 0 && !tsa_not_revoked(ts, untrusted, ev, at, why, why_size))
        r = 0;
    return r;
}

/* The chain at time t; *chain gets it (trusted or not). */
static void check_chain(eseal_signature_report *rep, X509 *signer,
    STACK_OF(X509) *untrusted, X509_STORE *trust, time_t t,
    STACK_OF(X509) **chain)
{
    X509_STORE_CTX *ctx;

    *chain = NULL;
    if (trust == NULL) {
        eseal__sig_warning(rep, "no trust anchor given (--trust): the "
            "certificate chain was not checked");
        return;
    }
    ctx = X509_STORE_CTX_new();
    if (ctx == NULL || !X509_STORE_CTX_init(ctx, trust, signer, untrusted)) {
        eseal__sig_error(rep, "cannot check the certificate chain");
    } else {
        X509_STORE_CTX_set_time(ctx, 0, t);
        if (X509_verify_cert(ctx) == 1) {
            rep->chain_trusted = 1;
            *chain = X509_STORE_CTX_get1_chain(ctx);
        } else {
            eseal__sig_error(rep, "certificate chain: %s",
                X509_verify_cert_error_string(X509_STORE_CTX_get_error(
                    ctx)));
        }
    }
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
}

/* Without a trusted chain: signer and the issuers the pool holds. */
static STACK_OF(X509) *pool_chain(X509 *signer, STACK_OF(X509) *pool)
{
    STACK_OF(X509) *chain = sk_X509_new_null();
    X509 *cur = signer;
    int depth;

    if (chain == NULL || eseal__sk_add_unique(chain, signer) < 0)
        return chain;
    for (depth = 0; depth < 10 && X509_check_issued(cur, cur) !=
         X509_V_OK; depth++) {
        X509 *up = eseal__issuer_in(pool, cur);

        if (up == NULL || eseal__sk_add_unique(chain, up) < 0 ||
            sk_X509_num(chain) != depth + 2)
            break;
        cur = up;
    }
    ERR_clear_error();
    return chain;
}

static void name_of(char *out, size_t size, X509 *cert)
{
    X509_NAME *n = X509_get_subject_name(cert);
    int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
    const ASN1_STRING *cn = i >= 0 ?
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)) : NULL;

    if (cn != NULL)
        snprintf(out, size, "'%.*s'", ASN1_STRING_length(cn) > 80 ? 80 :
            ASN1_STRING_length(cn), (const char *)ASN1_STRING_get0_data(cn));
    else
        X509_NAME_oneline(n, out, (int)size);
}

/*
 * Revocation of every certificate of the chain but the root, at t.
 * *embedded: the signer's status came from data the document holds.
 */
static void check_revocation(eseal_signature_report *rep,
    STACK_OF(X509) *chain, const eseal_vdata *ev, eseal_ltv_doc *d,
    time_t t, int *embedded)
{
    char when[21], at[21], who[120];
    int i, n = sk_X509_num(chain);

    *embedded = 0;
    eseal__time_rfc3339(at, t);
    for (i = 0; i + 1 < n; i++) {
        X509 *c = sk_X509_value(chain, i), *up = sk_X509_value(chain, i + 1);
        eseal_rev rev;

        if (i > 0 && eseal__rev_nocheck(c))
            continue;
        eseal__rev_check(&rev, c, up, ev, t);
        if (rev.source != NULL) {
            if (i == 0)
                *embedded = 1;
        } else if (!d->net.offline && rep->chain_trusted) {
            eseal_bytes ocsp = { NULL, 0 }, crl = { NULL, 0 };
            eseal_error e = { 0, "" };
            eseal_vdata fresh;
            X509 *responder = NULL;

            memset(&fresh, 0, sizeof(fresh));
            if (eseal__rev_fetch(&ocsp, &crl, &responder, &rev, c, up,
                    &d->net, &e) == 0) {
                (void)eseal__der_list_add(&fresh.ocsps, ocsp.data, ocsp.len);
                (void)eseal__der_list_add(&fresh.crls, crl.data, crl.len);
                if (responder != NULL)
                    (void)eseal__vdata_add_cert(&fresh, responder);
                eseal__rev_check(&rev, c, up, &fresh, t);
            } else {
                eseal__sig_warning(rep, "revocation: %s", e.message);
            }
            X509_free(responder);
            eseal_bytes_free(&ocsp);
            eseal_bytes_free(&crl);
            eseal__vdata_free(&fresh);
        }
        if (i == 0) {
            if (rev.source != NULL)
                rep->revocation = rev.status;
            else if (d->net.offline || !rep->chain_trusted)
                rep->revocation = ESEAL_REVOCATION_NOT_CHECKED;
            else
                rep->revocation = ESEAL_REVOCATION_UNKNOWN;
            if (rev.source == NULL && d->net.offline)
                eseal__sig_warning(rep, "offline: the document holds no "
                    "revocation data for the signing certificate");
        }
        if (rev.source == NULL)
            continue;
        name_of(who, sizeof(who), c);
        eseal__time_rfc3339(when, rev.revoked_at);
        if (rev.status == ESEAL_REVOCATION_REVOKED) {
            if (i == 0)
                eseal__sig_error(rep, "the signing certificate was revoked "
                    "on %s, before the seal's time %s (%s)", when, at,
                    rev.source);
            else {
                eseal__sig_error(rep, "the CA certificate %s was revoked on "
                    "%s (%s)", who, when, rev.source);
                rep->revocation = ESEAL_REVOCATION_REVOKED;
            }
        } else if (rev.revoked_at != 0) {
            eseal__sig_warning(rep, "the certificate %s was revoked on %s, "
                "after the seal's time %s (%s)", who, when, at, rev.source);
        } else if (rev.status == ESEAL_REVOCATION_UNKNOWN && i == 0) {
            eseal__sig_warning(rep, "the OCSP responder does not know the "
                "signing certificate");
        }
    }
}

void eseal__ltv_check_signature(eseal_signature_report *rep, X509 *signer,
    STACK_OF(X509) *certs, const eseal_found_ts *ts, size_t n_ts,
    const struct eseal_found_ltv *own, uint64_t end, eseal_ltv_doc *d)
{
    STACK_OF(X509) *untrusted = sk_X509_new_null(), *chain = NULL;
    eseal_vdata ev;
    time_t now = time(NULL), t = 0, protect = 0;
    char why[300];
    size_t i;
    int have_time = 0, archived = 0, embedded = 0, lt, r;

    memset(&ev, 0, sizeof(ev));
    if (untrusted == NULL)
        return;
    add_all(untrusted, certs);
    add_all(untrusted, d->dss_certs);
    if (d->dss_unread[0] != '\0')
        eseal__sig_warning(rep, "the document's /DSS could not be read "
            "(%s): its validation data was not used", d->dss_unread);
    if (own != NULL) {
        (void)eseal__vdata_certs(untrusted, &own->vd);
        (void)eseal__vdata_merge(&ev, &own->vd);
    }
    (void)eseal__vdata_merge(&ev, &d->dss);

    /* archive timestamps, newest first: each protects what is older */
    for (i = n_ts; i-- > 0;) {
        eseal_ts one;

        if (ts[i].kind != ESEAL_TS_ARCHIVE)
            continue;
        r = check_ts(&one, &ts[i], untrusted, &ev, d, protect, why,
            sizeof(why));
        if (r == 1) {
            archived = 1;
            protect = one.time;
        } else if (r < 0) {
            eseal__sig_warning(rep, "archive timestamp: %s", why);
        } else {
            eseal__sig_error(rep, "archive timestamp: %s", why);
        }
        eseal__ts_close(&one);
    }
    /* PDF: the earliest valid document timestamp after the seal */
    for (i = 0; end != 0 && i < d->n_dts; i++) {
        if (!d->dts[i].valid || d->dts[i].end <= end)
            continue;
        if (protect == 0 || d->dts[i].time < protect)
            protect = d->dts[i].time;
        if (t == 0) {
            t = d->dts[i].time;
            free(rep->timestamp_authority);
            rep->timestamp_authority = eseal__strdup(d->dts[i].authority);
        }
    }
    /* signature timestamps */
    for (i = 0; i < n_ts; i++) {
        eseal_ts one;

        if (ts[i].kind != ESEAL_TS_SIGNATURE)
            continue;
        r = check_ts(&one, &ts[i], untrusted, &ev, d, protect, why,
            sizeof(why));
        if (r < 0) {
            eseal__sig_warning(rep, "signature timestamp: %s", why);
        } else if (r == 1) {
            if (!have_time || one.time < t) {
                t = one.time;
                free(rep->timestamp_authority);
                rep->timestamp_authority = eseal__strdup(one.authority);
            }
            have_time = 1;
        } else {
            eseal__sig_error(rep, "signature timestamp: %s", why);
        }
        eseal__ts_close(&one);
    }
    if (t != 0)
        have_time = 1;
    rep->timestamp_time = t;

    check_chain(rep, signer, untrusted, d->trust, have_time ? t : now,
        &chain);
    if (chain == NULL)
        chain = pool_chain(signer, untrusted);
    if (chain != NULL && sk_X509_num(chain) > 1)
        check_revocation(rep, chain, &ev, d, have_time ? t : now, &embedded);
    else if (chain != NULL && d->net.offline)
        eseal__sig_warning(rep, "offline: the signing certificate's issuer "
            "is not in the document");

    if (rep->level >= ESEAL_LEVEL_B_B && have_time) {
        rep->level = ESEAL_LEVEL_B_T;
        lt = embedded && (own != NULL ? own->has_rev_values ||
                                            d->dss_off > end
                                      : d->dss_off > end);
        if (lt)
            rep->level = ESEAL_LEVEL_B_LT;
        for (i = 0; lt && end != 0 && i < d->n_dts; i++)
            if (d->dts[i].valid && d->dts[i].end > d->dss_off)
                rep->level = ESEAL_LEVEL_B_LTA;
        if (lt && archived)
            rep->level = ESEAL_LEVEL_B_LTA;
    }
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(untrusted, X509_free);
    eseal__vdata_free(&ev);
}
