"""How much of a gathering file one row, one cell or one part may hold.

A file comes from a department's system, or from anyone holding its credentials: each
bound keeps one row, one line or one part of a workbook from taking the memory or the
time of the whole node, and each is far above what a license needs.
"""

from __future__ import annotations

__all__ = [
    "CELL_CHARS",
    "LINE_CHARS",
    "MAX_COLUMNS",
    "MAX_RATIO",
    "MAX_ROWS",
    "OTHER_PART_BYTES",
    "RATIO_FLOOR_BYTES",
    "SHARED_STRINGS_BYTES",
    "SHEET_PART_BYTES",
    "SHEET_RUN_BYTES",
]

#: The longest cell read, in characters: over 250 times the longest text a seed type
#: allows (4,000), and still a size one row may hold in memory. Excel itself keeps at
#: most 32,767 characters in a cell. Python's csv module stops at 131,072 by default.
CELL_CHARS = 1 << 20
#: The longest JSON Lines line read, in characters: a line is a whole row, and the
#: longest cell is as long as a row may be.
LINE_CHARS = CELL_CHARS

#: The last row and column of a sheet (Excel's specifications and limits: 1,048,576
#: rows by 16,384 columns, XFD).
MAX_ROWS = 1 << 20
MAX_COLUMNS = 1 << 14

#: The most a workbook's shared-strings table may decompress to. It is read whole
#: before the first row, and its texts take about three times that in memory; a
#: workbook of a million rows of names, addresses and numbers needs about 100 MiB.
SHARED_STRINGS_BYTES = 128 << 20
#: The most a sheet may decompress to; it is read as a stream, so this bounds time
#: rather than memory: a full sheet of sixteen columns is about 1 GiB.
SHEET_PART_BYTES = 2 << 30
#: The most any other part of a workbook (its styles, its list of sheets) may
#: decompress to: those are read whole, and are kilobytes in a workbook of licenses.
OTHER_PART_BYTES = 64 << 20
#: The most a part may decompress to per byte stored, past `RATIO_FLOOR_BYTES`: a
#: higher ratio is a decompression bomb (Apache POI refuses the same, by default,
#: below an inflate ratio of 0.01). Sheets of licenses compress about 16 to 1.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1 << 20
#: The most bytes of a sheet's XML between two tags: a cell of `CELL_CHARS`
#: characters written as character references (``&#x4E2D;``, ten bytes each) fits,
#: and a longer text is refused before the XML parser holds it.
SHEET_RUN_BYTES = 10 * CELL_CHARS
