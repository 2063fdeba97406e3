//! Batch by batch: the plan of a large event without holding every body.
//!
//! `build` keeps all deliveries of all batches; a 100,000-task import at the
//! default batch size is 20 rounds of multi-megabyte bodies. [`Batches`]
//! parses and checks the event once, then renders one batch per call, so only
//! the event and one batch of bodies are alive at a time.

use crate::error::Error;
use crate::labelstudio::event::{self, Options, OptionsPatch};
use crate::labelstudio::plan::{Delivery, Planner, Skipped, Warning};
use crate::labelstudio::targets::Unmatched;
use crate::json::reader::Doc;

self_cell::self_cell!(
    /// The event text with the planner that borrows it.
    struct Parsed {
        owner: Doc<'static>,
        #[not_covariant]
        dependent: Planner,
    }
);

/// An owned, resumable plan: the targets up front, then one batch at a time.
pub struct Batches {
    parsed: Option<Parsed>,
    action: &'static str,
    targets: Vec<i64>,
    skipped: Vec<Skipped>,
    unmatched: Vec<Unmatched>,
    warnings: Vec<Warning>,
    options: Options,
    count: usize,
    next: usize,
}

/// One round of POSTs: every target's delivery for batch `index`.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub index: usize,
    pub deliveries: Vec<Delivery>,
}

impl Batches {
    /// Parses and checks the event; rows are rendered later, batch by batch.
    pub fn new(event_json: String) -> Result<Batches, Error> {
        Batches::with_options(event_json, &OptionsPatch::default())
    }

    /// As [`Batches::new`], from UTF-8 bytes (checked while they are read).
    pub fn from_bytes(event_json: Vec<u8>) -> Result<Batches, Error> {
        Batches::from_bytes_with_options(event_json, &OptionsPatch::default())
    }

    /// As [`Batches::new`], with `options` (given apart from the event) over the event's own.
    pub fn with_options(event_json: String, options: &OptionsPatch) -> Result<Batches, Error> {
        Batches::from_doc(event::parse_doc_owned(event_json)?, options)
    }

    /// As [`Batches::from_bytes`], with `options` over the event's own.
    pub fn from_bytes_with_options(event_json: Vec<u8>, options: &OptionsPatch) -> Result<Batches, Error> {
        Batches::from_doc(event::parse_doc_bytes(event_json)?, options)
    }

    fn from_doc(doc: crate::json::reader::Doc<'static>, options: &OptionsPatch) -> Result<Batches, Error> {
        let parsed = Parsed::try_new(doc, |doc| event::read_with(doc, options).and_then(Planner::new))?;
        let (action, targets, skipped, unmatched, warnings, options, count) = parsed.with_dependent(|_, p| {
            (p.action().action, p.targets().to_vec(), p.skipped().to_vec(), p.unmatched().to_vec(), p.warnings(), p.options().clone(), p.batch_count())
        });
        Ok(Batches { parsed: Some(parsed), action, targets, skipped, unmatched, warnings, options, count, next: 0 })
    }

    pub fn action(&self) -> &'static str {
        self.action
    }

    /// `get_active_webhooks`: the matching webhook ids, in order.
    pub fn targets(&self) -> &[i64] {
        &self.targets
    }

    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// The event's other webhooks, and why they are not targets.
    pub fn unmatched(&self) -> &[Unmatched] {
        &self.unmatched
    }

    /// Parts the event lacks, and what that does to the deliveries.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// How many rounds of POSTs in all.
    pub fn batch_count(&self) -> usize {
        self.count
    }
}

impl Iterator for Batches {
    type Item = Result<Batch, Error>;

    /// The next batch; after the last one (or an error) the event is released.
    fn next(&mut self) -> Option<Self::Item> {
        let parsed = self.parsed.as_mut()?;
        if self.next >= self.count {
            self.parsed = None;
            return None;
        }
        let index = self.next;
        self.next += 1;
        let result = parsed.with_dependent_mut(|_, p| p.batch(index));
        if result.is_err() || self.next >= self.count {
            self.parsed = None;
        }
        Some(result.map(|deliveries| Batch { index, deliveries }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: usize, batch: usize) -> String {
        let rows: Vec<String> = (1..=n).map(|i| format!("{{\"id\": {i}}}")).collect();
        format!(
            r#"{{"action": "TASKS_DELETED", "organization": 1, "instance": [{}],
                "webhooks": [{{"id": 1, "url": "https://a.example"}}, {{"id": 2, "url": "https://b.example"}}],
                "options": {{"batchSize": {batch}}}}}"#,
            rows.join(",")
        )
    }

    #[test]
    fn same_deliveries_as_the_whole_plan() {
        let text = event(7, 3);
        let whole = crate::build_deliveries(&text).unwrap();
        let batches = Batches::new(text).unwrap();
        assert_eq!(batches.batch_count(), 3);
        assert_eq!(batches.targets(), &[1, 2]);
        let mut all = Vec::new();
        for (k, b) in batches.enumerate() {
            let b = b.unwrap();
            assert_eq!(b.index, k);
            assert!(b.deliveries.iter().all(|d| d.batch == k));
            all.extend(b.deliveries);
        }
        assert_eq!(all, whole.deliveries);
    }

    #[test]
    fn errors_come_first_or_in_their_batch() {
        assert_eq!(Batches::new("{".into()).err().unwrap().code, crate::ErrorCode::InvalidEvent);
        let bad = event(4, 2).replace("{\"id\": 3}", "{\"id\": \"x\"}");
        let mut b = Batches::new(bad).unwrap();
        assert!(b.next().unwrap().is_ok());
        let e = b.next().unwrap().unwrap_err();
        assert_eq!(e.path, "instance[2].id");
        assert!(b.next().is_none(), "nothing after an error");
    }

    #[test]
    fn empty_list_has_no_batches() {
        let mut b = Batches::new(event(0, 5)).unwrap();
        assert_eq!(b.batch_count(), 0);
        assert!(b.next().is_none());
    }
}
