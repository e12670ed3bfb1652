//! A minimal keep-alive HTTP/1.1 client for the load test: one TCP
//! connection, one GET at a time, bodies framed by `Content-Length` (what
//! the daemon's JSON routes send). Deliberately small, so what the load
//! test times is the daemon, not a client's own runtime and pools.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One connection to `host:port`.
pub struct Connection {
    host: String,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

/// A response: its status and body.
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Connection {
    /// Connects (with `TCP_NODELAY`: small requests must not wait for Nagle).
    pub fn open(host: &str) -> io::Result<Connection> {
        let stream = TcpStream::connect(host)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let writer = stream.try_clone()?;
        Ok(Connection { host: host.to_owned(), reader: BufReader::new(stream), writer })
    }

    /// `GET path` on this connection; `path` must already be URL-encoded.
    pub fn get(&mut self, path: &str) -> io::Result<Response> {
        write!(
            self.writer,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n\r\n",
            self.host
        )?;
        self.read_response()
    }

    fn read_response(&mut self) -> io::Result<Response> {
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| invalid(format!("not an HTTP status line: {line:?}")))?;
        let mut length = None;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(invalid("the connection closed in the headers".to_owned()));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.ok_or_else(|| invalid("a response without Content-Length".to_owned()))?;
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok(Response { status, body })
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}
