//! A fast, stable 64-bit content fingerprint (FNV-style over 8-byte words): names cache files,
//! detects changed catalog files and damaged index files. Not a cryptographic hash. Stable
//! across releases and platforms, unlike the standard library's hasher: fingerprints are stored.

pub(crate) fn fingerprint(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h ^ w).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(23);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^ data.len() as u64
}
