//! FNV-1a (64-bit): a small, fast, non-cryptographic hash, for short keys and for telling
//! texts apart. Not for keys an attacker chooses: it does not resist flooding.

/// An FNV-1a [`std::hash::Hasher`].
pub(crate) struct Fnv(u64);

/// A `HashMap` hasher building [`Fnv`].
pub(crate) type BuildFnv = std::hash::BuildHasherDefault<Fnv>;

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0100_0000_01b3;

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(OFFSET)
    }
}

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = bytes
            .iter()
            .fold(self.0, |hash, &b| (hash ^ b as u64).wrapping_mul(PRIME));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The FNV-1a hash of `bytes`; `const`, so an embedded text's hash costs nothing at run time.
pub(crate) const fn hash(bytes: &[u8]) -> u64 {
    let mut h = OFFSET;
    let mut i = 0;
    while i < bytes.len() {
        h = (h ^ bytes[i] as u64).wrapping_mul(PRIME);
        i += 1;
    }
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_values() {
        // From the FNV reference (draft-eastlake-fnv), 64-bit FNV-1a.
        assert_eq!(super::hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::hash(b"foobar"), 0x8594_4171_f739_67e8);
        let mut h = super::Fnv::default();
        std::hash::Hasher::write(&mut h, b"foobar");
        assert_eq!(std::hash::Hasher::finish(&h), 0x8594_4171_f739_67e8);
    }
}
