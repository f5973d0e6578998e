"""Statements sent to PostgreSQL without waiting for each answer (psycopg 3's pipeline mode)."""


def can_pipeline(db) -> bool:
    """Can statements be sent to the database without waiting for each answer? (psycopg 3's
    pipeline mode, with a libpq of PostgreSQL 14 or later.)"""
    if db.vendor != "postgresql":
        return False
    db.ensure_connection()
    if not hasattr(db.connection, "pipeline"):
        return False
    from psycopg import Pipeline

    return Pipeline.is_supported()
