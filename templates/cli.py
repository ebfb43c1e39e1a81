"""``ultralow templates list|show NAME``: the templates and their parameters."""

from __future__ import annotations

import argparse
import json

from ultralow.templates import get_template, list_templates, template_sources


def _list(args: argparse.Namespace) -> int:
    sources = template_sources()
    for name in list_templates():
        tpl = get_template(name)
        print(f"{name:<12} {tpl.building_use:<12} {sources[name]:<24} {tpl.description}")
    for name, source in sorted(sources.items()):
        if source.startswith("broken"):
            print(f"{name:<12} {'-':<12} {source}")
    return 0


def _show(args: argparse.Namespace) -> int:
    tpl = get_template(args.name)
    rows = tpl.describe()
    if args.json:
        print(json.dumps({"template": tpl.name, "use": tpl.building_use, "parameters": rows}, indent=2))
        return 0
    print(f"{tpl.name}: {tpl.description} ({tpl.building_use})\n")
    print(f"{'parameter':<22} {'unit':<9} {'default':<17} {'allowed':<40} meaning")
    for row in rows:
        default = "-" if row["default"] is None else str(row["default"])
        print(f"{row['name']:<22} {row['unit']:<9} {default:<17} {row['allowed']:<40} {row['meaning']}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("templates", help="list templates and their parameters")
    sub = parser.add_subparsers(dest="templates_command", required=True, metavar="{list,show}")
    sub.add_parser("list", help="list the templates").set_defaults(func=_list)
    show = sub.add_parser("show", help="parameters of one template (unit, default, range, meaning)")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)
