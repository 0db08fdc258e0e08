"""MongoDB storage through pymongo (MongoDB >= 6 as a replica set, for transactions)."""

from crmkit.adapters.mongo.indexes import ensure_indexes
from crmkit.adapters.mongo.storage import MongoStorage, MongoUnitOfWork

__all__ = ["MongoStorage", "MongoUnitOfWork", "ensure_indexes"]
