"""bot/ops/http1.py: whole requests out of the bytes of a connection, however they are cut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ops.http1 import MAX_HEAD, HttpError, RequestReader, parse_head

LIMIT = 1024


def read_all(data: bytes, cuts: list[int] | None = None, limit: int = LIMIT):
    """Feed `data` cut at `cuts`; every request that came out."""
    reader = RequestReader(limit)
    requests = []
    points = sorted({c for c in (cuts or []) if 0 < c < len(data)})
    for start, end in zip([0, *points], [*points, len(data)]):
        reader.feed(data[start:end])
        while (request := reader.next_request()) is not None:
            requests.append(request)
    return requests, reader


def chunked(body: bytes, sizes: list[int]) -> bytes:
    out, at = b"", 0
    for size in sizes:
        if at >= len(body):
            break
        piece = body[at : at + max(1, size)]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        at += len(piece)
    if at < len(body):
        out += f"{len(body) - at:X};ext=1\r\n".encode() + body[at:] + b"\r\n"
    return out + b"0\r\nX-Trailer: yes\r\n\r\n"


def post(body: bytes, **headers: str) -> bytes:
    lines = [f"Content-Length: {len(body)}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("POST /slack/events HTTP/1.1\r\nHost: x\r\n" + "\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_a_request_with_a_body_then_one_without():
    data = post(b"a=1", Content_Type="application/x-www-form-urlencoded") + b"GET /healthz?x=1 HTTP/1.1\r\n\r\n"
    (first, second), reader = read_all(data)
    assert (first.head.method, first.head.target, first.body) == ("POST", "/slack/events", b"a=1")
    assert first.head.header("content-type") == "application/x-www-form-urlencoded"
    assert first.head.keep_alive and not first.head.chunked
    assert (second.head.method, second.head.target, second.body) == ("GET", "/healthz?x=1", b"")
    assert not reader.started


def test_keep_alive_follows_the_version_and_connection_header():
    assert not parse_head(b"GET / HTTP/1.0").keep_alive
    assert parse_head(b"GET / HTTP/1.0\r\nConnection: Keep-Alive").keep_alive
    assert not parse_head(b"GET / HTTP/1.1\r\nConnection: close").keep_alive
    assert parse_head(b"POST / HTTP/1.1\r\nExpect: 100-continue").expect_continue


@pytest.mark.parametrize(
    "head",
    [
        b"GARBAGE",
        b"GET / HTTP/2.0",
        b"GET  / HTTP/1.1",
        b"GET / HTTP/1.1\r\nHost : x",
        b"GET / HTTP/1.1\r\n folded",
        b"GET / HTTP/1.1\r\nX: a\rb",
        b"GET / HTTP/1.1\r\nX: a\x00b",
        b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4",
        b"POST / HTTP/1.1\r\nContent-Length: -3",
        b"POST / HTTP/1.1\r\nContent-Length: 0x10",
        b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked",
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked",
        b"POST / HTTP/1.1\r\nExpect: something",
    ],
)
def test_what_could_mean_two_things_is_refused_with_400(head):
    with pytest.raises(HttpError) as refused:
        parse_head(head)
    assert refused.value.status == 400


def test_a_declared_body_over_the_limit_is_refused_before_it_comes():
    reader = RequestReader(LIMIT)
    reader.feed(b"POST / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n")
    with pytest.raises(HttpError) as refused:
        reader.next_request()
    assert refused.value.status == 413


def test_a_chunked_body_over_the_limit_is_refused_once_it_goes_over():
    reader = RequestReader(LIMIT)
    reader.feed(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + b"200\r\n" + b"x" * 0x200 + b"\r\n")
    assert reader.next_request() is None
    reader.feed(b"201\r\n")  # the next chunk would make it 1,025 bytes: refused before its data
    with pytest.raises(HttpError) as refused:
        reader.next_request()
    assert refused.value.status == 413


def test_a_head_that_never_ends_is_refused_past_the_limit():
    reader = RequestReader(LIMIT)
    reader.feed(b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * MAX_HEAD)
    with pytest.raises(HttpError) as refused:
        reader.next_request()
    assert refused.value.status == 431


@settings(max_examples=200, deadline=None)
@given(
    bodies=st.lists(st.binary(max_size=LIMIT), min_size=1, max_size=3),
    chunk_sizes=st.lists(st.integers(1, 300), max_size=6),
    use_chunked=st.lists(st.booleans(), min_size=3, max_size=3),
    cuts=st.lists(st.integers(0, 4000), max_size=20),
)
def test_requests_come_out_whole_however_the_bytes_are_cut(bodies, chunk_sizes, use_chunked, cuts):
    data = b""
    for body, is_chunked in zip(bodies, use_chunked):
        if is_chunked:
            data += b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body, chunk_sizes)
        else:
            data += post(body)
    requests, reader = read_all(data, cuts)
    assert [r.body for r in requests] == bodies
    assert not reader.started


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=3000), cuts=st.lists(st.integers(0, 3000), max_size=10))
def test_any_bytes_give_requests_or_an_http_error_and_nothing_else(data, cuts):
    try:
        requests, reader = read_all(b"POST / HTTP/1.1\r\n" + data, cuts)
    except HttpError as error:
        assert error.status in (400, 413, 431)
    else:
        assert all(len(r.body) <= LIMIT for r in requests)
        assert len(reader.buffer) <= LIMIT + MAX_HEAD + 3000
