"""Privacy-preserving encodings of person records: keyed, hardened Bloom filters (CLKs).

An agency that may not hand over names encodes its records with a secret shared among the
data holders (not with the linkage unit). Each record becomes nine Bloom filters, one per
attribute, so that the linker can still tell a name mismatch from a date mismatch
(docs/LINKAGE.md gives tokens, k and sizes; ADR 0012 the reasons and the price):

``first`` / ``last``  bigrams of the given / family name (transliteration-neutral keys, see
                      punte.linkage.engine.normalise), plus the given name's variant group; both
                      hashed with one key, so that swapped names can be compared crosswise
``variant``           the given name's variant group alone
``birth``             the calendar: year, the two pairs of years around it, year-month, date
``window``            overlapping windows of days (dates a few days apart, across months)
``birthday``          day and month (a year off by one keeps it; swapped day/month nearly)
``other``             sex, citizenship, place of birth (whole and bigrams)
``phone``             the phone number: a filter of its own, so that the model can train
                      the date of birth against it (see punte.linkage.engine.encoded)
``identity``          the identity number (CNP, identity card, passport): one token, so
                      that the linker can tell "the same number" (which lifts the twins
                      conflict, as in plaintext) from "two numbers", and nothing more

Hashing: each token is hashed with HMAC-SHA256 under a key derived (HKDF) from the secret and
the filter's name; the ``k`` bit positions come from successive 16-bit slices of the digest
("random hashing", not double hashing, whose structure Niedermeyer et al. 2014 exploited).

Hardening (parameters in ``EncodingParameters``):

1. **Diffusion** (Armknecht, Heng, Schnell 2023), off by default (``diffusion_t`` = 0): every
   output bit the XOR of ``t`` input bits chosen by a secret map, against pattern mining.
2. **BLIP** randomised response (Schnell and Borgs 2016): each bit is flipped with
   probability ``flip``, drawn afresh per record. Two records with the same name never have
   the same encoding, so identical encodings cannot be counted; each bit is
   ε-differentially private with ε = ln((1 - flip) / flip).

The header (first JSONL line) carries the parameters and a fingerprint: an HMAC of the
parameters under the secret. Files whose parameters or fingerprints differ were made with
other settings or another secret and are refused: their filters cannot be compared. Besides
ids and the agency's name, one value is in clear: how precisely the date of birth is known.

What remains possible is written down in docs/LINKAGE.md ("Known attacks", "What is NOT
protected").
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from punte.linkage.engine import normalise
from punte.linkage.engine.features import MAX_RECORDS_PER_IDENTITY_NUMBER

FORMAT = "punte-clk/1"
MIN_SECRET_BYTES = 32
GROUPS = (
    "first", "last", "variant", "birth", "window", "birthday", "other", "phone", "identity",
)  # fmt: skip
# Overlapping windows of this many days, one every WINDOW_DAYS / WINDOW_OFFSETS days: two
# dates d days apart share about WINDOW_OFFSETS * (1 - d / WINDOW_DAYS) of them.
WINDOW_DAYS = 12
WINDOW_OFFSETS = 4
# First and last names are hashed alike, so that a swapped pair can be compared crosswise.
HASH_KEY = {g: g for g in GROUPS} | {"first": "names", "last": "names"}


class EncodingError(ValueError):
    """Encodings or secrets that cannot be used; the message says why."""


@dataclasses.dataclass(frozen=True)
class EncodingParameters:
    bits: dict[str, int] = dataclasses.field(
        default_factory=lambda: {
            "first": 512, "last": 512, "variant": 128, "birth": 512, "window": 256,
            "birthday": 128, "other": 512, "phone": 128, "identity": 128,
        }
    )  # fmt: skip
    # Hash functions per token: more for tokens that identify more.
    k: dict[str, int] = dataclasses.field(
        default_factory=lambda: {
            "name_bigram": 10, "name_group": 20, "variant": 10,
            "birth_year": 10, "birth_years": 12, "birth_month": 8, "birth_full": 14,
            "birth_window": 6,
            "day_part": 4, "day_pair": 8, "day_full": 10,
            "sex": 4, "citizenship": 4, "place_bigram": 6, "place": 10, "phone": 20,
            "identity": 20,
        }
    )  # fmt: skip
    q: int = 2
    diffusion_t: int = 0
    flip: float = 0.02

    def as_dict(self) -> dict:
        return {
            "bits": dict(sorted(self.bits.items())),
            "k": dict(sorted(self.k.items())),
            "q": self.q,
            "hash": "hmac-sha256-random",
            "diffusion_t": self.diffusion_t,
            "flip": self.flip,
        }

    @classmethod
    def from_dict(cls, data: dict) -> EncodingParameters:
        try:
            parameters = cls(
                bits={k: int(v) for k, v in data["bits"].items()},
                k={k: int(v) for k, v in data["k"].items()},
                q=int(data["q"]),
                diffusion_t=int(data["diffusion_t"]),
                flip=float(data["flip"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EncodingError(f"unreadable encoding parameters ({exc})") from exc
        if set(parameters.bits) != set(GROUPS):
            # E.g. files from before the phone or the identity number had a filter of its
            # own: re-encode them.
            raise EncodingError(
                f"encoded with other parameters (filters {', '.join(sorted(parameters.bits))}; "
                f"this version of Punte uses {', '.join(GROUPS)}): encode the file again"
            )
        return parameters


# --------------------------------------------------------------------------- the secret


def read_secret(path: str | Path) -> bytes:
    """The shared secret from a file; too short or trivially repetitive secrets are refused."""
    try:
        raw = Path(path).read_bytes().strip()
    except OSError as exc:
        raise EncodingError(f"{path}: cannot read the secret file ({exc.strerror or exc})") from exc
    if len(raw) < MIN_SECRET_BYTES:
        raise EncodingError(
            f"{path}: the secret is {len(raw)} bytes; at least {MIN_SECRET_BYTES} bytes of "
            "random data are needed (for example: head -c 48 /dev/urandom | base64 > KEY)"
        )
    if len(set(raw)) < 8:
        raise EncodingError(f"{path}: the secret is not random (too few distinct characters)")
    return raw


def _derive(secret: bytes, label: str, length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869) with a fixed salt: one independent key per purpose."""
    prk = hmac.new(b"punte-clk/1", secret, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + label.encode() + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def fingerprint(secret: bytes, parameters: EncodingParameters) -> str:
    """Identifies secret + parameters without revealing either (a MAC of the parameters)."""
    message = json.dumps(parameters.as_dict(), sort_keys=True).encode()
    return hmac.new(_derive(secret, "fingerprint"), message, hashlib.sha256).hexdigest()[:32]


# --------------------------------------------------------------------------- tokens


def _bigrams(word: str, q: int) -> list[str]:
    padded = f"_{word}_"
    return [padded[i : i + q] for i in range(len(padded) - q + 1)]


def tokens(record: dict, parameters: EncodingParameters) -> dict[str, list[tuple[str, int]]]:
    """(token, k) per filter for one record (fields as read by punte.linkage.engine.reading)."""
    k = parameters.k
    first: list[tuple[str, int]] = []
    last: list[tuple[str, int]] = []
    for field, out in (("first_name", first), ("last_name", last)):
        for word in normalise.name_key(record.get(field)).split():
            out += [(f"n:{g}", k["name_bigram"]) for g in _bigrams(word, parameters.q)]
    # The given name's variant group (Ion / Ioan / Ionel): in the given-name filter, and alone
    # in a small filter of its own, so that "variants of one name" is a level of its own.
    variant: list[tuple[str, int]] = []
    for group in normalise.given_name_group(record.get("first_name")).split():
        first.append((f"g:{group}", k["name_group"]))
        variant.append((f"g:{group}", k["variant"]))

    # Three filters: the calendar (year, pairs of years, month, date), a sliding window
    # over days (dates a few days apart, across a month's or a year's end), and the birthday
    # (day and month). A year off by one keeps the birthday and one pair of years; day and
    # month swapped keep the year and the unordered pair of numbers.
    birth: list[tuple[str, int]] = []
    window: list[tuple[str, int]] = []
    birthday: list[tuple[str, int]] = []
    dob = record.get("date_of_birth")
    if dob is not None:
        birth += [
            (f"y:{dob.year}", k["birth_year"]),
            (f"y2:{dob.year // 2}", k["birth_years"]),
            (f"y2+:{(dob.year + 1) // 2}", k["birth_years"]),
        ]
        if dob.month:
            birth.append((f"ym:{dob.year}-{dob.month}", k["birth_month"]))
            birthday += [(f"m:{dob.month}", k["day_part"]), (f"n:{dob.month}", k["day_part"])]
        if dob.day:
            low, high = sorted((dob.month, dob.day))
            days = int((np.datetime64(dob.isoformat()) - np.datetime64("1900-01-01")).astype(int))
            birth.append((f"ymd:{dob.isoformat()}", k["birth_full"]))
            step = WINDOW_DAYS // WINDOW_OFFSETS
            window += [
                (f"w{o}:{(days + o * step) // WINDOW_DAYS}", k["birth_window"])
                for o in range(WINDOW_OFFSETS)
            ]
            birthday += [
                (f"n:{dob.day}", k["day_part"]),
                (f"md:{low}-{high}", k["day_pair"]),
                (f"mdx:{dob.month}-{dob.day}", k["day_full"]),
            ]

    other: list[tuple[str, int]] = []
    if record.get("sex"):
        other.append((f"s:{record['sex']}", k["sex"]))
    if record.get("citizenship"):
        other.append((f"c:{record['citizenship']}", k["citizenship"]))
    place = normalise.name_key(record.get("place_of_birth"))
    if place:
        other.append((f"p:{place}", k["place"]))
        for word in place.split():
            other += [(f"pb:{g}", k["place_bigram"]) for g in _bigrams(word, parameters.q)]
    number = normalise.normalise_phone(record.get("phone"))
    phone = [(f"t:{number}", k["phone"])] if number else []
    # One token, as the phone: the same number agrees, any other number does not (a typo in
    # the number is not a level of the encoded model; its bigrams would say more about a
    # CNP's structure, which holds the date of birth, county and sex).
    try:
        identity_number = normalise.normalise_identity_number(record.get("identity_number"))
    except ValueError:
        identity_number = None
    identity = [(f"i:{identity_number}", k["identity"])] if identity_number else []
    return {
        "first": first, "last": last, "variant": variant, "birth": birth, "window": window,
        "birthday": birthday, "other": other, "phone": phone, "identity": identity,
    }  # fmt: skip


def orient(records: list[dict]) -> list[dict]:
    """Put family names written as given names back, as the plaintext linker does."""
    keys = [
        (normalise.name_key(r.get("first_name")), normalise.name_key(r.get("last_name")))
        for r in records
    ]
    out = []
    for record, swapped in zip(records, normalise.swapped_name_orders(keys), strict=True):
        if swapped:
            record = {
                **record, "first_name": record.get("last_name"),
                "last_name": record.get("first_name"),
            }  # fmt: skip
        out.append(record)
    return out


def prepare_records(records: list[dict]) -> list[dict]:
    """What the agency's own file teaches before encoding, as plaintext linking learns it from
    the records linked: names put back in order (`orient`), and an identity number carried
    by more records than features.MAX_RECORDS_PER_IDENTITY_NUMBER dropped (not one person's:
    once encoded, noise hides how often it occurs)."""

    def number(record: dict) -> str | None:
        try:
            return normalise.normalise_identity_number(record.get("identity_number"))
        except ValueError:
            return None

    counts = Counter(n for n in map(number, records) if n)
    shared = {n for n, count in counts.items() if count > MAX_RECORDS_PER_IDENTITY_NUMBER}
    return [
        {**record, "identity_number": None} if number(record) in shared else record
        for record in orient(records)
    ]


# --------------------------------------------------------------------------- encoder


class Encoder:
    def __init__(self, secret: bytes, parameters: EncodingParameters | None = None):
        self.parameters = parameters or EncodingParameters()
        self.keys = {g: _derive(secret, f"hash:{HASH_KEY[g]}") for g in GROUPS}
        self.fingerprint = fingerprint(secret, self.parameters)
        self._diffusion = {
            g: self._diffusion_map(
                _derive(secret, f"diffusion:{HASH_KEY[g]}"), self.parameters.bits[g]
            )
            for g in GROUPS
        }
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def _diffusion_map(self, key: bytes, bits: int) -> np.ndarray | None:
        t = self.parameters.diffusion_t
        if t <= 1:
            return None
        # Secret, reproducible choice of t input positions for every output position.
        seed = int.from_bytes(key[:8], "big")
        rng = np.random.default_rng(seed)
        return np.stack([rng.permutation(bits) for _ in range(t)], axis=1)

    def _positions(self, group: str, token: str, k: int) -> np.ndarray:
        cached = self._cache.get((HASH_KEY[group], token))
        if cached is not None and len(cached) == k:
            return cached
        bits = self.parameters.bits[group]
        positions = []
        counter = 0
        while len(positions) < k:
            digest = hmac.new(
                self.keys[group], f"{counter}\x00{token}".encode(), hashlib.sha256
            ).digest()
            positions += [int.from_bytes(digest[i : i + 2], "big") % bits for i in range(0, 32, 2)]
            counter += 1
        result = np.array(positions[:k], dtype=np.int64)
        if len(self._cache) < 500_000:
            self._cache[(HASH_KEY[group], token)] = result
        return result

    def encode_group(self, group: str, group_tokens: list[tuple[str, int]]) -> np.ndarray | None:
        if not group_tokens:
            return None
        bits = self.parameters.bits[group]
        bloom = np.zeros(bits, dtype=bool)
        for token, k in group_tokens:
            bloom[self._positions(group, token, k)] = True
        diffusion = self._diffusion[group]
        if diffusion is not None:
            bloom = np.bitwise_xor.reduce(bloom[diffusion], axis=1)
        if self.parameters.flip > 0:
            # Fresh, unpredictable noise for every record (os.urandom via secrets).
            draws = np.frombuffer(secrets.token_bytes(2 * bits), dtype=np.uint16)
            bloom = bloom ^ (draws < int(self.parameters.flip * 65536))
        return bloom

    def encode(self, record: dict) -> dict:
        by_group = tokens(record, self.parameters)
        dob = record.get("date_of_birth")
        out = {
            "record_id": record["record_id"],
            "source": record["source"],
            # In clear: only how precisely the date is known (day, month, year), not the date.
            "birth_precision": dob.precision if dob is not None else None,
        }
        for group in GROUPS:
            bloom = self.encode_group(group, by_group[group])
            out[group] = None if bloom is None else _b64(bloom)
        return out

    def header(self, records: int) -> dict:
        return {
            "format": FORMAT,
            "parameters": self.parameters.as_dict(),
            "fingerprint": self.fingerprint,
            "records": records,
        }


def _b64(bloom: np.ndarray) -> str:
    return base64.b64encode(np.packbits(bloom).tobytes()).decode()


def unpack(text: str, bits: int) -> np.ndarray:
    """The bits of one base64-encoded filter (checked to be exactly `bits` long)."""
    raw = np.frombuffer(base64.b64decode(text, validate=True), dtype=np.uint8)
    if len(raw) * 8 != bits:
        raise ValueError(f"expected {bits} bits, found {len(raw) * 8}")
    return np.unpackbits(raw).astype(bool)


def write_jsonl(path: str | Path, header: dict, encoded: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(header, sort_keys=True) + "\n")
        for row in encoded:
            handle.write(json.dumps(row, sort_keys=True) + "\n")


# --------------------------------------------------------------------------- reading


@dataclasses.dataclass
class EncodedFile:
    path: str
    header: dict
    rows: list[dict]


def read_jsonl(path: str | Path) -> EncodedFile:
    """Read one encoded file, checking every line; problems are reported as FILE:LINE."""
    from punte.linkage.engine.reading import InputError, Problem

    name = str(path)
    try:
        lines: Iterator[str] = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InputError([Problem(name, None, f"cannot be read ({exc.strerror or exc})")]) from exc
    problems: list[Problem] = []
    rows: list[dict] = []
    header: dict | None = None
    with lines as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Problem(name, number, f"not JSON ({exc.msg})"))
                continue
            if header is None:
                if not isinstance(value, dict) or value.get("format") != FORMAT:
                    raise InputError(
                        [
                            Problem(
                                name, number, f"not a {FORMAT} file (first line must be its header)"
                            )
                        ]
                    )
                header = value
                params = EncodingParameters.from_dict(header.get("parameters", {}))
                continue
            problem = _check_row(value, params)
            if problem:
                problems.append(Problem(name, number, problem))
            else:
                rows.append(value)
    if header is None:
        raise InputError([Problem(name, None, "the file is empty")])
    if not rows and not problems:
        raise InputError([Problem(name, None, "the file has a header but no records")])
    if problems:
        raise InputError(problems)
    return EncodedFile(path=name, header=header, rows=rows)


def _check_row(row, params: EncodingParameters) -> str | None:
    if not isinstance(row, dict):
        return "not a record"
    for field in ("record_id", "source"):
        if not isinstance(row.get(field), str) or not row[field]:
            return f"{field} is missing"
    if row.get("first") is None and row.get("last") is None:
        return "both name encodings are missing"
    if row.get("birth_precision") not in (None, "day", "month", "year"):
        return "birth_precision must be day, month, year or null"
    for group in GROUPS:
        value = row.get(group)
        if value is None:
            continue
        try:
            unpack(value, params.bits[group])
        except (ValueError, TypeError) as exc:
            return f"{group}: not a valid encoding ({exc})"
    return None


def check_compatible(files: list[EncodedFile]) -> None:
    """Encodings can be compared only if made with the same parameters and secret."""
    from punte.linkage.engine.reading import InputError, Problem

    first = files[0]
    problems = []
    for other in files[1:]:
        if other.header.get("parameters") != first.header.get("parameters"):
            problems.append(
                Problem(other.path, 1, f"encoded with other parameters than {first.path}")
            )
        elif other.header.get("fingerprint") != first.header.get("fingerprint"):
            problems.append(
                Problem(other.path, 1, f"encoded with another secret than {first.path}")
            )
    if problems:
        raise InputError(problems)
