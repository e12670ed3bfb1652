//! A small HTTP/1.1 server of our own that answers like a cluster in trouble:
//! per-item failures inside a 200 `_bulk`, whole-request errors with
//! `Retry-After`, a stall before the headers, a connection reset. It records
//! every request so tests can read the NDJSON we sent.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as received.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// `POST`, `GET`...
    pub(crate) method: String,
    /// Path and query, `/gdsn-products/_bulk?require_alias=true`.
    pub(crate) target: String,
    /// Headers, names lower-cased.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

/// One `_bulk` action read back from a request body.
#[derive(Debug, Clone)]
pub(crate) struct Action {
    /// `index`, `delete`, `update`...
    pub(crate) name: String,
    /// The action's metadata (`_id`, `version`, `version_type`).
    pub(crate) meta: Value,
    /// The document line, for `index`.
    pub(crate) source: Option<Value>,
}

impl Request {
    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The NDJSON body as actions; panics (a failed test) on a malformed body.
    pub(crate) fn actions(&self) -> Vec<Action> {
        let text = std::str::from_utf8(&self.body).expect("bulk body is UTF-8");
        assert!(text.ends_with('\n'), "bulk body must end with a newline");
        let mut lines = text.lines().map(|l| serde_json::from_str::<Value>(l).expect("each line is JSON"));
        let mut actions = Vec::new();
        while let Some(line) = lines.next() {
            let (name, meta) = line.as_object().and_then(|o| o.iter().next()).expect("action line");
            let source = if name == "delete" { None } else { lines.next() };
            actions.push(Action { name: name.clone(), meta: meta.clone(), source });
        }
        actions
    }
}

/// What the server does with a request.
pub(crate) enum Reply {
    /// Answer with this status, extra headers and body.
    Http { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Wait this long before sending anything, then close.
    Stall(Duration),
    /// Reset the connection (RST) without answering.
    Reset,
}

impl Reply {
    /// A JSON answer.
    pub(crate) fn json(status: u16, body: &Value) -> Reply {
        Reply::Http { status, headers: Vec::new(), body: body.to_string().into_bytes() }
    }

    /// A 200 `_bulk` answer with one item per action, from `item(action)`
    /// giving `(status, error type)`.
    pub(crate) fn bulk(request: &Request, item: impl Fn(&Action) -> (u16, Option<&'static str>)) -> Reply {
        let items: Vec<Value> = request
            .actions()
            .iter()
            .map(|action| {
                let (status, error) = item(action);
                let mut result =
                    json!({ "_id": action.meta["_id"], "_index": "gdsn-products-000001", "status": status });
                match error {
                    Some(kind) => {
                        result["error"] = json!({ "type": kind, "reason": format!("{kind} for test") })
                    }
                    None => {
                        result["result"] = json!(if action.name == "delete" { "deleted" } else { "created" })
                    }
                }
                json!({ action.name.clone(): result })
            })
            .collect();
        let errors = items
            .iter()
            .any(|i| i.as_object().and_then(|o| o.values().next()).is_some_and(|r| r.get("error").is_some()));
        Reply::json(200, &json!({ "took": 1, "errors": errors, "items": items }))
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// The running server; stops with the test's runtime.
pub(crate) struct FaultServer {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
}

impl FaultServer {
    /// Starts a server answering every request with `handler`.
    pub(crate) async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> FaultServer {
        FaultServer::start_with_delay(Duration::ZERO, handler).await
    }

    /// The same, waiting `delay` before each answer (to observe concurrency).
    pub(crate) async fn start_with_delay(
        delay: Duration,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let server = FaultServer {
            url,
            requests: Arc::default(),
            in_flight: Arc::default(),
            max_in_flight: Arc::default(),
        };
        let shared = Shared {
            handler: Arc::new(handler),
            requests: Arc::clone(&server.requests),
            in_flight: Arc::clone(&server.in_flight),
            max_in_flight: Arc::clone(&server.max_in_flight),
            delay,
        };
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        server
    }

    /// Every request received so far, in arrival order.
    pub(crate) fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("lock").clone()
    }

    /// The most requests that were being answered at the same time.
    pub(crate) fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

#[derive(Clone)]
struct Shared {
    handler: Arc<Handler>,
    requests: Arc<Mutex<Vec<Request>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
    delay: Duration,
}

/// Answers the requests of one connection (reqwest keeps connections alive).
async fn serve(mut stream: TcpStream, shared: Shared) {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buffer).await {
        shared.requests.lock().expect("lock").push(request.clone());
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(shared.delay).await;
        let reply = (shared.handler)(&request);
        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        match reply {
            Reply::Http { status, headers, body } => {
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                // A HEAD answer announces its length but carries no body.
                let body: &[u8] = if request.method == "HEAD" { &[] } else { &body };
                if stream.write_all(head.as_bytes()).await.is_err() || stream.write_all(body).await.is_err() {
                    return;
                }
            }
            Reply::Stall(time) => {
                tokio::time::sleep(time).await;
                return;
            }
            Reply::Reset => {
                let _ = stream.set_zero_linger();
                return;
            }
        }
    }
}

/// Reads one request (headers, then a `content-length` body); `None` at end
/// of stream or on anything unexpected.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (method, target) = (request_line.next()?.to_owned(), request_line.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").map_or(Some(0), |(_, v)| v.parse().ok())?;
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        let mut chunk = [0u8; 65536];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Some(Request { method, target, headers, body })
}
