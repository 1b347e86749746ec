"""The audit trail's hash chain (等保 2.0 §8.1.4.3 c, §8.1.4.7 b): each event's hash covers its own content and its
predecessor's hash, so an event edited, deleted or slipped in afterwards breaks every link after it.

Pure: no Django. The content is serialised canonically (JSON, keys sorted, no spaces, UTF-8) so that the writer
and any verifier, in any language, hash the same bytes. A hash is written as ``"<algorithm>:<hex>"`` so that
the office can change the algorithm without breaking the links already made.

SM3 (GB/T 32905-2016) is the default, as 密评 (GB/T 39786) expects national algorithms: OpenSSL's SM3 through
hashlib where the interpreter's OpenSSL has it, else ``gmssl``'s pure-Python one. SHA-256 is the alternative.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "genesis"
ALGORITHMS = ("sm3", "sha256")

# The fields of an event that its hash covers, in the order a person reads them.
FIELDS = (
    "seq",
    "id",
    "occurred_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "success",
    "ip_address",
    "note",
    "prev_hash",
)

# GB/T 32905-2016 Appendix A, example 1: SM3("abc").
_SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def _gmssl_sm3(data: bytes) -> str:
    from gmssl import sm3  # type: ignore[import-untyped]  # noqa: PLC0415  (the pure-Python fallback, loaded only without OpenSSL SM3)

    return str(sm3.sm3_hash(list(data)))


def _openssl_sm3() -> Callable[[bytes], str] | None:
    try:
        hashlib.new("sm3")
    except ValueError:
        return None

    def digest(data: bytes) -> str:
        return hashlib.new("sm3", data).hexdigest()

    return digest


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hasher(algorithm: str) -> Callable[[bytes], str]:
    """The hex digest function of ``algorithm``, checked against the standard's test vector."""
    if algorithm == "sha256":
        return _sha256
    if algorithm != "sm3":
        raise ValueError(f"unknown audit hash algorithm {algorithm!r}: use one of {', '.join(ALGORITHMS)}")
    digest = _openssl_sm3() or _gmssl_sm3
    if digest(b"abc") != _SM3_ABC:
        raise ValueError("the SM3 implementation fails the GB/T 32905 test vector")
    return digest


def canonical(event: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash is taken over: the covered fields as compact JSON with sorted keys."""
    content = {name: event.get(name) for name in FIELDS}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    # A lone surrogate (never valid UTF-8) must not make an event unhashable: it is kept as its code unit.
    return text.encode("utf-8", errors="surrogatepass")


def link(event: Mapping[str, Any], algorithm: str, digest: Callable[[bytes], str] | None = None) -> str:
    """The hash of ``event`` (whose ``prev_hash`` is already set), as ``"<algorithm>:<hex>"``."""
    return f"{algorithm}:{(digest or hasher(algorithm))(canonical(event))}"


@dataclass(frozen=True)
class Break:
    """The first broken link of a chain: which event, and what is wrong with it."""

    seq: int | None
    id: int
    occurred_at: str
    problem: str
    # gap (events deleted), link (removed, reordered or inserted), content (edited), head (the last events
    # deleted) or algorithm (a hash no verifier here can compute)
    kind: str = "content"

    def __str__(self) -> str:
        return f"event {self.id} (seq {self.seq}, {self.occurred_at}): {self.problem}"


@dataclass(frozen=True)
class Verdict:
    checked: int
    last_seq: int | None
    last_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(
    events: Iterable[Mapping[str, Any]], *, prev_seq: int | None = None, prev_hash: str = GENESIS
) -> Verdict:
    """Walk ``events`` in chain order (by ``seq``) from the link (``prev_seq``, ``prev_hash``) before them and
    return the first broken link: a gap in the sequence (events deleted), a predecessor hash that is not the
    previous event's (events removed, reordered or inserted) or a hash that no longer matches the content (the
    event was edited)."""
    digests: dict[str, Callable[[bytes], str]] = {}
    checked = 0
    seq, last = prev_seq, prev_hash
    for event in events:
        current = int(event["seq"])
        when = str(event.get("occurred_at"))
        if seq is not None and current != seq + 1:
            problem = f"sequence jumps from {seq} to {current}: {current - seq - 1} event(s) missing"
            return Verdict(checked, seq, last, Break(current, int(event["id"]), when, problem, "gap"))
        if event["prev_hash"] != last:
            problem = f"predecessor hash {event['prev_hash']} is not the previous event's {last}"
            return Verdict(checked, seq, last, Break(current, int(event["id"]), when, problem, "link"))
        stored = str(event["hash"])
        algorithm = stored.split(":", 1)[0]
        if algorithm not in digests:
            try:
                digests[algorithm] = hasher(algorithm)
            except ValueError as exc:
                return Verdict(
                    checked, seq, last, Break(current, int(event["id"]), when, str(exc), "algorithm")
                )
        computed = link(event, algorithm, digests[algorithm])
        if computed != stored:
            problem = f"content does not match its hash (edited after sealing): stored {stored}, computed {computed}"
            return Verdict(checked, seq, last, Break(current, int(event["id"]), when, problem, "content"))
        checked += 1
        seq, last = current, stored
    return Verdict(checked, seq, last, None)


def seal(
    events: Iterable[dict[str, Any]], *, last_seq: int, last_hash: str, algorithm: str
) -> Iterator[dict[str, Any]]:
    """Give each event (in the order given) the next sequence number, its predecessor's hash and its own hash."""
    digest = hasher(algorithm)
    for event in events:
        last_seq += 1
        event["seq"] = last_seq
        event["prev_hash"] = last_hash
        event["hash"] = last_hash = link(event, algorithm, digest)
        yield event
