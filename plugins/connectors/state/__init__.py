"""The connector's state database (SQLite by default, PostgreSQL in production)."""
