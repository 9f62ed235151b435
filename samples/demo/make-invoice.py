#!/usr/bin/python3
"""Writes samples/demo/invoice.pdf, the one-page invoice the quick start seals.

Needs python3-cairo (Debian).  The output is committed; run this only to
remake it.
"""
import os
import cairo

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "invoice.pdf")

surface = cairo.PDFSurface(OUT, 595, 842)  # A4 in points
surface.set_metadata(cairo.PDF_METADATA_TITLE, "Invoice 2026-0042 (demo)")
surface.set_metadata(cairo.PDF_METADATA_CREATOR, "eseal samples")
ctx = cairo.Context(surface)
ctx.select_font_face("DejaVu Sans", cairo.FONT_SLANT_NORMAL,
                     cairo.FONT_WEIGHT_BOLD)
ctx.set_font_size(22)
ctx.move_to(60, 90)
ctx.show_text("INVOICE 2026-0042")
ctx.set_font_size(11)
ctx.select_font_face("DejaVu Sans", cairo.FONT_SLANT_NORMAL,
                     cairo.FONT_WEIGHT_NORMAL)
lines = [
    "Example Demo Corporation (DEMO)",
    "Date: 2026-11-24",
    "",
    "Item                              Qty      Price",
    "Sealing service, bulk plan          1   120,000 JPY",
    "Timestamp tokens                  500    25,000 JPY",
    "",
    "Total (incl. 10% consumption tax)       159,500 JPY",
    "",
    "This document is sample material for eseal.",
]
y = 130
for line in lines:
    ctx.move_to(60, y)
    ctx.show_text(line)
    y += 18
surface.finish()
