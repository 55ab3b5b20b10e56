"""Join part-PDFs into one PDF, writing each part's pages out as they are read.

ReportLab, like every PDF library we looked at, keeps a whole document in memory until it is saved; at a
million names that is thousands of pages. So the pack is drawn in parts of a few hundred pages, each
saved to a temporary file, and joined here: each part is read with pypdf, every object its pages use is
written to the output at once under a new number, and only the objects' byte offsets and the pages'
numbers are kept until the end (a few bytes a page), where the page tree, catalogue and cross-reference
table are written. Memory is that of one part, whatever the number of parts.
"""

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
# Numbers kept for the objects written last, so pages can point at their tree before it exists.
_CATALOG_ID = 1
_PAGES_ID = 2
_INFO_ID = 3
_FREE_ENTRY = b"0000000000 65535 f \n"


class StreamingPdfWriter:
    """Writes a PDF to a binary file object, one part at a time: `add_part(path)` then `close()`."""

    def __init__(self, output, title=""):
        self.output = output
        self.title = title
        self.offsets = {}
        self.page_ids = []
        self.next_id = _INFO_ID + 1
        self._write(_HEADER)

    def _write(self, data):
        self.output.write(data)

    def _position(self):
        return self.output.tell()

    def _write_object(self, object_id, obj):
        self.offsets[object_id] = self._position()
        self._write(f"{object_id} 0 obj\n".encode())
        obj.write_to_stream(self.output)
        self._write(b"\nendobj\n")

    def add_part(self, path):
        """Append every page of the PDF at `path`."""
        reader = PdfReader(path)
        new_ids = {}
        waiting = []

        def new_id(reference):
            key = reference.idnum
            if key not in new_ids:
                new_ids[key] = self.next_id
                self.next_id += 1
                waiting.append(reference)
            return new_ids[key]

        def renumbered(obj):
            if isinstance(obj, IndirectObject):
                return IndirectObject(new_id(obj), 0, None)
            if isinstance(obj, StreamObject):
                copy = obj.__class__()
                copy._data = obj._data
                for key, value in obj.items():
                    copy[NameObject(key)] = renumbered(value)
                return copy
            if isinstance(obj, DictionaryObject):
                return DictionaryObject({NameObject(key): renumbered(value) for key, value in obj.items()})
            if isinstance(obj, ArrayObject):
                return ArrayObject(renumbered(value) for value in obj)
            return obj

        for page in reader.pages:
            page_id = new_id(page.indirect_reference)
            self.page_ids.append(page_id)
            while waiting:
                reference = waiting.pop()
                obj = reference.get_object()
                if reference.idnum == page.indirect_reference.idnum:
                    copy = DictionaryObject(
                        {NameObject(key): renumbered(value) for key, value in obj.items() if key != "/Parent"}
                    )
                    copy[NameObject("/Parent")] = IndirectObject(_PAGES_ID, 0, None)
                else:
                    copy = renumbered(obj)
                self._write_object(new_ids[reference.idnum], copy)

    def close(self):
        """Write the page tree, the catalogue and the cross-reference table."""
        kids = ArrayObject(IndirectObject(page_id, 0, None) for page_id in self.page_ids)
        pages = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Pages"),
                NameObject("/Kids"): kids,
                NameObject("/Count"): NumberObject(len(self.page_ids)),
            }
        )
        self._write_object(_PAGES_ID, pages)
        catalog = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Catalog"),
                NameObject("/Pages"): IndirectObject(_PAGES_ID, 0, None),
            }
        )
        self._write_object(_CATALOG_ID, catalog)
        info = DictionaryObject(
            {
                NameObject("/Title"): TextStringObject(self.title),
                NameObject("/Producer"): TextStringObject("Wild West Web delivery pack (ReportLab, pypdf)"),
            }
        )
        self._write_object(_INFO_ID, info)
        xref_position = self._position()
        size = self.next_id
        lines = [f"xref\n0 {size}\n".encode(), _FREE_ENTRY]
        for object_id in range(1, size):
            offset = self.offsets.get(object_id)
            lines.append(
                f"{offset:010d} 00000 n \n".encode() if offset is not None else b"0000000000 65535 f \n"
            )
        self._write(b"".join(lines))
        self._write(
            f"trailer\n<< /Size {size} /Root {_CATALOG_ID} 0 R /Info {_INFO_ID} 0 R >>\n"
            f"startxref\n{xref_position}\n%%EOF\n".encode()
        )
        return len(self.page_ids)
