"""schema_changed: differences between the declared Pandera schemas, in the spirit of dbt model
contracts: anything that lets more data through (a column, dtype, check or constraint removed
or loosened) is breaking; anything that only adds a constraint is info."""

from __future__ import annotations

import json
import math

from ...profile.format import declared_canonical
from ..change import BREAKING, INFO, WARNING, Change
from ..context import DiffContext

_LOWER_BOUNDS = {"greater_than", "greater_than_or_equal_to"}
_UPPER_BOUNDS = {"less_than", "less_than_or_equal_to"}


def _change(column, severity, message, **evidence) -> Change:
    return Change("schema_changed", column, severity, message, evidence)


def schema_changed(ctx: DiffContext) -> list[Change]:
    old = declared_canonical(ctx.old)
    new = declared_canonical(ctx.new)
    if old is None and new is None:
        return []
    if old is None:
        return [_change(None, INFO, "a declared schema was added", new_source=ctx.new["schema"]
                        ["source"])]
    if new is None:
        return [_change(None, BREAKING, "the declared schema was removed: nothing is validated",
                        old_source=ctx.old["schema"]["source"])]
    if old == new:
        return []
    changes = _columns(old, new)
    changes += _checks(None, old.get("checks", []), new.get("checks", []))
    for flag, loosened_when in (("strict", False), ("ordered", False), ("coerce", None)):
        if old.get(flag) != new.get(flag):
            loosened = loosened_when is not None and new.get(flag) == loosened_when
            changes.append(_change(None, BREAKING if loosened else INFO,
                                   f"schema {flag}: {old.get(flag)} -> {new.get(flag)}",
                                   old=old.get(flag), new=new.get(flag)))
    if old.get("unique") != new.get("unique"):
        dropped = set(old.get("unique") or []) - set(new.get("unique") or [])
        changes.append(_change(None, BREAKING if dropped else INFO,
                               f"schema unique: {old.get('unique')} -> {new.get('unique')}",
                               old=old.get("unique"), new=new.get("unique")))
    return changes


def _columns(old: dict, new: dict) -> list[Change]:
    old_cols = {json.dumps(c["name"]): c for c in old["columns"]}
    new_cols = {json.dumps(c["name"]): c for c in new["columns"]}
    changes = []
    for key, column in old_cols.items():
        name = str(column["name"])
        if key not in new_cols:
            changes.append(_change(name, BREAKING, f"{name}: column removed from the schema"))
            continue
        changes += _column(name, column, new_cols[key])
    for key, column in new_cols.items():
        if key not in old_cols:
            changes.append(_change(str(column["name"]), INFO,
                                   f"{column['name']}: column added to the schema"))
    return changes


def _column(name: str, old: dict, new: dict) -> list[Change]:
    changes = []
    if old.get("dtype") != new.get("dtype"):
        changes.append(_change(name, BREAKING,
                               f"{name}: declared dtype {old.get('dtype')} -> {new.get('dtype')}",
                               old=old.get("dtype"), new=new.get("dtype")))
    for flag, loose in (("nullable", True), ("unique", False), ("required", False)):
        if old.get(flag) != new.get(flag):
            loosened = new.get(flag) == loose
            changes.append(_change(name, BREAKING if loosened else INFO,
                                   f"{name}: {flag} {old.get(flag)} -> {new.get(flag)}"
                                   + (" (loosened)" if loosened else " (tightened)"),
                                   old=old.get(flag), new=new.get(flag)))
    if old.get("pii") != new.get("pii"):
        changes.append(_change(name, WARNING, f"{name}: pii {old.get('pii')} -> {new.get('pii')}",
                               old=old.get("pii"), new=new.get("pii")))
    changes += _checks(name, old.get("checks", []), new.get("checks", []))
    return changes


def _checks(column: str | None, old: list[dict], new: list[dict]) -> list[Change]:
    where = f"{column}: " if column else "table: "
    old_by_name = _by_name(old)
    new_by_name = _by_name(new)
    changes = []
    for name, before in old_by_name.items():
        after = new_by_name.get(name)
        if after is None:
            changes.append(_change(column, BREAKING, f"{where}check {name} removed",
                                   check=name, old=before))
        elif after != before:
            verdict = _compare(name, before.get("statistics", {}), after.get("statistics", {}))
            severity = {"loosened": BREAKING, "tightened": INFO}.get(verdict, WARNING)
            changes.append(_change(column, severity, f"{where}check {name} {verdict}: "
                                   f"{_stats(before)} -> {_stats(after)}",
                                   check=name, old=before, new=after))
    for name, after in new_by_name.items():
        if name not in old_by_name:
            changes.append(_change(column, INFO, f"{where}check {name} added", check=name,
                                   new=after))
    return changes


def _by_name(checks: list[dict]) -> dict[str, dict]:
    """Checks keyed by name; repeated names get a suffix so none is lost."""
    keyed: dict[str, dict] = {}
    for check in checks:
        key, n = check["name"], 2
        while key in keyed:
            key, n = f"{check['name']}#{n}", n + 1
        keyed[key] = check
    return keyed


def _stats(check: dict) -> str:
    return json.dumps(check.get("statistics", {}), sort_keys=True)


def _compare(name: str, old: dict, new: dict) -> str:
    """'loosened' when the new check admits more values, 'tightened' when fewer."""
    try:
        if name in _LOWER_BOUNDS:
            return _order(new["min_value"], old["min_value"])
        if name in _UPPER_BOUNDS:
            return _order(old["max_value"], new["max_value"])
        if name in ("in_range", "str_length"):
            # A missing bound is no bound: -inf below, +inf above.
            low = _order(_bound(new, "min_value", -math.inf), _bound(old, "min_value", -math.inf))
            high = _order(_bound(old, "max_value", math.inf), _bound(new, "max_value", math.inf))
            if "loosened" in (low, high):
                return "loosened"
            return "tightened" if "tightened" in (low, high) else "changed"
        if name == "isin":
            return _sets(set(map(str, old["allowed_values"])),
                         set(map(str, new["allowed_values"])))
        if name == "notin":
            return _sets(set(map(str, new["forbidden_values"])),
                         set(map(str, old["forbidden_values"])))
    except (KeyError, TypeError):
        pass
    return "changed"


def _bound(statistics: dict, key: str, default: float):
    value = statistics.get(key)
    return default if value is None else value


def _order(a, b) -> str:
    """'loosened' if a < b (the bound moved to admit more), 'tightened' if a > b."""
    if a < b:
        return "loosened"
    return "tightened" if a > b else "changed"


def _sets(old: set, new: set) -> str:
    if new > old:
        return "loosened"
    if new < old:
        return "tightened"
    return "loosened" if new - old else "changed"
