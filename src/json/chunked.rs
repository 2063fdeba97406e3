//! An append-only list stored in fixed-size chunks.
//!
//! The reader's recorded children grow while the event is read, to a size
//! unknown in advance (18 MiB for a 100,000-task event). A `Vec` doubles:
//! while it copies, the old and the new block are both held, three times the
//! list at the worst moment, and WebAssembly memory never shrinks back from
//! that peak. Chunks never move, so the peak is the list itself.

const BITS: u32 = 12;
const CHUNK: usize = 1 << BITS;
const MASK: usize = CHUNK - 1;

#[derive(Debug, Clone)]
pub struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: Vec::new(), len: 0 }
    }
}

impl<T: Copy> Chunked<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn extend_from_slice(&mut self, mut xs: &[T]) {
        while !xs.is_empty() {
            if self.len & MASK == 0 {
                self.chunks.push(Vec::with_capacity(CHUNK));
            }
            let Some(last) = self.chunks.last_mut() else { return };
            let n = xs.len().min(CHUNK - last.len());
            last.extend_from_slice(&xs[..n]);
            self.len += n;
            xs = &xs[n..];
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> BITS)?.get(i & MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_vec_across_chunk_edges() {
        let mut c = Chunked::default();
        let mut v = Vec::new();
        for (i, n) in [1, 0, CHUNK - 2, 3, 2 * CHUNK + 7, 5].into_iter().enumerate() {
            let xs: Vec<usize> = (0..n).map(|k| k * 10 + i).collect();
            c.extend_from_slice(&xs);
            v.extend_from_slice(&xs);
            assert_eq!(c.len(), v.len());
        }
        for (i, x) in v.iter().enumerate() {
            assert_eq!(c.get(i), Some(x));
        }
        assert_eq!(c.get(v.len()), None);
        assert!(c.chunks.iter().all(|ch| ch.capacity() == CHUNK), "a chunk reallocated");
    }
}
