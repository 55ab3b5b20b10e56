"""Drawing the delivery pack's pages with ReportLab: the letter and its figures, then the signers' names.

No queries here: the caller gives the letter, the figures and an iterator of (name, region label) in the
order to print. Pages are drawn into part-PDFs of `PART_PAGES` pages, each saved to a temporary file and
handed to `joining.StreamingPdfWriter`, so memory stays that of one part (see `joining`).
"""

import html
import os
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import reportlab
from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from petitions.delivery_pack.joining import StreamingPdfWriter

# Pages of names in each part-PDF: about 116 names a page, so a part holds some 23,000 names.
PART_PAGES = 200

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
COLUMNS = 2
COLUMN_GAP = 8 * mm
NAME_SIZE = 9
LINE = 12
HEADING_SIZE = 11

# DejaVu Sans (Debian's fonts-dejavu-core) covers the names of most European languages; ReportLab's own
# Bitstream Vera, its ancestor, is the fallback on a host without it (Western European letters only).
_SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_SYSTEM_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
_BUNDLED = Path(reportlab.__file__).parent / "fonts"
FONT = "PackSans"
BOLD = "PackSans-Bold"


def _font_files():
    configured = settings.DELIVERY_PACK_FONT
    if configured:
        regular = Path(configured)
        bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
        return regular, bold if bold.exists() else regular
    if _SYSTEM_FONT.exists():
        return _SYSTEM_FONT, _SYSTEM_BOLD if _SYSTEM_BOLD.exists() else _SYSTEM_FONT
    return _BUNDLED / "Vera.ttf", _BUNDLED / "VeraBd.ttf"


def register_fonts():
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    regular, bold = _font_files()
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))


@dataclass(frozen=True)
class PackContent:
    """Everything the pack shows. `signers` is an iterator of (name as printed, region label), in the
    order to print, read once."""

    title: str
    addressee: str
    letter_html: str
    asks: list
    date_text: str
    period_text: str
    total: int
    by_region: list  # [(region label, count)], largest first
    named: int
    signers: object


class _LetterBlocks(HTMLParser):
    """The letter's rich text as (kind, text) blocks: "h2", "h3", "p" or "li-ol"/"li-ul", in order.

    Only the text is kept (and bold/italic), so nothing an editor typed can reach ReportLab's markup.
    """

    BLOCKS = {"p", "h2", "h3", "li"}
    INLINE = {"b": "b", "strong": "b", "i": "i", "em": "i"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.lists = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        if tag in ("ol", "ul"):
            self.lists.append(tag)
        elif tag in self.BLOCKS:
            kind = f"li-{self.lists[-1] if self.lists else 'ul'}" if tag == "li" else tag
            self.current = [kind, []]
        elif tag in self.INLINE and self.current:
            self.current[1].append(f"<{self.INLINE[tag]}>")
        elif tag == "br" and self.current:
            self.current[1].append("<br/>")

    def handle_endtag(self, tag):
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        elif tag in self.BLOCKS and self.current:
            self.blocks.append((self.current[0], "".join(self.current[1]).strip()))
            self.current = None
        elif tag in self.INLINE and self.current:
            self.current[1].append(f"</{self.INLINE[tag]}>")

    def handle_data(self, data):
        if self.current is None:
            if data.strip():
                self.blocks.append(("p", html.escape(data.strip())))
            return
        self.current[1].append(html.escape(data))


def letter_blocks(letter_html):
    parser = _LetterBlocks()
    parser.feed(letter_html)
    parser.close()
    return [(kind, text) for kind, text in parser.blocks if text]


def _styles():
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=15, spaceAfter=6)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=18, leading=23, spaceAfter=10),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=14, leading=18, spaceBefore=8),
        "h3": ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=12, leading=16, spaceBefore=6),
        "p": body,
        "meta": ParagraphStyle("meta", parent=body, textColor=colors.HexColor("#333333")),
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=12),
    }


def _letter_story(content):
    styles = _styles()
    escape = html.escape
    story = [
        Paragraph(escape(content.title), styles["title"]),
        Paragraph(f"<b>To:</b> {escape(content.addressee)}", styles["meta"]),
        Paragraph(f"<b>Date:</b> {escape(content.date_text)}", styles["meta"]),
    ]
    if content.period_text:
        story.append(Paragraph(escape(content.period_text), styles["meta"]))
    story.append(Spacer(1, 6 * mm))
    items, list_kind = [], None

    def end_list():
        if items:
            bullet = "1" if list_kind == "li-ol" else "bullet"
            story.append(ListFlowable(list(items), bulletType=bullet, bulletFontName=FONT))
            items.clear()

    for kind, text in letter_blocks(content.letter_html):
        if kind.startswith("li-"):
            if kind != list_kind:
                end_list()
            list_kind = kind
            items.append(ListItem(Paragraph(text, styles["p"])))
            continue
        end_list()
        story.append(Paragraph(text, styles[kind]))
    end_list()
    if content.asks:
        story.append(Paragraph("We ask you", styles["h2"]))
        story.append(
            ListFlowable(
                [ListItem(Paragraph(escape(ask), styles["p"])) for ask in content.asks],
                bulletType="1",
                bulletFontName=FONT,
            )
        )
    story.append(Paragraph("Signatures", styles["h2"]))
    story.append(
        Paragraph(
            f"<b>{content.total:,}</b> people signed this letter and confirmed their signature.", styles["p"]
        )
    )
    rows = [["Region", "Signatures"]] + [[label, f"{count:,}"] for label, count in content.by_region]
    rows.append(["Total", f"{content.total:,}"])
    table = Table(rows, colWidths=[110 * mm, 40 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTNAME", (0, -1), (-1, -1), BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    not_named = max(content.total - content.named, 0)
    story.append(
        Paragraph(
            f"The following pages give the first name and region of the {content.named:,} signers who "
            f"agreed to their first name and area being shown publicly. The other {not_named:,} signers "
            "are counted above but not named: they did not agree to it. No contact details are included.",
            styles["small"],
        )
    )
    return story


def _draw_letter(content, path):
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=content.title,
    )
    document.build(_letter_story(content))


class _NamesCanvas:
    """Lays names out in columns, region by region, and starts a new part-PDF every `PART_PAGES` pages."""

    def __init__(self, content, folder, on_part):
        self.content = content
        self.folder = folder
        self.on_part = on_part
        self.canvas = None
        self.part = 0
        self.page = 0
        self.pages_in_part = 0
        self.text = None
        self.column = 0
        self.lines_left = 0
        self.region = None
        self.column_width = (PAGE_WIDTH - 2 * MARGIN - (COLUMNS - 1) * COLUMN_GAP) / COLUMNS
        self.lines_per_column = int((PAGE_HEIGHT - 2 * MARGIN - 2 * LINE) // LINE)

    def _part_path(self):
        return Path(self.folder) / f"names-{self.part:05d}.pdf"

    def _new_canvas(self):
        self.part += 1
        self.pages_in_part = 0
        self.canvas = Canvas(str(self._part_path()), pagesize=A4, pageCompression=1, invariant=1)

    def _finish_canvas(self):
        self.canvas.save()
        self.on_part(self._part_path())
        self.canvas = None

    def _start_column(self):
        x = MARGIN + self.column * (self.column_width + COLUMN_GAP)
        self.text = self.canvas.beginText(x, PAGE_HEIGHT - MARGIN - 2 * LINE)
        self.text.setFont(FONT, NAME_SIZE, LINE)
        self.lines_left = self.lines_per_column

    def _end_column(self):
        if self.text is not None:
            self.canvas.drawText(self.text)
            self.text = None

    def _new_page(self):
        if self.canvas is not None:
            self._end_column()
            self.canvas.showPage()
            if self.pages_in_part >= PART_PAGES:
                self._finish_canvas()
        if self.canvas is None:
            self._new_canvas()
        self.page += 1
        self.pages_in_part += 1
        self.canvas.setFont(BOLD, HEADING_SIZE)
        self.canvas.drawString(
            MARGIN, PAGE_HEIGHT - MARGIN, "Signers who agreed to be shown (first name, by region)"
        )
        self.canvas.setFont(FONT, 8)
        self.canvas.drawRightString(
            PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN, f"{self.content.title[:80]} - names, page {self.page}"
        )
        self.column = 0
        self._start_column()

    def _next_line(self):
        if self.lines_left == 0:
            self._end_column()
            self.column += 1
            if self.column >= COLUMNS:
                self._new_page()
            else:
                self._start_column()
        self.lines_left -= 1

    def _heading(self, region):
        # A region's heading never sits alone at the foot of a column.
        if self.lines_left < 3:
            self.lines_left = 0
        self._next_line()
        self.text.setFont(BOLD, NAME_SIZE, LINE)
        self.text.textLine(region)
        self.text.setFont(FONT, NAME_SIZE, LINE)

    def draw(self, signers):
        width = self.column_width
        string_width = pdfmetrics.stringWidth
        for name, region in signers:
            if self.canvas is None:
                self._new_page()
            if region != self.region:
                self.region = region
                self._heading(region)
            self._next_line()
            if len(name) > 30 and string_width(name, FONT, NAME_SIZE) > width:
                while name and string_width(name + "…", FONT, NAME_SIZE) > width:
                    name = name[:-1]
                name += "…"
            self.text.textLine(name)
        if self.canvas is not None:
            self._end_column()
            self.canvas.showPage()
            self._finish_canvas()


def write_pack(content, output):
    """Draw the pack and write it to the binary file object `output`; returns the number of pages."""
    register_fonts()
    writer = StreamingPdfWriter(output, title=content.title)
    with tempfile.TemporaryDirectory(prefix="delivery-pack-") as folder:
        letter = Path(folder) / "letter.pdf"
        _draw_letter(content, letter)
        writer.add_part(letter)
        os.unlink(letter)

        def add_and_delete(path):
            writer.add_part(path)
            os.unlink(path)

        _NamesCanvas(content, folder, add_and_delete).draw(content.signers)
    return writer.close()
