//! The HTTP side of `replay`: one keep-alive agent (rustls for https) shared
//! by all workers, and one attempt at sending a record, read back into an
//! [`Attempt`] with the parts of the reply the retry policy needs.

use std::error::Error as _;
use std::io::{self, Read};
use std::time::{Duration, Instant};

/// The most of a reply body read back; the rest is dropped with the
/// connection.
const BODY_LIMIT: u64 = 1 << 20;
/// How much of a reply body is kept for reports and messages.
const SNIPPET_CHARS: usize = 200;

/// What one attempt came back with.
pub enum Attempt {
    /// The server answered.
    Response {
        status: u16,
        /// The start of the reply body, one line, control characters replaced.
        snippet: String,
        retry_after: Option<String>,
        location: Option<String>,
        latency: Duration,
    },
    /// No answer: connection refused, reset or closed, timeout, TLS failure.
    Transport {
        message: String,
        timeout: bool,
        retryable: bool,
        latency: Duration,
    },
}

impl Attempt {
    pub fn latency(&self) -> Duration {
        match self {
            Attempt::Response { latency, .. } | Attempt::Transport { latency, .. } => *latency,
        }
    }

    /// The key of this attempt in the status histogram.
    pub fn status_key(&self) -> String {
        match self {
            Attempt::Response { status, .. } => status.to_string(),
            Attempt::Transport { timeout: true, .. } => "timeout".to_string(),
            Attempt::Transport { .. } => "connection_error".to_string(),
        }
    }
}

/// Sends requests over kept-alive connections.
pub struct Client {
    agent: ureq::Agent,
    url: String,
    method: String,
}

impl Client {
    pub fn new(url: &str, method: &str, timeout: Duration, concurrency: usize) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout(timeout)
            .redirects(0)
            .max_idle_connections_per_host(concurrency)
            .max_idle_connections(concurrency.max(1) * 2)
            .user_agent(concat!("clickstream/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent,
            url: url.to_string(),
            method: method.to_string(),
        }
    }

    /// Sends one request and reads the reply.
    pub fn send(&self, headers: &[(String, String)], body: &[u8]) -> Attempt {
        let mut request = self.agent.request(&self.method, &self.url);
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let start = Instant::now();
        let response = match request.send_bytes(body) {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(ureq::Error::Transport(t)) => return transport(&t, start.elapsed()),
        };
        let status = response.status();
        let retry_after = response.header("retry-after").map(str::to_string);
        let location = response.header("location").map(str::to_string);
        let mut bytes = Vec::new();
        let read = response
            .into_reader()
            .take(BODY_LIMIT)
            .read_to_end(&mut bytes);
        let latency = start.elapsed();
        if let Err(err) = read {
            // The status arrived but the body broke off: the server did
            // answer, so the status decides; the connection is dropped.
            bytes.extend_from_slice(format!(" (reply body cut off: {err})").as_bytes());
        }
        Attempt::Response {
            status,
            snippet: snippet(&bytes),
            retry_after,
            location,
            latency,
        }
    }
}

fn transport(t: &ureq::Transport, latency: Duration) -> Attempt {
    use ureq::ErrorKind as K;
    let io_kind = t
        .source()
        .and_then(|s| s.downcast_ref::<io::Error>())
        .map(io::Error::kind);
    let timeout = matches!(
        io_kind,
        Some(io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
    );
    let retryable = !matches!(
        t.kind(),
        K::InvalidUrl
            | K::UnknownScheme
            | K::InsecureRequestHttpsOnly
            | K::InvalidProxyUrl
            | K::ProxyUnauthorized
            | K::BadHeader
    );
    if t.kind() == K::BadHeader {
        // Its message quotes the header value, which may be personal data.
        return Attempt::Transport {
            message: "a header was refused before sending; its value is not shown".to_string(),
            timeout: false,
            retryable,
            latency,
        };
    }
    let mut message = if timeout {
        "timed out".to_string()
    } else {
        t.kind().to_string()
    };
    if let Some(m) = t.message() {
        message.push_str(": ");
        message.push_str(m);
    }
    if let (Some(source), false) = (t.source(), timeout) {
        message.push_str(": ");
        message.push_str(&source.to_string());
    }
    Attempt::Transport {
        message: message.to_lowercase(),
        timeout,
        retryable,
        latency,
    }
}

/// The start of a body as one printable line.
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text
        .chars()
        .take(SNIPPET_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(SNIPPET_CHARS).is_some() {
        out.push('…');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_one_short_line() {
        assert_eq!(
            snippet(b"  {\"error\":\n\"bad\"}\r\n"),
            "{\"error\": \"bad\"}"
        );
        let long = "x".repeat(500);
        assert_eq!(snippet(long.as_bytes()).chars().count(), SNIPPET_CHARS + 1);
    }
}
