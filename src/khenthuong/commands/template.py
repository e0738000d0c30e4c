"""`khenthuong template`: write an empty batch to fill in — an Excel workbook or a folder of CSV files."""

from __future__ import annotations

import argparse
from typing import Any

from khenthuong.cli import EXIT_OK, add_lang


def register(sub: Any) -> None:
    p = sub.add_parser(
        "template",
        help="write an empty batch workbook (or CSV folder) to fill in",
        description="Write an empty batch: one sheet per section with Vietnamese headers "
        "(English with --lang en), dropdown lists and one example row (ids starting with VD-, "
        "to delete). Fill it and run `khenthuong check` on it.",
    )
    p.add_argument(
        "--format",
        default="xlsx",
        choices=("xlsx", "csv"),
        help="xlsx: an Excel workbook (default); csv: a folder of CSV files",
    )
    p.add_argument(
        "--out", required=True, help="the workbook (.xlsx) or the folder to write, atomically"
    )
    add_lang(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from khenthuong.batch.tabular import template_csv, template_xlsx

    if args.format == "xlsx":
        from khenthuong.atomic import write_bytes

        write_bytes(args.out, template_xlsx(args.lang))
    else:
        from khenthuong.report.csv_out import write_folder

        write_folder(args.out, template_csv(args.lang))
    return EXIT_OK
