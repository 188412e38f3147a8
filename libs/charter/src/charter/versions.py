"""Charter versions: amend a charter into its next version, and list what changed.

An amendment motion must show members exactly which rules change, so the difference is
listed leaf by leaf with readable paths (list items with an ``id`` are named by it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from charter.errors import AmendmentError
from charter.model import Charter

_METADATA = frozenset({"version", "amended_from", "amendment_note", "effective_from"})
_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


@dataclass(frozen=True)
class Change:
    """One difference between two versions: where, what it was, what it becomes."""

    path: str
    old: Any
    new: Any

    @property
    def kind(self) -> Literal["added", "removed", "changed"]:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"

    def __str__(self) -> str:
        return f"{self.path}: {self.old!r} -> {self.new!r}"


def _tokens(path: str) -> list[str]:
    tokens = [m.group(1) or m.group(2) for m in _TOKEN.finditer(path)]
    if not tokens or "".join(f".{t}" for t in tokens).replace(".", "") != re.sub(
        r"[.\[\]]", "", path
    ):
        raise AmendmentError(f"cannot read path {path!r}")
    return tokens


def _child(container: Any, token: str, path: str) -> Any:
    if isinstance(container, dict):
        if token not in container:
            raise AmendmentError(f"{path}: no {token!r} here")
        return container[token]
    if isinstance(container, list):
        return container[_index(container, token, path)]
    raise AmendmentError(f"{path}: {token!r} is inside a value, not a mapping or list")


def _index(items: list[Any], token: str, path: str) -> int:
    if token.lstrip("-").isdigit():
        index = int(token)
        if not -len(items) <= index < len(items):
            raise AmendmentError(f"{path}: index {index} is out of range")
        return index
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == token:
            return index
    raise AmendmentError(f"{path}: no item with id {token!r}")


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    tokens = _tokens(path)
    container: Any = data
    for token in tokens[:-1]:
        container = _child(container, token, path)
    last = tokens[-1]
    if isinstance(container, dict):
        if value is None:
            if last not in container:
                raise AmendmentError(f"{path}: nothing to remove")
            del container[last]
        else:
            container[last] = value
    elif isinstance(container, list):
        index = _index(container, last, path)
        if value is None:
            del container[index]
        else:
            container[index] = value
    else:
        raise AmendmentError(f"{path}: cannot set a value inside a value")


def amend(
    charter: Charter,
    changes: Mapping[str, Any],
    *,
    note: str | None = None,
    effective_from: date | None = None,
) -> Charter:
    """The next version of ``charter`` with ``changes`` applied ({dotted path: new value}).

    A value of None removes the entry. The result is validated like any charter document
    (``CharterValidationError`` lists the problems); the version number goes up by one.
    """
    if not changes:
        raise AmendmentError("an amendment must change something")
    data = charter.to_data()
    for path, value in changes.items():
        if path.split(".")[0].split("[")[0] in _METADATA | {"slug", "schema_version"}:
            raise AmendmentError(f"{path}: versions and identity are not amended by hand")
        _set(data, path, value)
    data["version"] = charter.version + 1
    data["amended_from"] = charter.version
    data.pop("amendment_note", None)
    data.pop("effective_from", None)
    if note is not None:
        data["amendment_note"] = note
    if effective_from is not None:
        data["effective_from"] = effective_from.isoformat()
    return Charter.from_data(data)


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    if items and all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids):
        return dict(zip(ids, items, strict=True))  # type: ignore[arg-type]
    return None


def _walk(old: Any, new: Any, path: str, out: list[Change]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(dict.fromkeys([*old, *new])):
            if not path and key in _METADATA:
                continue
            child = f"{path}.{key}" if path else str(key)
            _walk(old.get(key), new.get(key), child, out)
        return
    if isinstance(old, list) and isinstance(new, list):
        old_keyed, new_keyed = _keyed(old), _keyed(new)
        if old_keyed is not None and new_keyed is not None:
            for key in list(dict.fromkeys([*old_keyed, *new_keyed])):
                _walk(old_keyed.get(key), new_keyed.get(key), f"{path}[{key}]", out)
            return
        if len(old) == len(new):
            for index, (a, b) in enumerate(zip(old, new, strict=True)):
                _walk(a, b, f"{path}[{index}]", out)
            return
    out.append(Change(path=path, old=old, new=new))


def diff(old: Charter, new: Charter) -> list[Change]:
    """Every difference between two charter versions, leaf by leaf, in document order."""
    changes: list[Change] = []
    _walk(old.to_data(), new.to_data(), "", changes)
    return changes
