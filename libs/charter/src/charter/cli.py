"""``charter``: the command line for secretariat staff and developers.

Exit codes: 0 success; 1 the charter file has problems; 2 bad input (unknown template, body
or matter, impossible counts, a date outside the calendar's years).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from charter.calendars import CALENDAR_CODES, coverage, get_calendar
from charter.errors import CharterError, CharterValidationError, Problem
from charter.model import Charter, load_yaml, validate_charter_data
from charter.rules import Counts
from charter.schema import published_schema_path, schema_text, write_published_schema
from charter.templates import list_templates, load_template, template_text
from charter.versions import diff


class _Failure(Exception):
    """Bad input: printed as one line on stderr, exit code 2."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _charter_from(source: str) -> Charter:
    """A template slug or a charter file (YAML or JSON)."""
    if source in list_templates():
        return load_template(source)
    path = Path(source)
    if not path.is_file():
        raise _Failure(
            f"{source!r} is neither a template ({', '.join(list_templates())}) nor a file"
        )
    return Charter.from_yaml(path.read_text(encoding="utf-8"))


def _cmd_templates(args: argparse.Namespace) -> int:
    for slug in list_templates():
        charter = load_template(slug)
        print(f"{slug}\tv{charter.version}\t{charter.name.zh}\t{charter.name.en}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    if args.template not in list_templates():
        raise _Failure(f"no template {args.template!r} (templates: {', '.join(list_templates())})")
    if args.json:
        print(load_template(args.template).to_json())
    elif args.normalised:
        print(load_template(args.template).to_yaml(), end="")
    else:
        print(template_text(args.template), end="")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    status = 0
    for name in args.files:
        path = Path(name)
        try:
            problems = validate_charter_data(load_yaml(path.read_text(encoding="utf-8")))
        except OSError as exc:
            problems = [Problem("", f"cannot read: {exc.strerror}")]
        except CharterValidationError as exc:
            problems = exc.problems
        if problems:
            status = 1
            print(f"{name}: {len(problems)} problem(s)")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"{name}: ok")
    return status


def _cmd_evaluate(args: argparse.Namespace) -> int:
    charter = _charter_from(args.template)
    counts = Counts(
        seats=args.seats,
        present=args.present,
        yes=args.yes,
        no=args.no,
        abstain=args.abstain,
        proxies=args.proxies,
    )
    decision = charter.evaluate(args.body, args.matter, counts)
    print(json.dumps(decision.summary(), ensure_ascii=False, indent=2))
    return 0


def _cmd_deadline(args: argparse.Namespace) -> int:
    charter = _charter_from(args.template)
    calendar = get_calendar(args.calendar or charter.calendar.default_calendar)
    if args.working_days is not None:
        due = calendar.add_working_days(args.start, args.working_days)
    else:
        due = calendar.add_days(args.start, args.days)
    print(due.isoformat())
    return 0


def _cmd_calendars(args: argparse.Namespace) -> int:
    for code, (first, last) in coverage().items():
        name = get_calendar(code).name
        print(f"{code}\t{first}-{last}\t{name.zh}\t{name.en}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    if args.write:
        print(write_published_schema())
    elif args.check:
        current = published_schema_path().read_text(encoding="utf-8")
        if current != schema_text():
            print("charter.schema.json is out of date: run `charter schema --write`")
            return 1
        print("charter.schema.json is current")
    else:
        print(schema_text(), end="")
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    old, new = _charter_from(args.old), _charter_from(args.new)
    changes = diff(old, new)
    if args.json:
        rows = [{"path": c.path, "kind": c.kind, "old": c.old, "new": c.new} for c in changes]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for change in changes:
            print(
                f"{change.kind}\t{change.path}\t{json.dumps(change.old, ensure_ascii=False)}"
                f"\t{json.dumps(change.new, ensure_ascii=False)}"
            )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="charter", description="Alliance charters as data: templates, rules, deadlines."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("templates", help="list the shipped templates")
    p.set_defaults(run=_cmd_templates)

    p = sub.add_parser("show", help="print a template (YAML as shipped)")
    p.add_argument("template")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print as JSON")
    form.add_argument("--normalised", action="store_true", help="print the model's YAML")
    p.set_defaults(run=_cmd_show)

    p = sub.add_parser("validate", help="check charter files, listing every problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(run=_cmd_validate)

    p = sub.add_parser("evaluate", help="decide a vote under a charter rule (JSON)")
    p.add_argument("--template", required=True, help="a template slug or a charter file")
    p.add_argument("--body", required=True)
    p.add_argument("--matter", required=True)
    for name in ("seats", "present", "yes", "no"):
        p.add_argument(f"--{name}", type=int, required=True)
    p.add_argument("--abstain", type=int, default=0)
    p.add_argument("--proxies", type=int, default=0, help="members represented by written proxy")
    p.set_defaults(run=_cmd_evaluate)

    p = sub.add_parser("deadline", help="print the due date of a period")
    p.add_argument("--template", required=True, help="a template slug or a charter file")
    p.add_argument("--from", dest="start", type=_date, required=True, metavar="YYYY-MM-DD")
    period = p.add_mutually_exclusive_group(required=True)
    period.add_argument("--working-days", type=int)
    period.add_argument("--days", type=int)
    p.add_argument("--calendar", choices=CALENDAR_CODES, help="instead of the charter's default")
    p.set_defaults(run=_cmd_deadline)

    p = sub.add_parser("calendars", help="list calendars and the years they cover")
    p.set_defaults(run=_cmd_calendars)

    p = sub.add_parser("schema", help="print the charter JSON Schema")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="regenerate the committed file")
    action.add_argument("--check", action="store_true", help="fail if the file is out of date")
    p.set_defaults(run=_cmd_schema)

    p = sub.add_parser("diff", help="list rule-by-rule differences between two charters")
    p.add_argument("old", help="a template slug or a charter file")
    p.add_argument("new", help="a template slug or a charter file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_cmd_diff)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``charter`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except CharterValidationError as exc:
        print(f"charter: {exc}", file=sys.stderr)
        return 1
    except (_Failure, CharterError, ValueError) as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
