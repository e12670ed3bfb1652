//! A loopback HTTP/1.1 proxy in front of the emulator that fails chosen
//! `_bulk` requests the way a cluster or network in trouble does, and can
//! lie about `_count` so a canary fails. Plain threads and sockets: the CLI
//! under test is a separate process, the proxy only relays bytes.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What happens to one `_bulk` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Relayed as it is.
    Pass,
    /// The connection closes once the request is read: nothing applied.
    Reset,
    /// The cluster applies the bulk, then the connection closes before the
    /// answer: applied, never acknowledged (the case that repeats a batch).
    ApplyThenReset,
    /// 503 with `Retry-After: 0`, nothing applied.
    Unavailable,
    /// Relayed after a pause, so a test can kill the CLI while the request
    /// is in flight.
    Slow,
}

struct State {
    upstream: String,
    /// One fault per coming `_bulk`, in order; `Pass` once empty.
    plan: Mutex<VecDeque<Fault>>,
    bulks: AtomicUsize,
    lie_about_count: AtomicBool,
}

/// A running proxy; its accept thread lives as long as the test process
/// (it holds nothing but a loopback socket).
pub(crate) struct Proxy {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    state: Arc<State>,
}

impl Proxy {
    /// A proxy to `upstream` (`http://127.0.0.1:PORT`).
    pub(crate) fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(State {
            upstream: upstream.trim_start_matches("http://").to_owned(),
            plan: Mutex::new(VecDeque::new()),
            bulks: AtomicUsize::new(0),
            lie_about_count: AtomicBool::new(false),
        });
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(&state, stream));
            }
        });
        Proxy { url, state }
    }

    /// The faults of the next `_bulk` requests, in order.
    pub(crate) fn plan(&self, faults: &[Fault]) {
        self.state.plan.lock().expect("plan").extend(faults);
    }

    /// `_bulk` requests received so far.
    pub(crate) fn bulks(&self) -> usize {
        self.state.bulks.load(Ordering::SeqCst)
    }

    /// Makes `_count` answer a wrong number.
    pub(crate) fn lie_about_count(&self, lie: bool) {
        self.state.lie_about_count.store(lie, Ordering::SeqCst);
    }
}

/// One request as read: head lines and body.
struct Request {
    line: String,
    headers: Vec<String>,
    body: Vec<u8>,
}

fn serve(state: &State, stream: TcpStream) {
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut client = stream;
    while let Some(request) = read_request(&mut reader) {
        let fault = if request.line.contains("/_bulk") {
            state.bulks.fetch_add(1, Ordering::SeqCst);
            state.plan.lock().expect("plan").pop_front().unwrap_or(Fault::Pass)
        } else {
            Fault::Pass
        };
        if request.line.contains("/_count") && state.lie_about_count.load(Ordering::SeqCst) {
            let _ = client.write_all(&answer("200 OK", r#"{"count":999999}"#));
            continue;
        }
        let reply = match fault {
            Fault::Reset => return,
            Fault::Unavailable => answer("503 Service Unavailable", r#"{"error":"busy"}"#),
            Fault::Pass | Fault::ApplyThenReset | Fault::Slow => {
                if fault == Fault::Slow {
                    std::thread::sleep(std::time::Duration::from_millis(400));
                }
                match forward(&state.upstream, &request) {
                    Some(reply) => reply,
                    None => return,
                }
            }
        };
        if fault == Fault::ApplyThenReset || client.write_all(&reply).is_err() {
            return;
        }
    }
}

fn answer(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nretry-after: 0\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok().filter(|&n| n > 0)?;
        let header = header.trim_end().to_owned();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
        headers.push(header);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { line: line.trim_end().to_owned(), headers, body })
}

/// Sends `request` upstream on a connection of its own (`connection:
/// close`, so the answer ends at EOF) and returns the raw answer.
fn forward(upstream: &str, request: &Request) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).ok()?;
    let mut head = format!("{}\r\n", request.line);
    for header in &request.headers {
        if !header.to_ascii_lowercase().starts_with("connection:") {
            head.push_str(header);
            head.push_str("\r\n");
        }
    }
    head.push_str("connection: close\r\n\r\n");
    server.write_all(head.as_bytes()).ok()?;
    server.write_all(&request.body).ok()?;
    let mut reply = Vec::new();
    server.read_to_end(&mut reply).ok()?;
    Some(reply)
}
