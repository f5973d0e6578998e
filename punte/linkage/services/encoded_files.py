"""Link an agency's encoded file against Punte's own persons, encoded the same way.

The agency sends its encodings (``encode_persons``) and, through its own channel, the shared
secret reaches the operator who runs this. Punte decrypts its persons in memory
(punte.linkage.persons), encodes them with that secret and the parameters of the agency's
file, links everything with the encoded model, and returns record ids, cluster ids and
probabilities only. Punte's own encodings are never written; the plaintext never leaves
memory; the secret is not stored.

The run is audited as one event (counts and the encoding fingerprint, never a value).
"""

from __future__ import annotations

from collections.abc import Callable

from punte.core import audit
from punte.linkage import persons
from punte.linkage.engine import clk, encoded, linking


def link_with_database(
    paths,
    *,
    secret: bytes,
    model_path=None,
    progress: Callable[[str], None] | None = None,
    **options,
) -> linking.LinkResult:
    """Link the encoded files at `paths` with every linkable person in the database.

    Refuses (clk.EncodingError or reading.InputError, both ValueError) files made with other
    parameters or another secret than `secret`: the fingerprints would differ, and the
    filters could not be compared.
    """
    say = progress or (lambda message: None)
    files = encoded.read_files(paths)
    parameters = clk.EncodingParameters.from_dict(files[0].header["parameters"])
    if clk.fingerprint(secret, parameters) != files[0].header.get("fingerprint"):
        raise clk.EncodingError(
            f"{files[0].path} was encoded with another secret than the one given (or its "
            "header was altered): the encodings cannot be compared"
        )
    say("reading and encoding Punte's persons in memory")
    records, _unlinkable = persons.person_records()
    if not records:
        raise clk.EncodingError("the database holds no person that can be linked")
    ours = encoded.encode_in_memory(records, secret, name="punte", parameters=parameters)
    ours_ids = {row["record_id"] for row in ours.rows}
    clashes = sorted({row["record_id"] for f in files for row in f.rows} & ours_ids)
    if clashes:
        raise clk.EncodingError(
            f"{len(clashes)} record id(s) of the files are also ids of Punte's persons"
        )
    result = encoded.link_encoded(
        [*files, ours], model_path=model_path, progress=progress, **options
    )
    clusters = result.clusters
    theirs = clusters[~clusters["record_id"].isin(ours_ids)]
    matched = theirs["cluster_id"].isin(
        clusters.loc[clusters["record_id"].isin(ours_ids), "cluster_id"]
    )
    audit.record(
        action="linkage.encoded_file_linked",
        changes={
            "fingerprint": files[0].header.get("fingerprint"),
            "file_records": int(len(theirs)),
            "database_records": len(ours_ids),
            "file_records_matched": int(matched.sum()),
        },
    )
    return result
