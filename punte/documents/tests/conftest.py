import pytest


@pytest.fixture(autouse=True)
def _empty_document_storage():
    # The test settings keep documents in memory for the whole run; each test starts empty, as
    # the database does.
    from punte.documents import storage

    for name in storage.stored_names():
        storage.document_storage().delete(name)
