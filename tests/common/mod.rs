//! Helpers shared by the integration tests.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs a CPython script once with `input` on its standard input and returns
/// its standard output, line by line: one process for a whole batch of cases.
pub fn python_lines(script: &str, input: String, what: &str) -> Vec<String> {
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is needed for {what}: {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written from another thread, so a large input cannot deadlock against the output.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python3 ran");
    writer.join().expect("writer thread").expect("input written");
    assert!(out.status.success(), "python3 failed for {what}");
    String::from_utf8(out.stdout).expect("UTF-8 output").lines().map(str::to_owned).collect()
}
