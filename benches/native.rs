//! The core compiled natively, timed on an event file: prints the median of
//! repeated runs as JSON for bench/run.mjs. Not a timed test.
//!
//! usage: cargo bench --bench native -- EVENT.json [RUNS]

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let Some(path) = args.first() else {
        eprintln!("usage: cargo bench --bench native -- EVENT.json [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(21);
    let bytes = std::fs::read(path).expect("readable event file");
    let mut times = Vec::with_capacity(runs);
    let mut body_bytes = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let plan = ls_webhooks::build_deliveries_bytes(&bytes).expect("a valid event");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        body_bytes = plan.deliveries.first().map_or(0, |d| d.body.len());
        std::hint::black_box(plan);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!("{{\"median_ms\": {:.3}, \"min_ms\": {:.3}, \"body_bytes\": {body_bytes}, \"runs\": {runs}}}", times[runs / 2], times[0]);
}
