//! Will building an event fit in the memory left? In WebAssembly, memory is
//! 4 GiB at most and an allocation that fails there aborts the module, so a
//! large event is measured up front and refused with a typed error rather
//! than trapping midway. Natively there is no such ceiling to check.

use crate::error::Error;
use crate::json::pyjson;

/// Below this, nothing can come near any limit: not even counted.
const SMALL: usize = 64 << 20;

/// `Ok` when building `text` cannot take more than `limit` bytes of memory
/// given `in_use` already: the text, the body buffer (sized at 1.25x the rows'
/// text, or the worst-case escaped size if larger), the container tape as it
/// grows, and some room.
pub fn fits(text: &[u8], in_use: u64, limit: u64) -> Result<(), Error> {
    if text.len() < SMALL {
        return Ok(());
    }
    let mut escaped: u64 = 0;
    let mut containers: u64 = 0;
    for &b in text {
        containers += u64::from(b == b'{' || b == b'[');
        escaped += pyjson::max_python_bytes(b);
    }
    let len = text.len() as u64;
    let need = len + escaped.max(len + len / 4) + containers * 24 + (16 << 20);
    if in_use + need > limit {
        return Err(Error::event(
            "",
            format!(
                "the event ({} bytes) could need {} MiB of WebAssembly memory to build, more than the {} GiB a module can have: split it (planBatches with a smaller batchSize, or several events)",
                text.len(),
                need >> 20,
                limit >> 30
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_cannot_fit_and_counts_escapes() {
        let ascii = vec![b'a'; SMALL];
        assert!(fits(&ascii, 0, 4 << 30).is_ok());
        assert!(fits(&ascii, (4 << 30) - (100 << 20), 4 << 30).is_err());
        // Two-byte UTF-8 characters become six bytes each: 3x the text.
        let accents = "é".repeat(SMALL / 2).into_bytes();
        let e = fits(&accents, 0, 256 << 20).unwrap_err();
        assert!(e.message.contains("could need 272 MiB"), "{}", e.message);
    }
}
