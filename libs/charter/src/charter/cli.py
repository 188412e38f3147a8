"""``charter``: the command line for secretariat staff and developers.

Exit codes: 0 success; 1 the charter or schedule file has problems (or the platform refused
it); 2 bad input (unknown template, body or matter, impossible counts, no platform answer).

Official holiday schedules (``charter.schedules``) loaded with ``charter calendar load FILE`` are
kept in a local store, ``$CHARTER_SCHEDULES`` (default ``~/.local/share/concord/calendar-
schedules``), every version as its own file; ``charter deadline`` and ``charter calendar show``
count on them. On the platform the operator loads them through the API (``loadCalendarSchedule``),
or with ``charter calendar load FILE --platform URL`` (the gateway's GraphQL endpoint; the
operator's token in ``$CONCORD_TOKEN`` or ``--token``), which validates the file here first.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from charter.calendars import (
    CALENDAR_CODES,
    CALENDAR_NAMES,
    Calendar,
    ScheduleBook,
    coverage,
    get_calendar,
)
from charter.errors import CharterError, CharterValidationError, Problem
from charter.ids import DeadlineUnit
from charter.model import Charter, load_yaml, validate_charter_data
from charter.rules import Counts
from charter.schedules import (
    Schedule,
    ScheduleValidationError,
    parse_schedule_text,
    schedule_json_schema,
)
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


def _store() -> Path:
    default = Path.home() / ".local" / "share" / "concord" / "calendar-schedules"
    return Path(os.environ.get("CHARTER_SCHEDULES") or default)


def _read_schedule(name: str) -> Schedule:
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _Failure(f"cannot read {name}: {exc.strerror}") from None
    return parse_schedule_text(text)


def _stored_book(extra: Sequence[str] = ()) -> ScheduleBook:
    """The local store's schedules, plus any ``--schedule`` files (validated)."""
    book = ScheduleBook()
    store = _store()
    if store.is_dir():
        for path in sorted(store.glob("*.json")):
            book.add(parse_schedule_text(path.read_text(encoding="utf-8")))
    for name in extra:
        book.add(_read_schedule(name))
    return book


def _print_due_text(due_on: str, provisional: bool, reason: dict[str, str] | None) -> None:
    if not provisional:
        print(due_on)
        return
    print(f"{due_on} (provisional)")
    assert reason is not None
    print(f"  {reason['en']}")
    print(f"  {reason['zh']}")


def _cmd_deadline(args: argparse.Namespace) -> int:
    charter = _charter_from(args.template)
    calendar = get_calendar(
        args.calendar or charter.calendar.default_calendar, _stored_book(args.schedule or ())
    )
    if args.working_days is not None:
        due = calendar.due(args.start, args.working_days, DeadlineUnit.WORKING_DAYS)
    else:
        due = calendar.due(args.start, args.days, DeadlineUnit.DAYS)
    data = due.to_data()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_due_text(data["due_on"], data["provisional"], data["reason"])
    return 0


def _cmd_calendars(args: argparse.Namespace) -> int:
    book = _stored_book()
    for code, covered in coverage().items():
        name = CALENDAR_NAMES[code]
        years = f"{covered[0]}-{covered[1]}" if covered else "-"
        loaded = ",".join(str(s.year) for s in book.all_current() if s.country == code)
        print(f"{code}\t{years}\t{name.zh}\t{name.en}\tloaded:{loaded or '-'}")
    return 0


LOAD_MUTATION = (
    "mutation($s: String!) { loadCalendarSchedule(schedule: $s) "
    "{ id country year version current newlyLoaded } }"
)


def _load_on_platform(url: str, token: str | None, text: str, label: str) -> int:
    """POST the file to the platform's ``loadCalendarSchedule`` (stdlib only: this package
    stays pure); its typed errors are printed with their codes."""
    import urllib.error
    import urllib.request

    if not token:
        raise _Failure("loading on the platform needs the operator's token ($CONCORD_TOKEN)")
    body = json.dumps({"query": LOAD_MUTATION, "variables": {"s": text}}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read())
        except ValueError:
            raise _Failure(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _Failure(f"{url}: the platform did not answer ({exc})") from None
    errors = answer.get("errors") or []
    if errors:
        for error in errors:
            code = (error.get("extensions") or {}).get("code", "ERROR")
            print(f"{label}: {code}: {error.get('message')}", file=sys.stderr)
            for problem in (error.get("extensions") or {}).get("problems") or []:
                print(
                    f"  {problem['code']}: {problem['path']}: {problem['message']}", file=sys.stderr
                )
        return 1
    loaded = answer["data"]["loadCalendarSchedule"]
    state = "loaded" if loaded["newlyLoaded"] else "already loaded"
    current = "" if loaded["current"] else " (a higher version counts)"
    print(f"{label}: {state} on the platform{current}")
    return 0


def _cmd_calendar_load(args: argparse.Namespace) -> int:
    schedule = _read_schedule(args.file)
    if args.platform:
        text = json.dumps(schedule.to_data(), ensure_ascii=False)
        token = args.token or os.environ.get("CONCORD_TOKEN")
        return _load_on_platform(args.platform, token, text, schedule.label)
    store = _store()
    target = store / f"{schedule.country}-{schedule.year}-v{schedule.version}.json"
    text = json.dumps(schedule.to_data(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if target.exists():
        if target.read_text(encoding="utf-8") == text:
            print(f"{schedule.label}: already loaded ({target})")
            return 0
        raise _Failure(
            f"{schedule.label}: version {schedule.version} is already loaded with other content; "
            "a correction needs a higher version"
        )
    store.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"{schedule.label}: loaded ({target})")
    return 0


def _cmd_calendar_check(args: argparse.Namespace) -> int:
    schedule = _read_schedule(args.file)
    print(f"{args.file}: ok, {schedule.label}")
    return 0


def _show_year(calendar: Calendar, year: int) -> None:
    basis = calendar.basis(year)
    print(f"{calendar.code} {year}\t{calendar.name.zh}\t{calendar.name.en}")
    print(f"basis\t{basis.basis}" + ("\tPROVISIONAL" if basis.provisional else ""))
    print(f"source\t{basis.reference}" + (f"\tv{basis.version}" if basis.version else ""))
    if basis.url:
        print(f"url\t{basis.url}")
    day = date(year, 1, 1)
    while day.year == year:
        name = calendar.holiday_name(day)
        working = calendar.is_working_day(day)
        if name is not None and not working:
            print(f"off\t{day.isoformat()}\t{day.strftime('%a')}\t{name}")
        elif working and day.weekday() in _weekend(calendar):
            print(f"work\t{day.isoformat()}\t{day.strftime('%a')}\tmake-up working day")
        day = day.fromordinal(day.toordinal() + 1)


def _weekend(calendar: Calendar) -> frozenset[int]:
    from charter.calendars import weekend_of

    return weekend_of(calendar.code)


def _cmd_calendar_show(args: argparse.Namespace) -> int:
    code = args.country.upper()
    if code not in CALENDAR_CODES:
        raise _Failure(f"unknown calendar {code!r} (known: {', '.join(CALENDAR_CODES)})")
    _show_year(get_calendar(code, _stored_book()), args.year)
    return 0


def _cmd_calendar_schema(args: argparse.Namespace) -> int:
    print(json.dumps(schedule_json_schema(), ensure_ascii=False, indent=2))
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
    p.add_argument(
        "--schedule",
        action="append",
        metavar="FILE",
        help="count on this official schedule file too (besides the loaded ones)",
    )
    p.add_argument("--json", action="store_true", help="the answer with its provenance")
    p.set_defaults(run=_cmd_deadline)

    p = sub.add_parser("calendars", help="list calendars, the package's years and loaded ones")
    p.set_defaults(run=_cmd_calendars)

    cal = sub.add_parser("calendar", help="official holiday schedules: load, check, show")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True)
    p = cal_sub.add_parser(
        "load", help="validate a schedule file and keep it in the local store, or on the platform"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--platform",
        metavar="URL",
        help="load it on the platform instead: the gateway's GraphQL URL (operator)",
    )
    p.add_argument("--token", help="the operator's token (default: $CONCORD_TOKEN)")
    p.set_defaults(run=_cmd_calendar_load)
    p = cal_sub.add_parser("check", help="validate a schedule file, listing every problem")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(run=_cmd_calendar_check)
    p = cal_sub.add_parser("show", help="a calendar's year: its source, days off, make-up days")
    p.add_argument("country", metavar="COUNTRY")
    p.add_argument("year", type=int)
    p.set_defaults(run=_cmd_calendar_show)
    p = cal_sub.add_parser("schema", help="print the JSON Schema of a schedule file")
    p.set_defaults(run=_cmd_calendar_schema)

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
    except (CharterValidationError, ScheduleValidationError) as exc:
        print(f"charter: {exc}", file=sys.stderr)
        return 1
    except (_Failure, CharterError, ValueError) as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
