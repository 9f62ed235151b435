/* eseal PDF adapter - tokenizer and direct-object parser. */
#include <string.h>
#include "pdf_lex.h"

#define W_ PDF_CC_WS
#define E_ (PDF_CC_WS | PDF_CC_EOL)
#define D_ PDF_CC_DELIM
#define N_ (PDF_CC_DIGIT | PDF_CC_NUM | PDF_CC_HEX)
#define S_ PDF_CC_NUM
#define H_ PDF_CC_HEX

const unsigned char eseal__pdf_cclass[256] = {
    [0x00] = W_, ['\t'] = W_, ['\n'] = E_, ['\f'] = W_, ['\r'] = E_,
    [' '] = W_,
    ['('] = D_, [')'] = D_, ['<'] = D_, ['>'] = D_, ['['] = D_, [']'] = D_,
    ['{'] = D_, ['}'] = D_, ['/'] = D_, ['%'] = D_,
    ['0'] = N_, ['1'] = N_, ['2'] = N_, ['3'] = N_, ['4'] = N_,
    ['5'] = N_, ['6'] = N_, ['7'] = N_, ['8'] = N_, ['9'] = N_,
    ['+'] = S_, ['-'] = S_, ['.'] = S_,
    ['a'] = H_, ['b'] = H_, ['c'] = H_, ['d'] = H_, ['e'] = H_, ['f'] = H_,
    ['A'] = H_, ['B'] = H_, ['C'] = H_, ['D'] = H_, ['E'] = H_, ['F'] = H_,
};

#undef W_
#undef E_
#undef D_
#undef N_
#undef S_
#undef H_

static int hexval(unsigned char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

void eseal__pdf_lex_init(pdf_lexer *lx, const unsigned char *buf,
    uint64_t len, uint64_t pos)
{
    lx->buf = buf;
    lx->len = len;
    lx->pos = pos < len ? pos : len;
}

void eseal__pdf_lex_skip(pdf_lexer *lx)
{
    const unsigned char *b = lx->buf;
    uint64_t p = lx->pos, n = lx->len;

    while (p < n) {
        unsigned char c = b[p];

        if (PDF_IS_WS(c)) {
            p++;
        } else if (c == '%') {
            p++;
            while (p < n && b[p] != '\r' && b[p] != '\n')
                p++;
        } else {
            break;
        }
    }
    lx->pos = p;
}

static const double pow10_tab[19] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
    1e13, 1e14, 1e15, 1e16, 1e17, 1e18
};

/* Integers and reals: [+-] digits [. digits], ".5", "4.", "-.002". */
static int parse_number(const unsigned char *s, uint64_t n, pdf_token *tok)
{
    uint64_t i = 0, ip = 0, frac = 0;
    double big = 0.0, v;
    int neg = 0, is_big = 0, is_real = 0, digits = 0, nfrac = 0;

    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i++;
    }
    for (; i < n && PDF_IS_DIGIT(s[i]); i++, digits++) {
        unsigned d = s[i] - '0';

        if (is_big) {
            big = big * 10.0 + d;
        } else if (ip > (UINT64_MAX - 9) / 10) {
            is_big = 1;
            big = (double)ip * 10.0 + d;
        } else {
            ip = ip * 10 + d;
        }
    }
    if (i < n && s[i] == '.') {
        is_real = 1;
        for (i++; i < n && PDF_IS_DIGIT(s[i]); i++, digits++) {
            if (nfrac < 18) {
                frac = frac * 10 + (unsigned)(s[i] - '0');
                nfrac++;
            }
        }
    }
    if (i != n || digits == 0)
        return -1;
    if (!is_real && !is_big) {
        if (!neg && ip <= (uint64_t)INT64_MAX) {
            tok->type = PDF_TOK_INT;
            tok->i = (int64_t)ip;
            return 0;
        }
        if (neg && ip <= (uint64_t)INT64_MAX + 1) {
            tok->type = PDF_TOK_INT;
            tok->i = ip == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)ip;
            return 0;
        }
    }
    v = (is_big ? big : (double)ip) + (double)frac / pow10_tab[nfrac];
    tok->type = PDF_TOK_REAL;
    tok->r = neg ? -v : v;
    return 0;
}

/* Finds the closing parenthesis of a literal string opened at pos. */
static int scan_string(pdf_lexer *lx, pdf_token *tok, eseal_error *err)
{
    const unsigned char *b = lx->buf;
    uint64_t p = lx->pos + 1, n = lx->len;
    uint64_t depth = 1;

    while (p < n) {
        unsigned char c = b[p];

        if (c == '\\') {
            p += 2;
            continue;
        }
        if (c == '(') {
            depth++;
        } else if (c == ')') {
            if (--depth == 0) {
                tok->type = PDF_TOK_STRING;
                tok->start = lx->pos + 1;
                tok->end = p;
                lx->pos = p + 1;
                return 0;
            }
        }
        p++;
    }
    return eseal__error_set(err, ESEAL_EFORMAT,
        "unterminated literal string at offset %llu",
        (unsigned long long)lx->pos);
}

static int scan_hex(pdf_lexer *lx, pdf_token *tok, eseal_error *err)
{
    const unsigned char *b = lx->buf;
    uint64_t p = lx->pos + 1, n = lx->len;

    for (; p < n && b[p] != '>'; p++) {
        if (!(eseal__pdf_cclass[b[p]] & (PDF_CC_HEX | PDF_CC_WS)))
            return eseal__error_set(err, ESEAL_EFORMAT,
                "invalid character in hex string at offset %llu",
                (unsigned long long)p);
    }
    if (p >= n)
        return eseal__error_set(err, ESEAL_EFORMAT,
            "unterminated hex string at offset %llu",
            (unsigned long long)lx->pos);
    tok->type = PDF_TOK_HEXSTRING;
    tok->start = lx->pos + 1;
    tok->end = p;
    lx->pos = p + 1;
    return 0;
}

int eseal__pdf_lex_next(pdf_lexer *lx, pdf_token *tok, eseal_error *err)
{
    const unsigned char *b = lx->buf;
    uint64_t p, n = lx->len;
    unsigned char c;

    eseal__pdf_lex_skip(lx);
    p = lx->pos;
    tok->start = p;
    tok->end = p;
    if (p >= n) {
        tok->type = PDF_TOK_EOF;
        return 0;
    }
    c = b[p];
    switch (c) {
    case '/':
        for (p++; p < n && PDF_IS_REGULAR(b[p]); p++)
            ;
        tok->type = PDF_TOK_NAME;
        tok->start = lx->pos + 1;
        tok->end = p;
        lx->pos = p;
        return 0;
    case '(':
        return scan_string(lx, tok, err);
    case '<':
        if (p + 1 < n && b[p + 1] == '<') {
            tok->type = PDF_TOK_DICT_OPEN;
            tok->end = p + 2;
            lx->pos = p + 2;
            return 0;
        }
        return scan_hex(lx, tok, err);
    case '>':
        if (p + 1 < n && b[p + 1] == '>') {
            tok->type = PDF_TOK_DICT_CLOSE;
            tok->end = p + 2;
            lx->pos = p + 2;
            return 0;
        }
        break;
    case '[':
        tok->type = PDF_TOK_ARRAY_OPEN;
        tok->end = ++lx->pos;
        return 0;
    case ']':
        tok->type = PDF_TOK_ARRAY_CLOSE;
        tok->end = ++lx->pos;
        return 0;
    case ')':
    case '{':
    case '}':
        break;
    default:
        for (p++; p < n && PDF_IS_REGULAR(b[p]); p++)
            ;
        tok->end = p;
        if (eseal__pdf_cclass[c] & PDF_CC_NUM) {
            if (parse_number(b + lx->pos, p - lx->pos, tok) < 0)
                return eseal__error_set(err, ESEAL_EFORMAT,
                    "malformed number '%.*s' at offset %llu",
                    (int)(p - lx->pos > 24 ? 24 : p - lx->pos),
                    (const char *)b + lx->pos, (unsigned long long)lx->pos);
        } else {
            tok->type = PDF_TOK_KEYWORD;
        }
        lx->pos = p;
        return 0;
    }
    return eseal__error_set(err, ESEAL_EFORMAT,
        "unexpected '%c' at offset %llu", c, (unsigned long long)p);
}

int eseal__pdf_tok_is(const pdf_lexer *lx, const pdf_token *tok,
    const char *kw)
{
    size_t n = strlen(kw);

    return tok->type == PDF_TOK_KEYWORD && tok->end - tok->start == n &&
           memcmp(lx->buf + tok->start, kw, n) == 0;
}

int eseal__pdf_lex_keyword(pdf_lexer *lx, const char *kw)
{
    size_t n = strlen(kw);
    uint64_t p;

    eseal__pdf_lex_skip(lx);
    p = lx->pos;
    if (lx->len - p < n || memcmp(lx->buf + p, kw, n) != 0)
        return 0;
    if (p + n < lx->len && PDF_IS_REGULAR(lx->buf[p + n]))
        return 0;
    lx->pos = p + n;
    return 1;
}

/* ---- decoding of names and strings -------------------------------------- */

static int decode_name(pdf_lexer *lx, pdf_arena *a, const pdf_token *tok,
    char **out, size_t *out_len, eseal_error *err)
{
    const unsigned char *s = lx->buf + tok->start;
    size_t n = (size_t)(tok->end - tok->start), i, j = 0;
    char *d = pdf_arena_alloc(a, n + 1);

    if (d == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        unsigned char c = s[i];

        if (c == '#' && i + 2 < n && PDF_IS_HEX(s[i + 1]) &&
            PDF_IS_HEX(s[i + 2])) {
            c = (unsigned char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
            if (c == 0)
                return eseal__error_set(err, ESEAL_EFORMAT,
                    "name with a NUL byte at offset %llu",
                    (unsigned long long)tok->start - 1);
            i += 2;
        }
        d[j++] = (char)c;
    }
    d[j] = '\0';
    *out = d;
    *out_len = j;
    return 0;
}

static int decode_string(pdf_lexer *lx, pdf_arena *a, const pdf_token *tok,
    pdf_obj **out, eseal_error *err)
{
    const unsigned char *s = lx->buf + tok->start;
    size_t n = (size_t)(tok->end - tok->start), i, j = 0;
    pdf_obj *o = pdf_new_string(a, NULL, 0, tok->type == PDF_TOK_HEXSTRING);
    unsigned char *d = pdf_arena_alloc(a, n + 1);

    if (o == NULL || d == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    if (tok->type == PDF_TOK_HEXSTRING) {
        int hi = -1;

        for (i = 0; i < n; i++) {
            if (!PDF_IS_HEX(s[i]))
                continue;
            if (hi < 0) {
                hi = hexval(s[i]);
            } else {
                d[j++] = (unsigned char)(hi << 4 | hexval(s[i]));
                hi = -1;
            }
        }
        if (hi >= 0)
            d[j++] = (unsigned char)(hi << 4);
    } else {
        for (i = 0; i < n; i++) {
            unsigned char c = s[i];

            if (c == '\r') {
                /* an unescaped end of line is read as LF */
                if (i + 1 < n && s[i + 1] == '\n')
                    i++;
                d[j++] = '\n';
                continue;
            }
            if (c != '\\') {
                d[j++] = c;
                continue;
            }
            /* the scanner guarantees a byte after a backslash */
            c = s[++i];
            switch (c) {
            case 'n': d[j++] = '\n'; break;
            case 'r': d[j++] = '\r'; break;
            case 't': d[j++] = '\t'; break;
            case 'b': d[j++] = '\b'; break;
            case 'f': d[j++] = '\f'; break;
            case '\r':
                /* line continuation */
                if (i + 1 < n && s[i + 1] == '\n')
                    i++;
                break;
            case '\n':
                break;
            case '0': case '1': case '2': case '3':
            case '4': case '5': case '6': case '7': {
                unsigned v = c - '0';
                int k;

                for (k = 1; k < 3 && i + 1 < n && s[i + 1] >= '0' &&
                     s[i + 1] <= '7'; k++)
                    v = v * 8 + (unsigned)(s[++i] - '0');
                d[j++] = (unsigned char)(v & 0xff);
                break;
            }
            default:
                /* \( \) \\ and unknown escapes: the byte itself */
                d[j++] = c;
                break;
            }
        }
    }
    o->u.str.s = d;
    o->u.str.len = j;
    *out = o;
    return 0;
}

/* ---- the parser --------------------------------------------------------- */

static int parse_value(pdf_lexer *lx, pdf_arena *a, const pdf_token *tok,
    int depth, pdf_obj **out, eseal_error *err);

/*
 * After an integer: "num gen R" is a reference.  Looks two tokens ahead
 * and restores the position when they are something else.
 */
static int try_ref(pdf_lexer *lx, const pdf_token *tok, uint32_t *num,
    uint16_t *gen)
{
    uint64_t save = lx->pos;
    pdf_token t2, t3;

    if (tok->i < 0 || tok->i > (int64_t)UINT32_MAX)
        return 0;
    if (eseal__pdf_lex_next(lx, &t2, NULL) == 0 && t2.type == PDF_TOK_INT &&
        t2.i >= 0 && t2.i <= 65535 &&
        eseal__pdf_lex_next(lx, &t3, NULL) == 0 &&
        eseal__pdf_tok_is(lx, &t3, "R")) {
        *num = (uint32_t)tok->i;
        *gen = (uint16_t)t2.i;
        return 1;
    }
    lx->pos = save;
    return 0;
}

/* Keywords that can only follow a complete object. */
static int ends_object(const pdf_lexer *lx, const pdf_token *tok)
{
    return tok->type == PDF_TOK_KEYWORD &&
           (eseal__pdf_tok_is(lx, tok, "endobj") ||
            eseal__pdf_tok_is(lx, tok, "stream") ||
            eseal__pdf_tok_is(lx, tok, "endstream") ||
            eseal__pdf_tok_is(lx, tok, "obj"));
}

static int parse_array(pdf_lexer *lx, pdf_arena *a, uint64_t start,
    int depth, pdf_obj **out, eseal_error *err)
{
    pdf_obj *arr = pdf_new_array(a), *item;
    pdf_token tok;
    int rc;

    if (arr == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (;;) {
        if ((rc = eseal__pdf_lex_next(lx, &tok, err)) < 0)
            return rc;
        if (tok.type == PDF_TOK_ARRAY_CLOSE)
            break;
        if (tok.type == PDF_TOK_EOF || ends_object(lx, &tok))
            return eseal__error_set(err, ESEAL_EFORMAT,
                "unterminated array at offset %llu",
                (unsigned long long)start);
        if ((rc = parse_value(lx, a, &tok, depth, &item, err)) < 0)
            return rc;
        if (pdf_array_push(a, arr, item) < 0)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    *out = arr;
    return 0;
}

static int parse_dict(pdf_lexer *lx, pdf_arena *a, uint64_t start,
    int depth, pdf_obj **out, eseal_error *err)
{
    pdf_obj *dict = pdf_new_dict(a), *val;
    pdf_token tok;
    char *key;
    size_t key_len;
    int rc;

    if (dict == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    for (;;) {
        if ((rc = eseal__pdf_lex_next(lx, &tok, err)) < 0)
            return rc;
        if (tok.type == PDF_TOK_DICT_CLOSE)
            break;
        if (tok.type == PDF_TOK_EOF || ends_object(lx, &tok))
            return eseal__error_set(err, ESEAL_EFORMAT,
                "unterminated dictionary at offset %llu",
                (unsigned long long)start);
        if (tok.type != PDF_TOK_NAME)
            return eseal__error_set(err, ESEAL_EFORMAT,
                "dictionary key at offset %llu is not a name",
                (unsigned long long)tok.start);
        if ((rc = decode_name(lx, a, &tok, &key, &key_len, err)) < 0)
            return rc;
        if ((rc = eseal__pdf_lex_next(lx, &tok, err)) < 0)
            return rc;
        if (tok.type == PDF_TOK_DICT_CLOSE || tok.type == PDF_TOK_EOF)
            return eseal__error_set(err, ESEAL_EFORMAT,
                "dictionary key /%s at offset %llu has no value", key,
                (unsigned long long)tok.start);
        if ((rc = parse_value(lx, a, &tok, depth, &val, err)) < 0)
            return rc;
        if (eseal__pdf_dict_append(a, dict, key, val) < 0)
            return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    }
    *out = dict;
    return 0;
}

static int parse_value(pdf_lexer *lx, pdf_arena *a, const pdf_token *tok,
    int depth, pdf_obj **out, eseal_error *err)
{
    pdf_obj *o = NULL;
    uint32_t num;
    uint16_t gen;
    char *name;
    size_t name_len;
    int rc;

    switch (tok->type) {
    case PDF_TOK_INT:
        if (try_ref(lx, tok, &num, &gen))
            o = pdf_new_ref(a, num, gen);
        else
            o = pdf_new_int(a, tok->i);
        break;
    case PDF_TOK_REAL:
        o = pdf_new_real(a, tok->r);
        break;
    case PDF_TOK_NAME:
        if ((rc = decode_name(lx, a, tok, &name, &name_len, err)) < 0)
            return rc;
        o = pdf_arena_alloc(a, sizeof(*o));
        if (o != NULL) {
            o->type = PDF_NAME;
            o->u.name.s = name;
            o->u.name.len = name_len;
        }
        break;
    case PDF_TOK_STRING:
    case PDF_TOK_HEXSTRING:
        return decode_string(lx, a, tok, out, err);
    case PDF_TOK_ARRAY_OPEN:
    case PDF_TOK_DICT_OPEN:
        if (depth >= PDF_LEX_MAX_DEPTH)
            return eseal__error_set(err, ESEAL_ELIMIT,
                "objects nested deeper than %d levels at offset %llu",
                PDF_LEX_MAX_DEPTH, (unsigned long long)tok->start);
        if (tok->type == PDF_TOK_ARRAY_OPEN)
            return parse_array(lx, a, tok->start, depth + 1, out, err);
        return parse_dict(lx, a, tok->start, depth + 1, out, err);
    case PDF_TOK_KEYWORD:
        if (eseal__pdf_tok_is(lx, tok, "true")) {
            o = pdf_new_bool(a, 1);
        } else if (eseal__pdf_tok_is(lx, tok, "false")) {
            o = pdf_new_bool(a, 0);
        } else if (eseal__pdf_tok_is(lx, tok, "null")) {
            o = pdf_new_null(a);
        } else {
            uint64_t n = tok->end - tok->start;

            return eseal__error_set(err, ESEAL_EFORMAT,
                "unexpected '%.*s' at offset %llu", (int)(n > 24 ? 24 : n),
                (const char *)lx->buf + tok->start,
                (unsigned long long)tok->start);
        }
        break;
    case PDF_TOK_EOF:
        return eseal__error_set(err, ESEAL_EFORMAT,
            "object expected at offset %llu, found the end of the data",
            (unsigned long long)tok->start);
    default:
        return eseal__error_set(err, ESEAL_EFORMAT,
            "unexpected '%c' at offset %llu", lx->buf[tok->start],
            (unsigned long long)tok->start);
    }
    if (o == NULL)
        return eseal__error_set(err, ESEAL_ENOMEM, "out of memory");
    *out = o;
    return 0;
}

int eseal__pdf_parse_from(pdf_lexer *lx, pdf_arena *a, const pdf_token *tok,
    pdf_obj **out, eseal_error *err)
{
    return parse_value(lx, a, tok, 0, out, err);
}

int eseal__pdf_parse(pdf_lexer *lx, pdf_arena *a, pdf_obj **out,
    eseal_error *err)
{
    pdf_token tok;
    int rc;

    if ((rc = eseal__pdf_lex_next(lx, &tok, err)) < 0)
        return rc;
    return parse_value(lx, a, &tok, 0, out, err);
}

int pdf_parse_object(pdf_arena *a, const unsigned char *buf, size_t len,
    pdf_obj **out, size_t *used, eseal_error *err)
{
    pdf_lexer lx;
    pdf_obj *o = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (used != NULL)
        *used = 0;
    if (a == NULL || out == NULL || (buf == NULL && len > 0))
        return eseal__error_set(err, ESEAL_EINVAL,
            "pdf_parse_object: invalid argument");
    eseal__pdf_lex_init(&lx, buf, len, 0);
    if ((rc = eseal__pdf_parse(&lx, a, &o, err)) < 0)
        return rc;
    *out = o;
    if (used != NULL)
        *used = (size_t)lx.pos;
    return 0;
}
