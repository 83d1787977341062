"""Build ``src/zhengzhao/data/divisions.tsv``, the GB/T 2260 division code list.

The source is ``stdnum/cn/loc.dat`` from python-stdnum (a development dependency),
which its authors compiled from Chinese Wikipedia's lists of administrative division
codes since 1980. A line there holds a province (``65 province="新疆维吾尔自治区"``) or
one code under it (``  0107 county="[1983-1998]南山矿区,[2002-]达坂城区"``), each name
optionally preceded by the years it was in use, ``[-1983]`` meaning "until 1983".

Every code becomes one row: code, name, level, parent code, first year, last year.

- A code that carried several names over time keeps its latest name and the overall
  span of its names; gaps between names are not recorded.
- An empty first year means the code predates the source's records; an empty last
  year means the code is current.
- Level follows the code's shape (``xx0000`` province, ``xxyy00`` prefecture, the rest
  county), except for the lines GB/T 2260 uses as headings rather than divisions:
  ``市辖区`` (a city's districts, a municipality's districts), ``县`` (a
  municipality's counties) and ``省直辖县级行政单位`` (the county-level cities a
  province or autonomous region administers directly, such as 6590xx in Xinjiang).
  These get the level ``group``; the divisions listed under them hang from the
  province instead, because that is who administers them.

Usage: ``python scripts/build_divisions.py [LOC_DAT [OUTPUT]]``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "src/zhengzhao/data/divisions.tsv"

PROVINCE_LINE = re.compile(r'^(\d{2}) province="(.+)"$')
CODE_LINE = re.compile(r'^  (\d{4}) county="(.+)"$')
NAME_PIECE = re.compile(r"^(?:\[(\d*)-(\d*)\])?([^\[\],]+)$")

HEADINGS = frozenset({"市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位"})
COLUMNS = ("code", "name", "level", "parent", "first_year", "last_year")


@dataclass(frozen=True)
class Entry:
    """One code as the source records it, its names already merged."""

    code: str
    name: str
    first_year: int | None
    last_year: int | None


def merge_names(code: str, spec: str) -> Entry:
    """Read ``[1983-1998]A,[2002-]B`` as the latest name and the overall span."""
    pieces: list[tuple[int | None, int | None, str]] = []
    for piece in spec.split(","):
        match = NAME_PIECE.match(piece)
        if match is None:
            raise ValueError(f"{code}: cannot read the name {piece!r}")
        start, end, name = match.groups()
        pieces.append((int(start) if start else None, int(end) if end else None, name))
    starts = [start for start, _, _ in pieces]
    ends = [end for _, end, _ in pieces]
    first = None if None in starts else min(s for s in starts if s is not None)
    last = None if None in ends else max(e for e in ends if e is not None)
    current = [name for _, end, name in pieces if end is None]
    name = current[-1] if current else max(pieces, key=lambda p: p[1] or 0)[2]
    return Entry(code, name, first, last)


def read_source(text: str) -> dict[str, Entry]:
    """Every code in ``loc.dat``; a province's own ``0000`` line wins over its title."""
    entries: dict[str, Entry] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if match := PROVINCE_LINE.match(line):
            province = match.group(1)
            entries.setdefault(province + "0000", merge_names(province, match[2]))
        elif match := CODE_LINE.match(line):
            code = province + match.group(1)
            entries[code] = merge_names(code, match.group(2))
        else:
            raise ValueError(f"cannot read the line {line!r}")
    return entries


def level_of(entry: Entry) -> str:
    if entry.name in HEADINGS:
        return "group"
    if entry.code.endswith("0000"):
        return "province"
    return "prefecture" if entry.code.endswith("00") else "county"


def parent_of(entry: Entry, entries: dict[str, Entry]) -> str:
    """The nearest enclosing division by code shape, skipping headings."""
    code = entry.code
    if code.endswith("0000"):
        return ""
    province, prefecture = code[:2] + "0000", code[:4] + "00"
    if code.endswith("00") or prefecture not in entries:
        return province
    return province if level_of(entries[prefecture]) == "group" else prefecture


def rows(entries: dict[str, Entry]) -> list[tuple[str, ...]]:
    return [
        (
            entry.code,
            entry.name,
            level_of(entry),
            parent_of(entry, entries),
            "" if entry.first_year is None else str(entry.first_year),
            "" if entry.last_year is None else str(entry.last_year),
        )
        for entry in sorted(entries.values(), key=lambda e: e.code)
    ]


def render(entries: dict[str, Entry]) -> str:
    version = metadata.version("python-stdnum")
    header = (
        "# GB/T 2260 administrative division codes, current and historical. Generated"
        " by scripts/build_divisions.py from stdnum/cn/loc.dat of python-stdnum"
        f" {version} (LGPL-2.1-or-later), compiled from Chinese Wikipedia's"
        " 中华人民共和国行政区划代码 lists (CC BY-SA 4.0). Empty first_year: before the"
        " source's records; empty last_year: current; renamed codes keep their latest"
        " name and overall span; level group marks GB/T 2260 headings."
    )
    lines = [header, "\t".join(COLUMNS), *("\t".join(row) for row in rows(entries))]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    source = (
        Path(argv[1]).read_text(encoding="utf-8")
        if len(argv) > 1
        else resources.files("stdnum.cn").joinpath("loc.dat").read_text("utf-8")
    )
    output = Path(argv[2]) if len(argv) > 2 else OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(read_source(source)), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
