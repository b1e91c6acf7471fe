"""Race tests need a database where threads can write at once, and leave balanced books."""

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _real_database_and_balanced_books():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...) or a file SQLite test database "
                    "(tests/conftest.py makes one): in-memory SQLite locks whole tables between threads")
    if connection.vendor not in ("postgresql", "sqlite"):
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    from o2o.orders import batching as grouped

    grouped.stats = grouped.Stats()  # each test counts its own batches
    yield
    from o2o.payments.books import books_problems

    assert books_problems() == []  # stock, orders, vouchers and payments agree after every race
