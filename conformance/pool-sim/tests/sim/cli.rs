//! The command itself: starts on a free port, prints where, serves, stops on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn the_binary_serves_a_messages_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("b.xml"), "<b/>").unwrap();
    std::fs::write(dir.path().join("a.xml"), "<a/>").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a message").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gdsn-pool-sim"))
        .args(["--port", "0", "--messages"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gdsn-pool-sim");
    let mut banner = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut banner).expect("banner");
    let addr = banner.trim().rsplit("http://").next().unwrap().trim_end_matches('/').to_owned();

    let mut stream = TcpStream::connect(&addr).expect("connect");
    write!(stream, "GET /inbox HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let a = response.find("000001-a").expect("a.xml first");
    let b = response.find("000002-b").expect("b.xml second");
    assert!(a < b);
    assert!(!response.contains("notes"));
}
