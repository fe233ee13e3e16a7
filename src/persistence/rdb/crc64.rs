//! Redis's CRC-64 (crc64.c: the Jones polynomial, reflected, init 0, no final xor): the checksum closing an RDB
//! file and a DUMP payload. Table-driven, one byte at a time; the table is built at compile time.

/// The Jones polynomial 0xad93d23594c935a9, bit-reversed (the reflected form the byte-wise loop uses).
const POLY: u64 = 0x95ac_9329_ac4b_c9b5;

const TABLE: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ POLY } else { crc >> 1 };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// Continues `crc` over `data` (start with 0), as Redis's `crc64(crc, data, len)`.
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    for &byte in data {
        crc = TABLE[((crc ^ u64::from(byte)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_test_vectors() {
        // crc64.c's own test: crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
        // Continuing equals one pass.
        assert_eq!(crc64(crc64(0, b"1234"), b"56789"), crc64(0, b"123456789"));
    }

    #[test]
    fn closes_redis_dump_payloads() {
        // DUMP of `SET s1 12345` and `SET s4 short` on redis-server 7.0.15: the last 8 bytes are the CRC-64
        // (little endian) of everything before them.
        for hex in ["00c139300a009d94ea2793fc08b9", "000573686f72740a00c47ccd5215235c12"] {
            let payload = super::super::lzf::tests::unhex(hex);
            let (body, crc) = payload.split_at(payload.len() - 8);
            assert_eq!(crc64(0, body).to_le_bytes(), crc, "{hex}");
        }
    }
}
