/* eseal XAdES adapter - encodings and a byte scanner that finds where
 * elements sit in the original input, so that a seal can be spliced in
 * without re-serializing the document. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "xml_int.h"

static int ieq_prefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static eseal_xml_enc_kind classify(const char *name)
{
    static const char *const sjis[] = { "Shift_JIS", "Shift-JIS", "SJIS",
        "CP932", "Windows-31J", "MS_Kanji", "x-sjis", "csShiftJIS", NULL };
    static const char *const exact[] = { "UTF-8", "UTF8", "US-ASCII",
        "ASCII", "EUC-JP", "EUC-KR", "EUC-CN", "GB2312", "KOI8-R",
        "KOI8-U", "EUCJP", NULL };
    static const char *const prefixes[] = { "ISO-8859-", "ISO8859-",
        "ISO_8859-", "LATIN", "WINDOWS-125", "CP125", NULL };
    size_t i;

    for (i = 0; sjis[i] != NULL; i++)
        if (strcasecmp(name, sjis[i]) == 0)
            return ESEAL_XML_ENC_SJIS;
    for (i = 0; exact[i] != NULL; i++)
        if (strcasecmp(name, exact[i]) == 0)
            return ESEAL_XML_ENC_ASCII;
    for (i = 0; prefixes[i] != NULL; i++)
        if (ieq_prefix(name, prefixes[i]))
            return ESEAL_XML_ENC_ASCII;
    return ESEAL_XML_ENC_OTHER;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void eseal__xml_sniff_encoding(eseal_xml_encoding *out,
    const unsigned char *p, size_t n)
{
    size_t i, end, lim;

    memset(out, 0, sizeof(*out));
    strcpy(out->name, "UTF-8");
    out->kind = ESEAL_XML_ENC_ASCII;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        out->bom_len = 3;
    } else if (n >= 4 && ((p[0] == 0xFF && p[1] == 0xFE && p[2] == 0 &&
                           p[3] == 0) ||
                          (p[0] == 0 && p[1] == 0 && p[2] == 0xFE &&
                           p[3] == 0xFF))) {
        strcpy(out->name, "UTF-32");
        out->kind = ESEAL_XML_ENC_OTHER;
        return;
    } else if (n >= 2 && ((p[0] == 0xFE && p[1] == 0xFF) ||
                          (p[0] == 0xFF && p[1] == 0xFE))) {
        strcpy(out->name, "UTF-16");
        out->kind = ESEAL_XML_ENC_OTHER;
        return;
    } else if (n >= 2 && (p[0] == 0 || p[1] == 0)) {
        strcpy(out->name, "UTF-16/32");
        out->kind = ESEAL_XML_ENC_OTHER;
        return;
    }
    i = out->bom_len;
    if (n - i < 6 || memcmp(p + i, "<?xml", 5) != 0 || !is_space(p[i + 5]))
        return;
    lim = n < i + 1024 ? n : i + 1024;
    for (end = i + 5; end + 1 < lim; end++)
        if (p[end] == '?' && p[end + 1] == '>')
            break;
    for (i += 5; i + 8 < end; i++) {
        size_t j, k = 0;
        unsigned char q;

        if (memcmp(p + i, "encoding", 8) != 0 || !is_space(p[i - 1]))
            continue;
        j = i + 8;
        while (j < end && is_space(p[j]))
            j++;
        if (j >= end || p[j] != '=')
            return;
        j++;
        while (j < end && is_space(p[j]))
            j++;
        if (j >= end || (p[j] != '"' && p[j] != '\''))
            return;
        q = p[j++];
        while (j < end && p[j] != q && k + 1 < sizeof(out->name))
            out->name[k++] = (char)p[j++];
        out->name[k] = '\0';
        out->kind = k == 0 ? ESEAL_XML_ENC_OTHER : classify(out->name);
        return;
    }
}

/* ---- the scanner ---------------------------------------------------------- */

typedef struct scanner {
    const unsigned char *p;
    size_t n;
    size_t i;
    int sjis;
    const char *name;
    eseal_error *err;
} scanner;

static int fail(scanner *s, const char *what)
{
    return eseal__error_set(s->err, ESEAL_EFORMAT,
        "not well-formed XML near byte %zu (%s)", s->i, what);
}

/* Moves past the next occurrence of the terminator; 0 or EFORMAT. */
static int skip_past(scanner *s, const char *term, const char *what)
{
    size_t tl = strlen(term);

    while (s->i + tl <= s->n) {
        if (s->sjis && s->p[s->i] >= 0x81 &&
            (s->p[s->i] <= 0x9F || (s->p[s->i] >= 0xE0 &&
                                    s->p[s->i] <= 0xFC))) {
            s->i += 2;   /* a double-byte character: its trail may be ']' */
            continue;
        }
        if (memcmp(s->p + s->i, term, tl) == 0) {
            s->i += tl;
            return 0;
        }
        s->i++;
    }
    s->i = s->n;
    return fail(s, what);
}

/* Moves past a tag's closing '>', honouring quoted attribute values;
 * *gt gets the index of the '>'. */
static int skip_tag(scanner *s, size_t *gt)
{
    unsigned char quote = 0;

    for (s->i++; s->i < s->n; s->i++) {
        unsigned char c = s->p[s->i];

        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            *gt = s->i++;
            return 0;
        } else if (c == '<') {
            break;
        }
    }
    return fail(s, "unterminated tag");
}

static int skip_doctype(scanner *s, eseal_xml_scan *out)
{
    unsigned char quote = 0;

    out->has_doctype = 1;
    s->i += 9;
    while (s->i < s->n && is_space(s->p[s->i]))
        s->i++;
    while (s->i < s->n && !is_space(s->p[s->i]) && s->p[s->i] != '>' &&
           s->p[s->i] != '[')
        s->i++;
    while (s->i < s->n && is_space(s->p[s->i]))
        s->i++;
    if (s->i < s->n && s->p[s->i] != '>')
        out->doctype_declares = 1;
    for (; s->i < s->n; s->i++) {
        unsigned char c = s->p[s->i];

        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[') {
            break;
        } else if (c == '>') {
            s->i++;
            return 0;
        }
    }
    /* the internal subset: declarations, comments, PIs until ']' */
    for (s->i++; s->i < s->n; s->i++) {
        unsigned char c = s->p[s->i];

        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '<' && s->i + 4 <= s->n &&
                   memcmp(s->p + s->i, "<!--", 4) == 0) {
            int rc;

            s->i += 4;
            if ((rc = skip_past(s, "-->", "unterminated comment")) < 0)
                return rc;
            s->i--;
        } else if (c == ']') {
            s->i++;
            while (s->i < s->n && is_space(s->p[s->i]))
                s->i++;
            if (s->i < s->n && s->p[s->i] == '>') {
                s->i++;
                return 0;
            }
            break;
        }
    }
    return fail(s, "unterminated DOCTYPE");
}

static eseal_xml_pos *wanted(eseal_xml_pos *pos, const size_t *want,
    size_t n_want, size_t idx)
{
    size_t k;

    for (k = 0; k < n_want; k++)
        if (want[k] == idx)
            return &pos[k];
    return NULL;
}

int eseal__xml_scan(eseal_xml_scan *out, eseal_xml_pos *pos,
    const size_t *want, size_t n_want, const unsigned char *p, size_t n,
    int sjis, const char *name, eseal_error *err)
{
    size_t stack[ESEAL_XML_MAX_DEPTH];
    const unsigned char *nl;
    scanner s;
    int depth = 0, rc, root_done = 0;

    memset(out, 0, sizeof(*out));
    if (n_want > 0)
        memset(pos, 0, n_want * sizeof(*pos));
    s.p = p;
    s.n = n;
    s.i = 0;
    s.sjis = sjis;
    s.name = name;
    s.err = err;
    nl = memchr(p, '\n', n);
    out->eol = nl == NULL ? "" : (nl > p && nl[-1] == '\r') ? "\r\n" : "\n";
    while (s.i < n) {
        const unsigned char *lt = memchr(p + s.i, '<', n - s.i);
        size_t gt;

        if (lt == NULL)
            break;
        s.i = (size_t)(lt - p);
        if (s.i + 1 >= n)
            return fail(&s, "'<' at the end");
        if (p[s.i + 1] == '?') {
            s.i += 2;
            if ((rc = skip_past(&s, "?>", "unterminated processing "
                     "instruction")) < 0)
                return rc;
        } else if (s.i + 4 <= n && memcmp(p + s.i, "<!--", 4) == 0) {
            s.i += 4;
            if ((rc = skip_past(&s, "-->", "unterminated comment")) < 0)
                return rc;
        } else if (s.i + 9 <= n && memcmp(p + s.i, "<![CDATA[", 9) == 0) {
            s.i += 9;
            if ((rc = skip_past(&s, "]]>", "unterminated CDATA")) < 0)
                return rc;
        } else if (s.i + 9 <= n && memcmp(p + s.i, "<!DOCTYPE", 9) == 0) {
            if (out->n_elements > 0 || out->has_doctype)
                return fail(&s, "misplaced DOCTYPE");
            if ((rc = skip_doctype(&s, out)) < 0)
                return rc;
        } else if (p[s.i + 1] == '/') {
            size_t lt_at = s.i;
            eseal_xml_pos *w;

            if (depth == 0)
                return fail(&s, "end tag without start tag");
            if ((rc = skip_tag(&s, &gt)) < 0)
                return rc;
            depth--;
            w = wanted(pos, want, n_want, stack[depth]);
            if (w != NULL) {
                w->end = lt_at;
                w->end_end = gt + 1;
            }
            if (depth == 0)
                root_done = 1;
        } else if (p[s.i + 1] == '!') {
            return fail(&s, "unexpected '<!'");
        } else {
            size_t lt_at = s.i, idx = out->n_elements++;
            eseal_xml_pos *w;
            int empty;

            if (root_done)
                return fail(&s, "a second root element");
            if ((rc = skip_tag(&s, &gt)) < 0)
                return rc;
            empty = gt > lt_at + 1 && p[gt - 1] == '/';
            w = wanted(pos, want, n_want, idx);
            if (w != NULL) {
                w->found = 1;
                w->start = lt_at;
                w->start_end = gt + 1;
                w->empty = empty;
                if (empty) {
                    w->end = lt_at;
                    w->end_end = gt + 1;
                }
            }
            if (empty) {
                if (depth == 0)
                    root_done = 1;
                continue;
            }
            if (depth >= ESEAL_XML_MAX_DEPTH)
                return eseal__error_set(err, ESEAL_ELIMIT,
                    "elements nested deeper than %d levels",
                    ESEAL_XML_MAX_DEPTH);
            stack[depth++] = idx;
            if (depth > out->max_depth)
                out->max_depth = depth;
        }
    }
    if (!root_done || depth != 0)
        return fail(&s, "the root element is not closed");
    return 0;
}
