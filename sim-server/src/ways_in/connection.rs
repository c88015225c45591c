//! One HTTP/1.1 connection, and the inquiry's own way through it. A `POST /xml/{message-id}`
//! that arrives whole, with one `Content-Length` and nothing unusual, is read, answered and
//! written here, on the connection's own two buffers. At the first request of any other shape
//! the connection goes to hyper, with every byte read so far put back in front of it, and stays
//! there: hyper and the whole HTTP surface ([`Front`]) answer chunked bodies, `Expect`,
//! `Connection: close`, HTTP/1.0, bodies or heads still arriving, malformed requests and every
//! other path exactly as before.
//!
//! Why: hyper's dispatcher, its body channel, the request and response objects and a timer per
//! request cost as much CPU as the inquiry's own work (issue 16), on the one request a receipt
//! system sends all day. The answer is the same: [`Front::answer_plain_xml`] decides it, and
//! the head is what hyper would write (status line, the response's headers, `content-length`,
//! `date`).

use super::admin_guard;
use super::front::{self, Front};
use super::plain_head;
use super::xml_http::Answered;
use axum::body::Bytes;
use axum::http::{header, Method};
use axum::response::Response;
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// Room for one read: an inquiry (≈1 KB) and its head fit many times over; requests that do
/// not fit whole (a bulk file) go to hyper.
const READ_ROOM: usize = 16 * 1024;
/// Headers the own way reads; a request with more goes to hyper (which takes 100).
const MAX_HEADERS: usize = 32;

/// Serves `stream` until it closes or a request needs hyper: then returns the stream with the
/// bytes read and not yet answered put back. `timeout` bounds the wait for a request's first
/// bytes (so an idle kept-alive connection closes, as hyper's header timeout does) and for an
/// answer to be written.
pub async fn own_way(mut stream: TcpStream, front: &Front, timeout: Duration) -> Option<Rewind> {
    let mut deadline = Deadline::new(timeout);
    let mut input = vec![0; READ_ROOM];
    let mut output: Vec<u8> = Vec::with_capacity(4096);
    loop {
        let n = match deadline.within(read(&mut stream, &mut input)).await {
            Some(Ok(n)) if n > 0 => n,
            // Closed, failed or idle past the timeout.
            _ => return None,
        };
        let input = &input[..n];
        // Every whole request of the own way's shape (several when the client pipelines). The
        // last answer's body is written from where it lies, after the heads.
        let mut used = 0;
        let mut last_body = Bytes::new();
        while let Some(req) = PlainXml::parse(&input[used..], front) {
            output.extend_from_slice(&std::mem::take(&mut last_body));
            match front.answer_plain_xml(req.message, req.path, req.body) {
                Answered::Xml(reply) => {
                    let content_type = reply.content_type.as_bytes();
                    let headers = [(header::CONTENT_TYPE.as_str(), content_type)];
                    push_head(&mut output, "200 OK", &headers, reply.body.len());
                    last_body = reply.body;
                }
                Answered::Other(res) => {
                    push_response(&mut output, admin_guard::clip_errors(res).await).await
                }
            }
            used += req.len;
        }
        if !output.is_empty() {
            match deadline
                .within(write_all(&mut stream, &output, &last_body))
                .await
            {
                Some(Ok(())) => output.clear(),
                _ => return None,
            }
        }
        if used < input.len() {
            // A request of another shape, or one not yet whole: hyper's from here.
            return Some(Rewind::new(input[used..].to_vec(), stream));
        }
    }
}

/// Reads what has arrived into `buf` (as tokio's own `read`: a short read marks the socket
/// drained, so the next wait costs no extra system call).
async fn read(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    std::future::poll_fn(|cx| {
        let mut into = ReadBuf::new(buf);
        std::task::ready!(Pin::new(&mut *stream).poll_read(cx, &mut into))?;
        Poll::Ready(Ok(into.filled().len()))
    })
    .await
}

/// Writes `head` then `body`, in one system call when they fit the socket's buffer.
async fn write_all(stream: &mut TcpStream, mut head: &[u8], mut body: &[u8]) -> io::Result<()> {
    while !head.is_empty() || !body.is_empty() {
        let n = std::future::poll_fn(|cx| {
            let parts = [io::IoSlice::new(head), io::IoSlice::new(body)];
            Pin::new(&mut *stream).poll_write_vectored(cx, &parts)
        })
        .await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        let from_head = n.min(head.len());
        head = &head[from_head..];
        body = &body[n - from_head..];
    }
    Ok(())
}

/// A request the own way answers: where its parts lie in the bytes read.
struct PlainXml<'a> {
    path: &'a str,
    message: &'a str,
    body: &'a [u8],
    /// Head and body.
    len: usize,
}

impl<'a> PlainXml<'a> {
    /// The first request in `bytes` if it is whole and of the own way's shape.
    fn parse(bytes: &'a [u8], front: &Front) -> Option<Self> {
        let head = plain_head::parse(bytes, MAX_HEADERS)?;
        let message = front::plain_xml_message(&Method::POST, head.path)?;
        if head.content_length > front.xml_request_limit(message) {
            return None;
        }
        let len = head.len.checked_add(head.content_length)?;
        let body = bytes.get(head.len..len)?;
        Some(PlainXml {
            path: head.path,
            message,
            body,
            len,
        })
    }
}

/// Appends a response's head as hyper writes it: status line, `headers`, `content-length`,
/// `date`.
fn push_head(out: &mut Vec<u8>, status: &str, headers: &[(&str, &[u8])], body_len: usize) {
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut has_date = false;
    for (name, value) in headers {
        has_date |= *name == header::DATE.as_str();
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"content-length: ");
    out.extend_from_slice(itoa(body_len, &mut [0; 20]));
    if !has_date {
        out.extend_from_slice(b"\r\ndate: ");
        push_date(out);
    }
    out.extend_from_slice(b"\r\n\r\n");
}

/// Appends any response built in memory (a refusal or a rejection).
async fn push_response(out: &mut Vec<u8>, res: Response) {
    let (parts, body) = res.into_parts();
    // Refusals and rejections are built whole in memory; reading them cannot fail.
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let status = format!(
        "{} {}",
        parts.status.as_str(),
        parts.status.canonical_reason().unwrap_or("")
    );
    let headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .filter(|(name, _)| *name != header::CONTENT_LENGTH)
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    push_head(out, &status, &headers, body.len());
    out.extend_from_slice(&body);
}

/// `n` in decimal, written into the end of `buf`.
fn itoa(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

/// Appends the `date` header's value (IMF-fixdate), formatted once a second as hyper does.
fn push_date(out: &mut Vec<u8>) {
    thread_local!(static CACHED: RefCell<(u64, String)> = const { RefCell::new((0, String::new())) });
    let now = SystemTime::now();
    let second = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    CACHED.with_borrow_mut(|(at, text)| {
        if *at != second || text.is_empty() {
            *text = httpdate::fmt_http_date(now);
            *at = second;
        }
        out.extend_from_slice(text.as_bytes());
    });
}

/// The connection's one timer. It is armed once and moved only when it fires before the
/// current wait's limit: a timer per request costs an insert into and a removal from the
/// runtime's timer wheel on every inquiry.
struct Deadline {
    sleep: Pin<Box<Sleep>>,
    timeout: Duration,
}

impl Deadline {
    fn new(timeout: Duration) -> Self {
        Deadline {
            sleep: Box::pin(tokio::time::sleep(timeout)),
            timeout,
        }
    }

    /// `work`'s output, or `None` when it waits longer than the timeout. Work done at once
    /// (most writes) reads no clock.
    async fn within<F: Future>(&mut self, work: F) -> Option<F::Output> {
        let mut work = std::pin::pin!(work);
        let mut limit = None;
        std::future::poll_fn(|cx| {
            if let Poll::Ready(out) = work.as_mut().poll(cx) {
                return Poll::Ready(Some(out));
            }
            let limit = *limit.get_or_insert_with(|| Instant::now() + self.timeout);
            while self.sleep.as_mut().poll(cx).is_ready() {
                if Instant::now() >= limit {
                    return Poll::Ready(None);
                }
                // Set for an earlier wait: wait on until this one's limit.
                self.sleep.as_mut().reset(limit);
            }
            Poll::Pending
        })
        .await
    }
}

/// The stream with the bytes already read put back in front of it, for hyper.
#[derive(Debug)]
pub struct Rewind {
    read: Vec<u8>,
    at: usize,
    stream: TcpStream,
}

impl Rewind {
    fn new(read: Vec<u8>, stream: TcpStream) -> Self {
        Rewind {
            read,
            at: 0,
            stream,
        }
    }
}

impl AsyncRead for Rewind {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.at < this.read.len() {
            let n = buf.remaining().min(this.read.len() - this.at);
            buf.put_slice(&this.read[this.at..this.at + n]);
            this.at += n;
            if this.at == this.read.len() {
                this.read = Vec::new();
                this.at = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Rewind {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itoa_writes_decimal() {
        for n in [0, 7, 10, 2358, usize::MAX] {
            assert_eq!(itoa(n, &mut [0; 20]), n.to_string().as_bytes());
        }
    }

    #[test]
    fn the_head_is_what_hyper_writes() {
        let mut out = Vec::new();
        push_head(
            &mut out,
            "200 OK",
            &[("content-type", b"application/xml; charset=UTF-8")],
            4,
        );
        out.extend_from_slice(b"<a/>");
        let text = String::from_utf8(out).expect("ASCII");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head");
        assert_eq!(body, "<a/>");
        let lines: Vec<&str> = head.split("\r\n").collect();
        assert_eq!(
            lines[..3],
            [
                "HTTP/1.1 200 OK",
                "content-type: application/xml; charset=UTF-8",
                "content-length: 4"
            ]
        );
        let date = lines[3].strip_prefix("date: ").expect("a date last");
        assert!(httpdate::parse_http_date(date).is_ok(), "{date}");
        assert_eq!(lines.len(), 4);
    }
}
