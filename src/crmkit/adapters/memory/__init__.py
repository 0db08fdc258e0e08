"""In-memory storage: real product code that behaves like the databases, for tests and demos."""

from crmkit.adapters.memory.uow import InMemoryStorage, InMemoryUnitOfWork

__all__ = ["InMemoryStorage", "InMemoryUnitOfWork"]
