//! A real HTTP/1.1 server on 127.0.0.1 for the replay tests: the OS picks
//! the port, every request is recorded (method, path, headers, body,
//! arrival time, connection), and a script decides each reply, so tests can
//! inject 5xx, 429 with Retry-After, slow replies, dropped connections,
//! keep-alive connections closed after a reply, 4xx and redirects.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the whole request had arrived.
    pub at: Instant,
    /// Which connection it came on (numbered from 0).
    pub conn: u64,
    /// The `event_id` of the JSON body, if any.
    pub event_id: Option<String>,
    /// How many requests for this event_id arrived before and with this one.
    pub nth: u32,
    /// The status the script chose; `None` for a dropped connection.
    pub replied: Option<u16>,
    /// The reply was held back this long.
    pub delay: Duration,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
    /// Close the connection without answering.
    pub drop: bool,
    /// Answer (as if keeping the connection alive), then close it.
    pub close_after: bool,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay: Duration::ZERO,
            drop: false,
            close_after: false,
        }
    }

    pub fn ok() -> Self {
        Reply::status(200).body("{\"ok\":true}")
    }

    pub fn drop_connection() -> Self {
        Reply {
            drop: true,
            ..Reply::status(0)
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: &str) -> Self {
        self.body = body.to_string();
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn then_close(mut self) -> Self {
        self.close_after = true;
        self
    }
}

type Script = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct State {
    log: Mutex<Vec<Recorded>>,
    seen: Mutex<HashMap<String, u32>>,
    script: Box<Script>,
    stop: AtomicBool,
    conns: AtomicU64,
}

/// A running server; stopped when dropped.
pub struct Sink {
    pub addr: SocketAddr,
    state: Arc<State>,
}

impl Sink {
    /// Starts a server whose replies come from `script`.
    pub fn start(script: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            log: Mutex::new(Vec::new()),
            seen: Mutex::new(HashMap::new()),
            script: Box::new(script),
            stop: AtomicBool::new(false),
            conns: AtomicU64::new(0),
        });
        let accepting = state.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let state = accepting.clone();
                let conn = state.conns.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || serve(stream, conn, &state));
            }
        });
        Sink { addr, state }
    }

    /// A server that accepts everything with 200.
    pub fn ok() -> Sink {
        Sink::start(|_| Reply::ok())
    }

    pub fn url(&self) -> String {
        format!("http://{}/events", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.log.lock().unwrap().clone()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Serves one connection until the client closes it or the script drops it.
fn serve(stream: TcpStream, conn: u64, state: &State) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut rdr = BufReader::new(stream);
    loop {
        let Some(mut request) = read_request(&mut rdr, conn) else {
            return;
        };
        if let Some(id) = &request.event_id {
            let mut seen = state.seen.lock().unwrap();
            let n = seen.entry(id.clone()).or_default();
            *n += 1;
            request.nth = *n;
        }
        let reply = (state.script)(&request);
        request.replied = (!reply.drop).then_some(reply.status);
        request.delay = reply.delay;
        state.log.lock().unwrap().push(request);
        if reply.drop {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
        thread::sleep(reply.delay);
        let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        // One write: a separate body write would wait out delayed ACKs.
        let mut whole = head.into_bytes();
        whole.extend_from_slice(reply.body.as_bytes());
        let sent = writer.write_all(&whole).and_then(|_| writer.flush());
        if sent.is_err() || reply.close_after {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn read_request(rdr: &mut BufReader<TcpStream>, conn: u64) -> Option<Recorded> {
    let mut line = String::new();
    if rdr.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if rdr.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    rdr.read_exact(&mut body).ok()?;
    let event_id = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("event_id")
                .and_then(|e| e.as_str())
                .map(str::to_string)
        });
    Some(Recorded {
        method,
        path,
        headers,
        body,
        at: Instant::now(),
        conn,
        event_id,
        nth: 0,
        replied: None,
        delay: Duration::ZERO,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// The largest number of requests in any window of `width`.
pub fn busiest_window(requests: &[Recorded], width: Duration) -> usize {
    let mut times: Vec<Instant> = requests.iter().map(|r| r.at).collect();
    times.sort();
    let mut best = 0;
    let mut start = 0;
    for end in 0..times.len() {
        while times[end] - times[start] >= width {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}
