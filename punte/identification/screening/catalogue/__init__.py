"""The screening indicator catalogue: versioned data files, their checks, and their loading.

- `ilo-ec-2009-v1.yaml` (and later versions): the indicators and the assessment rule.
- `vocabulary`: the fixed names (lists, dimensions, grades) a file may use.
- `schema`: reads and checks a file without the database.
- `store`: loads a checked file into the database, and reads a version back for the engine.
"""
