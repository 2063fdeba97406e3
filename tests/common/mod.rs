//! Helpers shared by the integration tests.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs a CPython script once with `input` on its standard input and returns
/// its standard output, line by line: one process for a whole batch of cases.
#[allow(dead_code)] // not every test file uses every helper
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

/// An object's entries in order, each value as its JSON text (serde_json's maps are
/// sorted, so a visitor reads them; `RawValue` keeps each value's text).
#[allow(dead_code)] // not every test file uses every helper
pub fn ordered_entries(text: &str) -> Vec<(String, String)> {
    struct Entries(Vec<(String, String)>);
    impl<'de> serde::Deserialize<'de> for Entries {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Entries, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Entries;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                    let mut entries = Vec::new();
                    while let Some((k, v)) = map.next_entry::<String, Box<serde_json::value::RawValue>>()? {
                        entries.push((k, v.get().to_string()));
                    }
                    Ok(Entries(entries))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::from_str::<Entries>(text).expect("a JSON object").0
}
