#!/usr/bin/python3
"""Writes cairo.pdf: a two-page document as python3-cairo (the cairo
library that GTK applications and many report generators print through)
writes it: embedded subset fonts, a classic xref table, PDF 1.5."""

import sys

import cairo


def main(out):
    surface = cairo.PDFSurface(out, 595, 842)
    surface.set_metadata(cairo.PDFMetadata.TITLE, "eseal sample: cairo")
    surface.set_metadata(cairo.PDFMetadata.CREATOR, "eseal mkcairo.py")
    surface.set_metadata(cairo.PDFMetadata.CREATE_DATE,
                         "2024-04-01T09:00:00Z")
    ctx = cairo.Context(surface)
    ctx.select_font_face("DejaVu Sans")
    ctx.set_font_size(14)
    ctx.move_to(72, 72)
    ctx.show_text("eseal sample: cairo (python3-cairo)")
    ctx.rectangle(72, 100, 200, 50)
    ctx.set_source_rgb(0.2, 0.4, 0.8)
    ctx.fill()
    surface.show_page()
    ctx.set_source_rgb(0, 0, 0)
    ctx.move_to(72, 72)
    ctx.show_text("page 2")
    surface.show_page()
    surface.finish()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: mkcairo.py OUT")
    main(sys.argv[1])
