"""HTTP/1.1 requests from bytes, without any I/O: what the event-loop front (bot/ops/worker.py)
buffers before it hands a whole request to a thread.

`RequestReader` is fed the bytes of one connection as they come and gives back whole requests
(head and body), one after the other. It never holds more than `max_head` bytes of a head or
`max_body` bytes of a body: a declared `Content-Length` over the limit is refused (413) as soon
as the head is in, a chunked body as soon as its chunks add up to more. Anything it can't read
as HTTP/1.0 or 1.1 raises `HttpError` with the status to answer; the connection is closed after.

Strict where leniency lets a request mean two things (request smuggling behind a proxy): both
`Content-Length` and `Transfer-Encoding`, two different lengths, a transfer coding other than
`chunked`, whitespace before a header's colon, folded header lines, bare CR or LF, NUL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEAD = 16 * 1024  # the request line and every header, together
MAX_HEADERS = 100
MAX_CHUNK_LINE = 1024  # a chunk's size line, extensions included

_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_REQUEST_LINE = re.compile(rb"(" + _TOKEN + rb") ([^\x00-\x20\x7f]+) HTTP/1\.([01])")
_FIELD_NAME = re.compile(_TOKEN)
_FIELD_VALUE = re.compile(rb"[^\x00-\x08\x0a-\x1f\x7f]*")  # HTAB, visible ASCII, obs-text
_DIGITS = re.compile(rb"[0-9]{1,15}")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,8}")

REASONS = {
    100: "Continue",
    200: "OK",
    204: "No Content",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class HttpError(Exception):
    """The request can't be read: answer `status` and close the connection."""

    def __init__(self, status: int, why: str):
        super().__init__(why)
        self.status = status
        self.why = why


@dataclass(frozen=True)
class Head:
    method: str
    target: str
    version: str  # "HTTP/1.0" or "HTTP/1.1"
    headers: tuple[tuple[str, str], ...]  # names in lower case, as they came (latin-1)
    content_length: int | None
    chunked: bool
    keep_alive: bool
    expect_continue: bool

    def header(self, name: str) -> str | None:
        """The value of a header (several of the same name joined by ", "), or None."""
        values = [value for key, value in self.headers if key == name]
        return ", ".join(values) if values else None


@dataclass(frozen=True)
class Request:
    head: Head
    body: bytes


def _tokens(value: str | None) -> set[str]:
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


def parse_head(data: bytes) -> Head:
    """A request line and its header lines (`data` without the empty line that ends them)."""
    while data.startswith(b"\r\n"):  # empty lines before a request line are allowed
        data = data[2:]
    lines = data.split(b"\r\n")
    if any(b"\r" in line or b"\n" in line for line in lines):
        raise HttpError(400, "bare CR or LF")
    match = _REQUEST_LINE.fullmatch(lines[0])
    if not match:
        raise HttpError(400, "not an HTTP/1.x request line")
    if len(lines) - 1 > MAX_HEADERS:
        raise HttpError(431, "too many headers")
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not _FIELD_NAME.fullmatch(name):
            raise HttpError(400, "bad header line")
        value = value.strip(b" \t")
        if not _FIELD_VALUE.fullmatch(value):
            raise HttpError(400, "bad header value")
        headers.append((name.decode("ascii").lower(), value.decode("latin-1")))
    method, target, minor = match.group(1).decode("ascii"), match.group(2).decode("latin-1"), match.group(3)
    version = "HTTP/1." + minor.decode()
    head = Head(method, target, version, tuple(headers), None, False, False, False)

    lengths = {value.strip() for key, value in headers if key == "content-length"}
    coding = head.header("transfer-encoding")
    if coding is not None:
        if version == "HTTP/1.0" or coding.strip().lower() != "chunked":
            raise HttpError(400, "unsupported transfer coding")
        if lengths:
            raise HttpError(400, "both Content-Length and Transfer-Encoding")
    content_length = None
    if lengths:
        if len(lengths) > 1:
            raise HttpError(400, "conflicting Content-Length")
        (text,) = lengths
        if not _DIGITS.fullmatch(text.encode("latin-1")):
            raise HttpError(400, "bad Content-Length")
        content_length = int(text)
    connection = _tokens(head.header("connection"))
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    expect = head.header("expect")
    if expect is not None and expect.strip().lower() != "100-continue":
        raise HttpError(400, "unsupported expectation")
    return Head(
        method,
        target,
        version,
        head.headers,
        content_length,
        coding is not None,
        keep_alive,
        expect is not None and version == "HTTP/1.1",
    )


class ChunkedBody:
    """A chunked body, decoded as its bytes come; at most `limit` bytes of data."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.remaining = 0
        self.trailer_bytes = 0
        self.state = "size"

    def consume(self, buffer: bytearray) -> bytes | None:
        """Take what it can from the front of `buffer`: the whole body once its last chunk and
        trailers are in, None until then."""
        while True:
            if self.state == "size":
                end = buffer.find(b"\r\n")
                if end < 0:
                    if len(buffer) > MAX_CHUNK_LINE:
                        raise HttpError(400, "chunk size line too long")
                    return None
                line = bytes(buffer[:end])
                del buffer[: end + 2]
                size = line.split(b";", 1)[0].rstrip(b" \t")
                if not _HEX.fullmatch(size) or b"\r" in line or b"\n" in line:
                    raise HttpError(400, "bad chunk size")
                n = int(size, 16)
                if n == 0:
                    self.state = "trailers"
                    continue
                if self.size + n > self.limit:
                    raise HttpError(413, "body too large")
                self.remaining = n
                self.state = "data"
            elif self.state == "data":
                take = min(self.remaining, len(buffer))
                if not take:
                    return None
                self.parts.append(bytes(buffer[:take]))
                del buffer[:take]
                self.remaining -= take
                self.size += take
                if self.remaining:
                    return None
                self.state = "data end"
            elif self.state == "data end":
                if len(buffer) < 2:
                    return None
                if buffer[:2] != b"\r\n":
                    raise HttpError(400, "chunk not followed by CRLF")
                del buffer[:2]
                self.state = "size"
            else:  # trailers: header lines up to an empty one; read and dropped
                end = buffer.find(b"\r\n")
                if end < 0:
                    if self.trailer_bytes + len(buffer) > MAX_HEAD:
                        raise HttpError(431, "trailers too large")
                    return None
                self.trailer_bytes += end + 2
                if self.trailer_bytes > MAX_HEAD:
                    raise HttpError(431, "trailers too large")
                line = bytes(buffer[:end])
                del buffer[: end + 2]
                if not line:
                    return b"".join(self.parts)


class RequestReader:
    """The requests of one connection, from its bytes (see the module's docstring)."""

    def __init__(self, max_body: int, max_head: int = MAX_HEAD):
        self.max_body = max_body
        self.max_head = max_head
        self.buffer = bytearray()
        self.head: Head | None = None  # of the request being read, once its head is in
        self._chunked: ChunkedBody | None = None
        self._searched = 0  # where the head's end was not found yet

    def feed(self, data: bytes) -> None:
        self.buffer += data

    @property
    def started(self) -> bool:
        """Bytes of a request beyond the last whole one have come."""
        return self.head is not None or bool(self.buffer)

    def next_request(self) -> Request | None:
        """The next whole request, or None until more bytes come. Raises `HttpError`."""
        if self.head is None:
            end = self.buffer.find(b"\r\n\r\n", max(0, self._searched - 3))
            if end < 0 or end + 4 > self.max_head:
                if len(self.buffer) > self.max_head:
                    raise HttpError(431, "request head too large")
                self._searched = len(self.buffer)
                return None
            head = parse_head(bytes(self.buffer[:end]))
            del self.buffer[: end + 4]
            self._searched = 0
            if head.content_length is not None and head.content_length > self.max_body:
                raise HttpError(413, "declared body too large")
            self.head = head
            self._chunked = ChunkedBody(self.max_body) if head.chunked else None
        if self._chunked is not None:
            body = self._chunked.consume(self.buffer)
            if body is None:
                return None
        else:
            length = self.head.content_length or 0
            if len(self.buffer) < length:
                return None
            body = bytes(self.buffer[:length])
            del self.buffer[:length]
        request = Request(self.head, body)
        self.head = None
        self._chunked = None
        return request
