/*
 * eseal PDF adapter - the visible seal: the appearance stream of the
 * signature widget (a stamp with the organization's name, its
 * organizationIdentifier, the sealing date and an optional image), the
 * subset font it draws the text with, and the image XObject.
 *
 * Everything is added as new objects of the incremental update, inside the
 * bytes the seal signs; the page content is never touched.  What is drawn
 * stays PDF/A-safe: the font is embedded (a subset, CIDFontType2 with
 * Identity-H, ToUnicode and CIDSet), nothing is transparent (an image's
 * alpha channel is flattened onto white) and the colours use the device
 * space of the document's output intent.
 */
#ifndef ESEAL_PDF_APPEARANCE_H
#define ESEAL_PDF_APPEARANCE_H

#include "../core/adapter.h"
#include "pdf_update.h"

#define PDF_FONT_MAX_FILE (64u << 20)   /* bytes of a font file */
#define PDF_FONT_MAX_CHARS 512          /* distinct characters drawn */
#define PDF_IMAGE_MAX_FILE (8u << 20)   /* bytes of a PNG or JPEG file */
#define PDF_IMAGE_MAX_SIDE 2048         /* pixels */

/* Device colour spaces, by their number of components. */
#define PDF_CS_GRAY 1
#define PDF_CS_RGB 3
#define PDF_CS_CMYK 4

/* ---- fonts (pdf_font.c) ---------------------------------------------- */

typedef struct pdf_font pdf_font;

/*
 * Opens a TrueType font (glyf outlines; face 0 of a collection) and checks
 * that its licence lets a subset be embedded (OS/2 fsType).  path NULL
 * picks the first installed default (IPAex Gothic, then IPA Gothic).
 */
int eseal__pdf_font_open(pdf_font **out, const char *path, eseal_error *err);
void eseal__pdf_font_free(pdf_font *f);

/* The file the font was read from (for messages). */
const char *eseal__pdf_font_path(const pdf_font *f);

/*
 * Makes the subset that holds every character of the UTF-8 texts (each
 * must have a glyph in the font: ESEAL_EFORMAT names the first that has
 * none).  Call once, before encode and add.
 */
int eseal__pdf_font_subset(pdf_font *f, const char *const *texts, size_t n,
    eseal_error *err);

/*
 * Appends the text as a PDF hex string of 2-byte CIDs ("<0003001A>") to
 * b; *width gets its advance in 1/1000 of the font size.
 */
int eseal__pdf_font_encode(eseal_buf *b, double *width, const pdf_font *f,
    const char *utf8, eseal_error *err);

/*
 * Adds the font's objects to the update (Type0 font, CIDFontType2, font
 * descriptor, FontFile2, ToUnicode, CIDSet); *num gets the Type0 font's
 * number.  The bodies stay owned by f until it is freed.
 */
int eseal__pdf_font_add(uint32_t *num, pdf_font *f, pdf_update *u,
    eseal_error *err);

/* ---- images (pdf_image.c) -------------------------------------------- */

typedef struct pdf_image {
    int width, height;
    eseal_buf body;     /* the image XObject: dictionary and stream */
} pdf_image;

/*
 * Reads a PNG or JPEG file (told apart by their signatures) into an image
 * XObject in colour space cs (PDF_CS_*): PNG pixels (alpha composited onto
 * white) are Flate-compressed; a JPEG whose colours fit cs is kept as it
 * is (DCTDecode), another is decoded and converted.  Limits:
 * PDF_IMAGE_MAX_FILE bytes, PDF_IMAGE_MAX_SIDE pixels a side.
 */
int eseal__pdf_image_load(pdf_image *img, const char *path, int cs,
    eseal_error *err);
void eseal__pdf_image_free(pdf_image *img);

/* ---- the appearance (pdf_appearance.c) ------------------------------- */

typedef struct pdf_appearance {
    pdf_reader *r;          /* borrowed */
    uint32_t page_num;
    int rotate;             /* the page's /Rotate: 0, 90, 180, 270 */
    double box[4];          /* the page's crop box in user space */
    double rect[4];         /* the widget's /Rect, user space */
    double width, height;   /* the stamp as shown (rotation undone) */
    int cs;                 /* PDF_CS_* of the drawing */
    pdf_font *font;
    pdf_image image;
    eseal_buf form;         /* the appearance stream's object body */
} pdf_appearance;

/*
 * Finds the page the visible seal goes on (job->opts->visible_page, 0 =
 * the last page), its box and rotation, where the stamp goes (the
 * options' rectangle or the default box at the bottom right) and the
 * colour space of the document's output intent.  Sets *page_num and *page
 * (borrowed from the reader).  ESEAL_EINVAL for a page that does not
 * exist or a rectangle outside the page.
 */
int eseal__pdf_appearance_page(pdf_appearance *ap, pdf_reader *r,
    const eseal_job *job, uint32_t *page_num, pdf_obj **page,
    eseal_error *err);

/*
 * Draws the stamp: adds the appearance stream, its font and image to the
 * update and sets the field's /Rect and /AP.  The texts come from the
 * sealer's certificate (O, else CN; the first organizationIdentifier) and
 * job->signing_time shown in job->opts->timezone.
 */
int eseal__pdf_appearance_add(pdf_appearance *ap, pdf_update *u,
    pdf_obj *field, const eseal_job *job, eseal_error *err);

/* Frees what the appearance holds (after the update was rendered). */
void eseal__pdf_appearance_free(pdf_appearance *ap);

/*
 * The stamp's texts (for the appearance and for tests): organization,
 * identifier (may be empty) and date, each a NUL-terminated UTF-8 string
 * in the caller's buffers.  tz: as eseal_seal_opts.timezone.
 */
int eseal__pdf_stamp_date(char *out, size_t size, time_t t, const char *tz,
    eseal_error *err);

#endif
