/*
 * eseal PDF adapter - the tokenizer and the direct-object parser (internal
 * to the reader; the public entry point is pdf_parse_object()).
 */
#ifndef ESEAL_PDF_LEX_H
#define ESEAL_PDF_LEX_H

#include <stdint.h>
#include "pdf_obj.h"
#include "pdf_reader.h"

#define PDF_LEX_MAX_DEPTH PDF_MAX_DEPTH

/* Character classes (ISO 32000-1, 7.2.2), one table lookup per byte. */
#define PDF_CC_WS 0x01      /* NUL HT LF FF CR SP */
#define PDF_CC_DELIM 0x02   /* ( ) < > [ ] { } / % */
#define PDF_CC_DIGIT 0x04
#define PDF_CC_NUM 0x08     /* may start a number: digit + - . */
#define PDF_CC_HEX 0x10
#define PDF_CC_EOL 0x20     /* CR LF */

extern const unsigned char eseal__pdf_cclass[256];

#define PDF_IS_WS(c) (eseal__pdf_cclass[(unsigned char)(c)] & PDF_CC_WS)
#define PDF_IS_DIGIT(c) (eseal__pdf_cclass[(unsigned char)(c)] & PDF_CC_DIGIT)
#define PDF_IS_HEX(c) (eseal__pdf_cclass[(unsigned char)(c)] & PDF_CC_HEX)
#define PDF_IS_REGULAR(c) \
    (!(eseal__pdf_cclass[(unsigned char)(c)] & (PDF_CC_WS | PDF_CC_DELIM)))

typedef enum pdf_tok_type {
    PDF_TOK_EOF = 0,
    PDF_TOK_INT,
    PDF_TOK_REAL,
    PDF_TOK_NAME,        /* start..end: the raw name after '/' */
    PDF_TOK_STRING,      /* start..end: the raw bytes inside ( ) */
    PDF_TOK_HEXSTRING,   /* start..end: the raw bytes inside < > */
    PDF_TOK_ARRAY_OPEN,
    PDF_TOK_ARRAY_CLOSE,
    PDF_TOK_DICT_OPEN,
    PDF_TOK_DICT_CLOSE,
    PDF_TOK_KEYWORD      /* start..end: true, obj, stream, R, ... */
} pdf_tok_type;

typedef struct pdf_token {
    pdf_tok_type type;
    uint64_t start, end;
    int64_t i;           /* PDF_TOK_INT */
    double r;            /* PDF_TOK_REAL */
} pdf_token;

/* A cursor over buf[0..len).  Nothing outside that range is ever read. */
typedef struct pdf_lexer {
    const unsigned char *buf;
    uint64_t len;
    uint64_t pos;
} pdf_lexer;

void eseal__pdf_lex_init(pdf_lexer *lx, const unsigned char *buf,
    uint64_t len, uint64_t pos);

/* Skips white space and comments. */
void eseal__pdf_lex_skip(pdf_lexer *lx);

/* Reads the next token; ESEAL_EFORMAT with a message on a lexical error. */
int eseal__pdf_lex_next(pdf_lexer *lx, pdf_token *tok, eseal_error *err);

/* 1 when tok is the keyword kw. */
int eseal__pdf_tok_is(const pdf_lexer *lx, const pdf_token *tok,
    const char *kw);

/*
 * After skipping white space and comments, 1 (and consumed) when the next
 * token is the keyword kw; otherwise 0 and the position is unchanged.
 */
int eseal__pdf_lex_keyword(pdf_lexer *lx, const char *kw);

/* Parses one direct object (references included) at the cursor. */
int eseal__pdf_parse(pdf_lexer *lx, pdf_arena *a, pdf_obj **out,
    eseal_error *err);

/* Same, starting from a token already read. */
int eseal__pdf_parse_from(pdf_lexer *lx, pdf_arena *a, const pdf_token *tok,
    pdf_obj **out, eseal_error *err);

/* ---- helpers in pdf_obj.c ---------------------------------------------- */

/* Appends without looking for an existing key (key is not copied). */
int eseal__pdf_dict_append(pdf_arena *a, pdf_obj *dict, char *key,
    pdf_obj *val);
char *eseal__pdf_arena_strndup(pdf_arena *a, const char *s, size_t len);
pdf_obj *eseal__pdf_new_name_len(pdf_arena *a, const char *name, size_t len);

#endif
