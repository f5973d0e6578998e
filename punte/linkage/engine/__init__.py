"""The record-linkage engine: plain Python over pandas, DuckDB and Splink, without Django.

It links records read from files as well as records read from the database, and runs in the
benchmark and at an agency that has no Punte installed; so it imports nothing of Django nor of
Punte outside this package. The app around it (punte.linkage) adapts Person rows to it and
stores what it finds. tests/test_engine_is_django_free.py holds it to that.
"""
