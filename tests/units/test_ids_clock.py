"""Deterministic ids and the virtual clock."""

import pytest

from ao_kernel.clock import BLOCK_MS, VirtualClock, parse_interval
from ao_kernel.ids import IdFactory, b64url, b64url_decode, is_address, wallet_address


def test_ids_are_43_char_base64url_and_reproducible():
    a, b = IdFactory(0), IdFactory(0)
    ids_a = [a.next("x", i) for i in range(5)]
    assert ids_a == [b.next("x", i) for i in range(5)]
    assert len(set(ids_a)) == 5
    assert all(is_address(i) for i in ids_a)
    assert IdFactory(1).next("x", 0) != ids_a[0]


def test_wallet_addresses_depend_on_name_and_seed():
    assert wallet_address("alice") == wallet_address("alice")
    assert wallet_address("alice") != wallet_address("bob")
    assert wallet_address("alice", 1) != wallet_address("alice", 0)
    assert len(wallet_address("alice")) == 43


def test_b64url_round_trip():
    raw = bytes(range(32))
    assert b64url_decode(b64url(raw)) == raw


def test_b64url_decode_matches_the_standard_library_and_hashes_what_is_not_base64():
    import base64
    import hashlib

    for n in range(0, 40):
        raw = bytes((i * 37 + n) % 256 for i in range(n))
        text = b64url(raw)
        assert b64url_decode(text) == base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    for text in ("A", "not base64!?", "é-ü", "x" * 43 + "=="):
        try:
            expected = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except ValueError:
            expected = hashlib.sha256(text.encode("utf-8")).digest()
        assert b64url_decode(text) == expected


@pytest.mark.parametrize("text,ms,blocks", [
    (5000, 5000, None), ("35-seconds", 35_000, None), ("10 minutes", 600_000, None),
    ("1-hour", 3_600_000, None), ("2-blocks", None, 2), ("1-day", 86_400_000, None),
])
def test_parse_interval(text, ms, blocks):
    iv = parse_interval(text)
    assert (iv.ms, iv.blocks) == (ms, blocks)


@pytest.mark.parametrize("bad", ["ten-seconds", "5-fortnights", "", -1, 1.5, None])
def test_malformed_intervals_explain_themselves(bad):
    with pytest.raises(ValueError, match="interval"):
        parse_interval(bad)


def test_cron_intervals_follow_ao_rules():
    assert parse_interval("2-blocks", for_cron=True).blocks == 2
    with pytest.raises(ValueError, match="unknown unit"):
        parse_interval("2-Blocks", for_cron=True)
    with pytest.raises(ValueError, match="shorter than one second"):
        parse_interval("500-ms", for_cron=True)


def test_block_height_follows_time():
    clock = VirtualClock(start_ms=0, start_height=100)
    assert clock.height == 100
    clock.now = BLOCK_MS * 3 + 5
    assert clock.height == 103
    assert clock.time_of_height(105) == BLOCK_MS * 5
    assert clock.target_of(parse_interval("2-blocks")) == BLOCK_MS * 5


def test_digest_of_any_parts_is_sha256_of_length_prefixed_utf8():
    """The ASCII fast path and the general one hash exactly the documented bytes."""
    import hashlib
    import random

    from ao_kernel.ids import digest_raw

    def reference(*parts):
        out = b""
        for part in parts:
            raw = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogateescape")
            out += len(raw).to_bytes(8, "big") + raw
        return hashlib.sha256(out).digest()

    rnd = random.Random(5)
    letters = ["a", "Z", "0", "-", " ", "é", "\udcff", "\x00", "漢", "\n"]

    def part():
        roll = rnd.random()
        if roll < 0.2:
            return rnd.randint(-5, 10**12)
        if roll < 0.25:
            return rnd.random() < 0.5
        if roll < 0.35:
            return bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 20)))
        size = rnd.choice([0, 1, 43, 300, 4095, 4096, 5000])
        pool = letters if rnd.random() < 0.3 else letters[:5]
        return "".join(rnd.choice(pool) for _ in range(size))

    for _ in range(2000):
        parts = tuple(part() for _ in range(rnd.randint(0, 6)))
        assert digest_raw(*parts) == reference(*parts)

    # A factory's ids hash ("id", seed, counter, *parts), whatever the parts, and whatever
    # the seed (its text is made once per factory).
    for seed in (0, 7, 10**20):
        ids = IdFactory(seed)
        for counter in range(1, 200):
            parts = tuple(part() for _ in range(rnd.randint(0, 4)))
            expected = reference("id", seed, counter, *parts)
            if counter % 2:
                assert b64url_decode(ids.next(*parts)) == expected
            else:
                assert ids.next_raw(*parts)[1] == expected
