//! Sets `size_first` when the profile optimizes for size (`opt-level = "s"` or `"z"`: the
//! browser's build, `--profile web`). The hot paths of the reader and the renderer ask for
//! inlining (`inline(always)`) that trades code size for speed; there, that choice is left to
//! the compiler instead, so the browser's download does not pay for the Node build's speed.
fn main() {
    println!("cargo:rustc-check-cfg=cfg(size_first)");
    println!("cargo:rerun-if-changed=build.rs");
    if matches!(std::env::var("OPT_LEVEL").as_deref(), Ok("s" | "z")) {
        println!("cargo:rustc-cfg=size_first");
    }
}
