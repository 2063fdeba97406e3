//! Helpers shared by the integration tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs a CPython script once with `input` on its standard input and returns
/// its standard output, line by line: one process for a whole batch of cases.
#[allow(dead_code)] // not every test file uses every helper
pub fn python_lines(script: &str, input: String, what: &str) -> Vec<String> {
    python_lines_with(Path::new("python3"), script, input, what)
}

/// `python_lines` with a given interpreter (e.g. `label_studio_python()`).
#[allow(dead_code)] // not every test file uses every helper
pub fn python_lines_with(python: &Path, script: &str, input: String, what: &str) -> Vec<String> {
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{} is needed for {what}: {e}", python.display()));
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written from another thread, so a large input cannot deadlock against the output.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python3 ran");
    writer.join().expect("writer thread").expect("input written");
    assert!(out.status.success(), "{} failed for {what}", python.display());
    String::from_utf8(out.stdout).expect("UTF-8 output").lines().map(str::to_owned).collect()
}

/// The Python of Label Studio 1.23.2's own environment (the capture venv, made by
/// `tools/capture/setup.sh`): `$LS_VENV`, else `tools/capture/.venv` of this checkout, else
/// that of the main checkout when this one is a git worktree of it, else the light
/// `tools/capture/.venv-idna` (urllib3 and idna pinned to that venv's versions). `Err` says why there is
/// none, for a test to print when it skips.
/// [`label_studio_python`], or `None` after printing that `test` is skipped and why (to stderr,
/// past the test harness's capture, so a skip is seen).
#[allow(dead_code)] // not every test file uses every helper
pub fn label_studio_python_or_skip(test: &str) -> Option<PathBuf> {
    use std::io::Write;
    label_studio_python().map_err(|why| writeln!(std::io::stderr(), "{test}: skipped: {why}")).ok()
}

#[allow(dead_code)] // not every test file uses every helper
pub fn label_studio_python() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut venvs = Vec::new();
    if let Some(v) = std::env::var_os("LS_VENV") {
        venvs.push(PathBuf::from(v));
    }
    venvs.push(root.join("tools/capture/.venv"));
    let common = Command::new("git").arg("-C").arg(root).args(["rev-parse", "--path-format=absolute", "--git-common-dir"]).output();
    if let Some(out) = common.ok().filter(|o| o.status.success()) {
        let git_dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if let Some(main) = git_dir.parent().filter(|m| *m != root) {
            venvs.push(main.join("tools/capture/.venv"));
        }
    }
    // The light venv scripts/setup.sh makes (urllib3 and idna at Label Studio's versions),
    // when it runs the CPython Label Studio runs (3.11: the same unicodedata and str.lower).
    venvs.push(root.join("tools/capture/.venv-idna"));
    venvs.iter().map(|v| v.join("bin/python")).find(|p| p.is_file()).ok_or_else(|| {
        let tried: Vec<String> = venvs.iter().map(|v| v.display().to_string()).collect();
        format!("no Label Studio venv (tools/capture/setup.sh makes one; tried {})", tried.join(", "))
    })
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
