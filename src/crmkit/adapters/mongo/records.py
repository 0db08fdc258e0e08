"""The MongoDB store of declared record types (one for all of them).

Custom values are stored twice in each document: as ``custom`` (a sub-document, loaded
back and sorted on) and as ``cv``, an array of ``{k, v}`` pairs under one compound index
(tenant_id, cv.k, cv.v), so that a lookup by any custom value is an index range scan.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from bson.decimal128 import Decimal128
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

from crmkit.adapters.mongo.converters import converter
from crmkit.adapters.mongo.session import MongoSession
from crmkit.domain.errors import ConfigurationError, CrmkitError
from crmkit.domain.record_query import Condition, Op, QueryPlan, Scalar
from crmkit.domain.records import CUSTOM_FIELD, RecordType
from crmkit.services.records import attribute, duplicate_error, plain, stale_error

R = TypeVar("R")
CUSTOM_INDEX = "cv"

document_converter = converter.copy()
"""Scalars and nested parts to BSON; dates (which BSON lacks) as midnight UTC."""
document_converter.register_unstructure_hook(
    date, lambda d: datetime(d.year, d.month, d.day, tzinfo=UTC)
)
document_converter.register_structure_hook(
    date, lambda v, _: v.date() if isinstance(v, datetime) else date.fromisoformat(v)
)
document_converter.register_unstructure_hook_func(
    lambda t: t is frozenset or getattr(t, "__origin__", None) is frozenset, sorted
)


_ATTACHED: dict[str, list[IndexModel]] = {}
"""Existing indexes of collections made before declarations existed, by collection."""


def attach_indexes(record_type: RecordType[Any], indexes: list[IndexModel]) -> list[IndexModel]:
    """Keep a collection's existing ``indexes`` for ``record_type`` instead of generated ones.

    Raises:
        ConfigurationError: the indexes lack a unique (tenant, key) or (tenant, *unique key).
    """
    keys = {
        tuple(n for n, _ in i.document["key"].items()) for i in indexes if i.document.get("unique")
    }
    wanted = [(record_type.key,), *record_type.unique]
    missing = [names for names in wanted if ("tenant_id", *names) not in keys]
    if missing:
        raise ConfigurationError(
            f"the indexes of {record_type.collection_name} lack unique tenant-first indexes on "
            f"{missing} that {record_type.entity}'s declaration needs.",
        )
    _ATTACHED[record_type.collection_name] = indexes
    return indexes


def tenant_index(*fields: str, name: str, unique: bool = False) -> IndexModel:
    """An ascending index on the tenant, then ``fields``."""
    keys = [("tenant_id", ASCENDING), *((field, ASCENDING) for field in fields)]
    return IndexModel(keys, name=name, unique=True) if unique else IndexModel(keys, name=name)


def record_indexes(record_type: RecordType[Any]) -> list[IndexModel]:
    """The indexes of a record type's collection, each starting with the tenant (the
    attached ones if :func:`attach_indexes` gave them)."""
    attached = _ATTACHED.get(record_type.collection_name)
    if attached is not None:
        return attached
    key = record_type.key
    indexes = [tenant_index(key, name=f"tenant_{key}", unique=True)]
    indexes += [
        tenant_index(*names, name="unique_tenant_" + "_".join(names), unique=True)
        for names in record_type.unique
    ]
    indexes += [
        tenant_index(f.name, key, name=f"tenant_{f.name}_{key}")
        for f in record_type.fields
        if f.indexed and f.name != key
    ]
    if record_type.custom_fields:
        indexes.append(
            IndexModel(
                [("tenant_id", ASCENDING), ("cv.k", ASCENDING), ("cv.v", ASCENDING)],
                name="tenant_custom_values",
            )
        )
    return indexes


def ensure_record_collection(
    database: Database[dict[str, Any]], record_type: RecordType[Any]
) -> None:
    """Create the collection and indexes of a record type (outside transactions)."""
    if record_type.collection_name not in database.list_collection_names():
        database.create_collection(record_type.collection_name)
    database[record_type.collection_name].create_indexes(record_indexes(record_type))


def bson_value(value: Scalar | None) -> Any:
    """A checked scalar as MongoDB stores and compares it."""
    if isinstance(value, Decimal):
        return Decimal128(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value


def _custom_value(value: Any) -> Any:
    if isinstance(value, Decimal128):
        return value.to_decimal()
    if isinstance(value, datetime):
        return value.date()
    return value


class MongoRecordStore(Generic[R]):
    def __init__(self, session: MongoSession, record_type: RecordType[R]) -> None:
        self._session = session
        self._tenant = session.tenant_id
        self._type = record_type
        self._types = record_type.attribute_types()
        self._collection = session.database[record_type.collection_name]

    def add(self, record: R) -> None:
        document = self._document(record)
        self._session.run(
            lambda s: self._collection.insert_one(document, session=s),
            on_duplicate=self._duplicate(record),
        )

    def get(self, key: str) -> R | None:
        document = self._session.run(
            lambda s: self._collection.find_one(
                {"tenant_id": self._tenant, self._type.key: key}, session=s
            )
        )
        return None if document is None else self._record(document)

    def get_many(self, keys: Collection[str]) -> list[R]:
        wanted = sorted(keys)
        documents = self._session.run(
            lambda s: list(
                self._collection.find(
                    {"tenant_id": self._tenant, self._type.key: {"$in": wanted}}, session=s
                )
            )
        )
        return [self._record(d) for d in documents]

    def update(self, record: R) -> None:
        key, version = attribute(record, self._type.key), attribute(record, "version")
        document = self._document(record)
        mine = {"tenant_id": self._tenant, self._type.key: key}
        result = self._session.run(
            lambda s: self._collection.update_one(
                {**mine, "version": version - 1}, {"$set": document}, session=s
            ),
            on_duplicate=self._duplicate(record),
        )
        if result.matched_count != 1:
            stored = self._session.run(
                lambda s: self._collection.find_one(mine, {"version": 1}, session=s)
            )
            number = None if stored is None else stored["version"]
            t = self._type
            error = stale_error(t.entity, key, self._tenant, number, version - 1, key_name=t.key)
            raise self._session.fail(error)

    def find(self, plan: QueryPlan) -> list[R]:
        query: dict[str, Any] = {"tenant_id": self._tenant}
        clauses = [self._condition(c) for c in plan.conditions]
        key = self._type.key
        order = [key]
        if not plan.ordered_by_key:
            name = plan.order.name
            order = [f"{CUSTOM_FIELD}.{name}" if plan.order.custom else name, key]
        if plan.after is not None:
            after = [bson_value(v) for v in plan.after]
            if len(order) == 1:
                clauses.append({key: {"$gt": after[0]}})
            else:
                clauses.append(
                    {
                        "$or": [
                            {order[0]: {"$gt": after[0]}},
                            {order[0]: after[0], key: {"$gt": after[1]}},
                        ]
                    }
                )
        if clauses:
            query["$and"] = clauses
        documents = self._session.run(
            lambda s: list(
                self._collection.find(query, session=s)
                .sort([(name, ASCENDING) for name in order])
                .limit(plan.limit)
            )
        )
        return [self._record(d) for d in documents]

    def fail(self, error: CrmkitError) -> CrmkitError:
        return self._session.fail(error)

    def _condition(self, condition: Condition) -> dict[str, Any]:
        target = condition.target
        if target.custom:
            if condition.op is Op.EMPTY:
                return {CUSTOM_INDEX: {"$not": {"$elemMatch": {"k": target.name}}}}
            match: dict[str, Any] = {"k": target.name}
            if condition.op is not Op.NOT_EMPTY:
                match["v"] = _compare(condition)
            return {CUSTOM_INDEX: {"$elemMatch": match}}
        if condition.op is Op.EMPTY:
            return {target.name: None}
        if condition.op is Op.NOT_EMPTY:
            return {target.name: {"$ne": None}}
        return {target.name: _compare(condition)}

    def _document(self, record: R) -> dict[str, Any]:
        document: dict[str, Any] = {"tenant_id": attribute(record, "tenant_id")}
        for field in self._type.fields:
            document[field.name] = bson_value(plain(attribute(record, field.name)))
        for name in self._type.nested:
            document[name] = document_converter.unstructure(
                attribute(record, name), self._types[name]
            )
        if self._type.custom_fields:
            values = {k: bson_value(v) for k, v in attribute(record, CUSTOM_FIELD).items()}
            document[CUSTOM_FIELD] = values
            document[CUSTOM_INDEX] = [{"k": k, "v": v} for k, v in values.items()]
        document["version"] = attribute(record, "version")
        return document

    def _record(self, document: dict[str, Any]) -> R:
        values: dict[str, Any] = {}
        for name, kind in self._types.items():
            if name == CUSTOM_FIELD:
                values[name] = {k: _custom_value(v) for k, v in document[name].items()}
            else:
                values[name] = document_converter.structure(document.get(name), kind)
        record: R = self._type.record_class(**values)
        return record

    def _duplicate(self, record: R) -> Callable[[str], CrmkitError]:
        def error(index: str) -> CrmkitError:
            def named(names: tuple[str, ...]) -> bool:
                return all(f"'{n}'" in index for n in names)

            return duplicate_error(self._type, record, self._tenant, named)

        return error


def _compare(condition: Condition) -> dict[str, Any]:
    op, values = condition.op, [bson_value(v) for v in condition.values]
    if op is Op.EQUALS:
        return {"$eq": values[0]}
    if op is Op.IN:
        return {"$in": values}
    low, high = values
    if op is Op.PREFIX:
        return {"$gte": low, "$lt": high} if high is not None else {"$gte": low}
    bounds: dict[str, Any] = {"$ne": None}
    if low is not None:
        bounds["$gte"] = low
    if high is not None:
        bounds["$lte"] = high
    return bounds
