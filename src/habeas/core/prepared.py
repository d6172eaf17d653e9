"""Querysets whose SQL is built once: the hot reads of every request.

Django's ORM turns a queryset into SQL anew on every evaluation. For the short reads of a page
(a person's placements, their authorities, the signed-in user) that costs more than the database:
about 0.6 ms of the 1.2 ms a one-row ``select_related`` read takes on our machines, 14 times on a
person's record (issue #8, docs/benchmarks.md). A :class:`Prepared` query is written as an
ordinary queryset-building function of a few keyword values; its SQL is compiled on first use on
each database connection and reused with the new values, and the rows become model instances (or
``values_list`` tuples) exactly as the queryset itself would make them — it *is* that queryset,
evaluated with its compiled SQL.

    @prepared
    def placements_of(person_id: int) -> QuerySet[Placement]:
        return Placement.objects.filter(person_id=person_id).select_related("cell")

    placements_of(person_id=7)  # -> list[Placement], one query, its SQL compiled once

The rules, checked when the query is first compiled (a mistake fails the first test that runs it,
on either database, never silently):

- the function's parameters are keyword values of type ``int``, ``str``, ``datetime`` or ``date``,
  or lists of ``int`` or ``str`` (for ``__in``; their annotations say which), and each must reach
  the SQL as a parameter; a list's SQL is compiled once for each length met up to
  ``LONGEST_LIST``, and an empty or longer list is evaluated as an ordinary queryset;
- the function must depend on nothing but them (no ``clock.now()`` inside, no settings read):
  it is built twice with different values, and anything but those values differing is refused;
- no ``prefetch_related`` (the related reads would not be prepared), and the result is a list: a
  prepared query is not chained further (``.first()``, ``.filter()`` would change its SQL).
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import typing
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable
from django.db.models.sql.compiler import SQLCompiler

T = TypeVar("T")

_SCALARS: tuple[type, ...] = (int, str, dt.datetime, dt.date)
_UTC = dt.UTC
#: a list parameter longer than this is not prepared (the query is built as usual): its SQL holds
#: one placeholder per value, compiled once for each length met
LONGEST_LIST = 64


def _sentinel(kind: type, n: int, round_: int) -> Any:
    """A value of ``kind`` no query of ours would hold as a constant, distinct per parameter
    (or list item) ``n`` and per build ``round_``."""
    if kind is int:
        return -(1_000_000_007 + 100_000 * round_ + n)
    if kind is str:
        return f"\x1fprepared-{round_}-{n}\x1f"
    if kind is dt.datetime:
        return dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=_UTC) + dt.timedelta(
            days=n, microseconds=1 + round_
        )
    return dt.date(1901, 3, 4) + dt.timedelta(days=n + 1_000 * round_)


class PreparationError(TypeError):
    """A Prepared query that breaks one of the rules in this module's docstring."""


@dataclass(frozen=True)
class _Kind:
    item: type  # the type of the value, or of each item of a list
    many: bool  # a list of them (``list[int]``, ``list[str]``)


@dataclass(frozen=True)
class _Slot:
    """Where a parameter's value (or one item of a list) goes in the SQL's parameters, and how
    the backend adapts it there."""

    index: int
    name: str
    item: int | None  # which item of a list parameter; None: the value itself
    adapt: Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    template: QuerySet[Any, Any]
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]


def _adapters(connection: BaseDatabaseWrapper, value: Any) -> list[Callable[[Any], Any] | None]:
    """The forms ``value`` may take among a query's parameters: as it is, or as the backend
    adapts a value of its type for a column (SQLite keeps datetimes and dates as text)."""
    ops = connection.ops
    forms: list[Callable[[Any], Any] | None] = [None]
    if isinstance(value, dt.datetime):
        forms.append(ops.adapt_datetimefield_value)
    elif isinstance(value, dt.date):
        forms.append(ops.adapt_datefield_value)
    return forms


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class Prepared(Generic[T]):
    """A queryset-building function whose SQL is compiled once per database connection (and,
    for list parameters, once per length of list)."""

    def __init__(self, build: Callable[..., QuerySet[Any, T]], *, using: str = DEFAULT_DB_ALIAS):
        self.build = build
        self.using = using
        self.kinds: dict[str, _Kind] = {}
        for name, parameter in inspect.signature(build).parameters.items():
            annotation = _kind(build, parameter.annotation)
            kind = _Kind(annotation, False)
            if typing.get_origin(annotation) is list:
                (item,) = typing.get_args(annotation) or (None,)
                kind = _Kind(item, True) if item in (int, str) else _Kind(annotation, False)
            if kind.item not in _SCALARS:
                raise PreparationError(f"{_name(build)}: parameter {name!r} of type {annotation}")
            if parameter.kind not in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                raise PreparationError(f"{_name(build)}: parameter {name!r} must be a keyword")
            self.kinds[name] = kind
        self._compiled: weakref.WeakKeyDictionary[
            BaseDatabaseWrapper, dict[tuple[int, ...], _Compiled]
        ] = weakref.WeakKeyDictionary()

    def __call__(self, **values: Any) -> list[T]:
        if values.keys() != self.kinds.keys():
            raise TypeError(f"{_name(self.build)} takes {sorted(self.kinds)}, got {sorted(values)}")
        lengths = []
        for name, kind in self.kinds.items():
            if kind.many:
                # IN (…) compares with a set: duplicates and None change nothing but the SQL.
                items = values[name] = list(dict.fromkeys(v for v in values[name] if v is not None))
                lengths.append(len(items))
        if any(n == 0 or n > LONGEST_LIST for n in lengths):
            return list(self.build(**values))  # an empty list has no SQL of its own to reuse
        connection = connections[self.using]
        shapes = self._compiled.get(connection)
        if shapes is None:
            shapes = self._compiled[connection] = {}
        shape = tuple(lengths)
        compiled = shapes.get(shape)
        if compiled is None:
            compiled = shapes[shape] = self._compile(connection, shape)
        params = list(compiled.params)
        for slot in compiled.slots:
            value = values[slot.name]
            if slot.item is not None:
                value = value[slot.item]
            params[slot.index] = value if slot.adapt is None else slot.adapt(value)
        compiler = copy.copy(compiled.compiler)
        sql, bound = compiled.sql, tuple(params)
        compiler.as_sql = lambda *_a, **_k: (sql, bound)  # type: ignore[method-assign]
        queryset = compiled.template._chain()  # type: ignore[attr-defined]
        queryset.query.get_compiler = lambda *_a, **_k: compiler
        return list(queryset)

    def _stand_ins(self, shape: tuple[int, ...], round_: int) -> dict[str, Any]:
        values: dict[str, Any] = {}
        lengths = iter(shape)
        for n, (name, kind) in enumerate(self.kinds.items()):
            if kind.many:
                values[name] = [
                    _sentinel(kind.item, 100 * n + k, round_) for k in range(next(lengths))
                ]
            else:
                values[name] = _sentinel(kind.item, 100 * n, round_)
        return values

    def _compile(self, connection: BaseDatabaseWrapper, shape: tuple[int, ...]) -> _Compiled:
        builds = []
        for round_ in (0, 1):
            values = self._stand_ins(shape, round_)
            queryset = self.build(**values)
            self._check(queryset)
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            builds.append((values, queryset, compiler, sql, tuple(params)))
        (values, queryset, compiler, sql, params), (values_b, _q, _c, sql_b, params_b) = builds
        if sql != sql_b or len(params) != len(params_b):
            raise PreparationError(f"{_name(self.build)}: its SQL depends on more than its values")
        slots: list[_Slot] = []
        for index, (a, b) in enumerate(zip(params, params_b, strict=True)):
            if _same(a, b):
                continue
            slot = self._slot(connection, index, a, b, values, values_b)
            if slot is None:
                raise PreparationError(
                    f"{_name(self.build)}: parameter {index} ({a!r}) is none of its values"
                )
            slots.append(slot)
        reached = {(s.name, s.item) for s in slots}
        missing = sorted(
            name
            for name, kind in self.kinds.items()
            if not (
                (name, None) in reached
                or (kind.many and all((name, k) in reached for k in range(len(values[name]))))
            )
        )
        if missing:
            raise PreparationError(
                f"{_name(self.build)}: {missing} never reach the SQL as parameters"
            )
        return _Compiled(queryset, compiler, sql, params, tuple(slots))

    def _slot(
        self,
        connection: BaseDatabaseWrapper,
        index: int,
        a: Any,
        b: Any,
        values: dict[str, Any],
        values_b: dict[str, Any],
    ) -> _Slot | None:
        for name, value in values.items():
            candidates: list[tuple[int | None, Any, Any]] = [(None, value, values_b[name])]
            if self.kinds[name].many:
                candidates += [(k, v, values_b[name][k]) for k, v in enumerate(value)]
            for item, value_a, value_b in candidates:
                for adapt in _adapters(connection, value_a):
                    form_a = value_a if adapt is None else adapt(value_a)
                    form_b = value_b if adapt is None else adapt(value_b)
                    if _same(a, form_a) and _same(b, form_b):
                        return _Slot(index, name, item, adapt)
        return None

    def _check(self, queryset: QuerySet[Any, Any]) -> None:
        if not isinstance(queryset, QuerySet):
            raise PreparationError(f"{_name(self.build)} must return a queryset")
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise PreparationError(f"{_name(self.build)}: prefetch_related is not prepared")
        iterable = queryset._iterable_class
        if iterable not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise PreparationError(f"{_name(self.build)}: only models and values_list")


def _kind(fn: Callable[..., Any], annotation: Any) -> Any:
    """A parameter's annotation, evaluated where the function was written (only the parameters':
    the return annotation may name what its module imports only for type checking)."""
    if isinstance(annotation, str):
        try:
            return eval(annotation, getattr(fn, "__globals__", {}))  # noqa: S307 - our own source
        except NameError:
            return annotation
    return annotation


def _name(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def prepared(build: Callable[..., QuerySet[Any, T]]) -> Prepared[T]:
    """Decorate a queryset-building function: calling it returns the rows (see the module)."""
    return Prepared(build)
