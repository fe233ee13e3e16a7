//! LZF (liblzf 3.6 as Redis bundles it: lzf_c.c, lzf_d.c): how RDB files and DUMP payloads compress strings
//! longer than 20 bytes. The compressor follows Redis's build (HLOG 16, VERY_FAST, offsets in the hash table), so
//! the same input gives Redis's bytes; Redis leaves its hash table uninitialized, which can, rarely, let it find a
//! match a fresh table does not: both outputs decompress to the same string.

/// Literal runs are at most 32 bytes; back references reach 8 KB back and copy up to 264 bytes.
const MAX_LIT: usize = 1 << 5;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);
const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;

/// VERY_FAST's hash of the three bytes in `h`.
fn idx(h: u32) -> usize {
    ((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// The compressor's hash table (input offsets by hash of 3 bytes), kept per thread between calls: each entry
/// carries the call that wrote it (upper 32 bits), so entries of earlier calls read as empty without clearing
/// 64K slots per call.
struct HashTable {
    call: u32,
    slots: Vec<u64>,
}

impl HashTable {
    fn new() -> HashTable {
        HashTable { call: 0, slots: vec![0; HSIZE] }
    }

    /// A new call: every slot empty.
    fn begin(&mut self) {
        self.call = self.call.wrapping_add(1);
        if self.call == 0 {
            self.slots.fill(0);
            self.call = 1;
        }
    }

    /// The offset in `slot` (0: none, as a fresh table).
    fn get(&self, slot: usize) -> usize {
        let entry = self.slots[slot];
        if (entry >> 32) as u32 == self.call {
            entry as u32 as usize
        } else {
            0
        }
    }

    fn set(&mut self, slot: usize, offset: usize) {
        self.slots[slot] = (u64::from(self.call) << 32) | u64::from(offset as u32);
    }
}

thread_local! {
    static TABLE: std::cell::RefCell<HashTable> = std::cell::RefCell::new(HashTable::new());
}

/// `lzf_compress(input, out_len = input.len() - 4)` as Redis's rdbSaveLzfStringObject calls it: the compressed
/// bytes, or None when they would not save at least 4 bytes (Redis then stores the string as it is).
pub fn compress(input: &[u8]) -> Option<Vec<u8>> {
    TABLE.with(|table| match table.try_borrow_mut() {
        Ok(mut table) => compress_with(&mut table, input),
        Err(_) => compress_with(&mut HashTable::new(), input),
    })
}

fn compress_with(htab: &mut HashTable, input: &[u8]) -> Option<Vec<u8>> {
    let out_len = input.len().checked_sub(4)?;
    let in_len = input.len();
    if in_len == 0 || out_len == 0 {
        return None;
    }
    let mut out = vec![0u8; out_len];
    htab.begin();
    let (mut ip, mut op) = (0usize, 1usize);
    let mut lit = 0usize;
    let first = |p: usize| (u32::from(input[p]) << 8) | u32::from(input[p + 1]);
    let next = |v: u32, p: usize| (v << 8) | u32::from(input[p + 2]);
    let mut hval = if in_len >= 2 { first(ip) } else { 0 };
    while in_len >= 3 && ip < in_len - 2 {
        hval = next(hval, ip);
        let slot = idx(hval);
        let r = htab.get(slot);
        htab.set(slot, ip);
        // ref > in_data (a slot never written is offset 0) and within reach, with three equal bytes.
        let off = ip.wrapping_sub(r).wrapping_sub(1);
        if r > 0 && off < MAX_OFF && input[r + 2] == input[ip + 2] && input[r..r + 2] == input[ip..ip + 2] {
            let mut len = 2;
            let maxlen = (in_len - ip - len).min(MAX_REF);
            if op + 3 + 1 >= out_len && op - usize::from(lit == 0) + 3 + 1 >= out_len {
                return None;
            }
            *out.get_mut(op - lit - 1)? = (lit as u8).wrapping_sub(1);
            op -= usize::from(lit == 0);
            // lzf_c.c's loop, quirks included: with more than 16 bytes to go it compares 16 bytes unrolled (no
            // length check), then its do-while counts one more byte before checking the limit.
            let mut mismatch = false;
            if maxlen > 16 {
                for _ in 0..16 {
                    len += 1;
                    if input[r + len] != input[ip + len] {
                        mismatch = true;
                        break;
                    }
                }
            }
            if !mismatch {
                loop {
                    len += 1;
                    if !(len < maxlen && input[r + len] == input[ip + len]) {
                        break;
                    }
                }
            }
            len -= 2;
            ip += 1;
            if len < 7 {
                *out.get_mut(op)? = ((off >> 8) + (len << 5)) as u8;
                op += 1;
            } else {
                *out.get_mut(op)? = ((off >> 8) + (7 << 5)) as u8;
                *out.get_mut(op + 1)? = (len - 7) as u8;
                op += 2;
            }
            *out.get_mut(op)? = off as u8;
            op += 1;
            lit = 0;
            op += 1;
            ip += len + 1;
            if ip >= in_len - 2 {
                break;
            }
            // VERY_FAST: the two positions just before the new one enter the table too.
            ip -= 2;
            hval = first(ip);
            hval = next(hval, ip);
            htab.set(idx(hval), ip);
            ip += 1;
            hval = next(hval, ip);
            htab.set(idx(hval), ip);
            ip += 1;
        } else {
            if op >= out_len {
                return None;
            }
            push_literal(&mut out, &mut op, &mut lit, input[ip])?;
            ip += 1;
        }
    }
    if op + 3 > out_len {
        return None;
    }
    while ip < in_len {
        push_literal(&mut out, &mut op, &mut lit, input[ip])?;
        ip += 1;
    }
    *out.get_mut(op - lit - 1)? = (lit as u8).wrapping_sub(1);
    op -= usize::from(lit == 0);
    out.truncate(op);
    Some(out)
}

/// Appends one literal byte to the run being built; a full run (32 bytes) is closed and a new one started.
/// None if the output is full (the caller then gives up compressing).
fn push_literal(out: &mut [u8], op: &mut usize, lit: &mut usize, byte: u8) -> Option<()> {
    *out.get_mut(*op)? = byte;
    *op += 1;
    *lit += 1;
    if *lit == MAX_LIT {
        *out.get_mut(*op - *lit - 1)? = (*lit - 1) as u8;
        *lit = 0;
        *op += 1;
    }
    Some(())
}

/// For the RDB reader (issue 17); tested now against Redis's bytes.
#[allow(dead_code)]
/// `lzf_decompress` into exactly `len` bytes (the length the RDB stores beside the data). None for data that
/// is not LZF or does not decompress to `len` bytes; `len` must already be checked against a limit.
pub fn decompress(data: &[u8], len: usize) -> Option<Vec<u8>> {
    // Written in place into a buffer of the promised size (the caller bounded it by what the input can hold).
    let mut out = vec![0u8; len];
    let (mut ip, mut op) = (0, 0);
    while ip < data.len() {
        let ctrl = usize::from(data[ip]);
        ip += 1;
        if ctrl < 32 {
            // A literal run of ctrl + 1 bytes.
            let run = data.get(ip..ip + ctrl + 1)?;
            out.get_mut(op..op + run.len())?.copy_from_slice(run);
            op += run.len();
            ip += ctrl + 1;
        } else {
            // A back reference: 3 bits (or an extra byte) of length, 13 bits of offset.
            let mut count = ctrl >> 5;
            if count == 7 {
                count += usize::from(*data.get(ip)?);
                ip += 1;
            }
            let off = ((ctrl & 0x1f) << 8) + usize::from(*data.get(ip)?) + 1;
            ip += 1;
            let from = op.checked_sub(off)?;
            let n = count + 2;
            if op + n > len {
                return None;
            }
            if off >= n {
                out.copy_within(from..from + n, op);
            } else {
                // Overlapping: each byte may be one this reference just wrote (a run of a short pattern).
                for i in 0..n {
                    out[op + i] = out[from + i];
                }
            }
            op += n;
        }
    }
    (op == len).then_some(out)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::persistence::rdb) fn unhex(hex: &str) -> Vec<u8> {
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
    }

    /// DUMP payloads of redis-server 7.0.15 for LZF-compressed strings: (value, compressed bytes in the payload).
    fn redis_cases() -> Vec<(Vec<u8>, Vec<u8>)> {
        let s3 =
            b"hello world, hello world, hello world, this is a test of the lzf compressor in redis 7.0 - hello world";
        // The payload: type 0, 0xc3 (LZF), compressed length, original length, the compressed bytes, RDB
        // version, CRC-64.
        let p2 = unhex("00c3094064016161e057000161610a00e8a3b507b06df271");
        let p3 = unhex(
            "00c3404c40660d68656c6c6f20776f726c642c2068e0100c047468697320200208612074657374206f6620111665206c7a66\
             20636f6d70726573736f7220696e20726564202504372e30202de0014d016c640a008da54a41136db6db",
        );
        vec![(vec![b'a'; 100], p2[5..14].to_vec()), (s3.to_vec(), p3[6..6 + 76].to_vec())]
    }

    #[test]
    fn compresses_to_redis_bytes_and_back() {
        for (value, compressed) in redis_cases() {
            assert_eq!(compress(&value).as_deref(), Some(&compressed[..]), "{}", String::from_utf8_lossy(&value));
            assert_eq!(decompress(&compressed, value.len()).as_deref(), Some(&value[..]));
        }
    }

    #[test]
    fn incompressible_input_is_left_as_it_is() {
        assert_eq!(compress(b""), None);
        assert_eq!(compress(b"a"), None);
        let noise: Vec<u8> = (0..200u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        if let Some(c) = compress(&noise) {
            assert!(c.len() < noise.len());
            assert_eq!(decompress(&c, noise.len()), Some(noise));
        }
    }

    /// Long inputs: back references near the 8 KB reach and at the 264-byte length limit, long literal runs.
    #[test]
    fn long_inputs_round_trip() {
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..40 {
            let n = rng.usize(8_000..120_000);
            let mut value = Vec::with_capacity(n);
            while value.len() < n {
                match rng.u8(0..3) {
                    // A copy of something 1 to 9,000 bytes back (sometimes out of reach).
                    0 if value.len() > 10 => {
                        let back = rng.usize(1..value.len().min(9_000));
                        let len = rng.usize(1..600).min(back);
                        let start = value.len() - back;
                        for i in 0..len {
                            value.push(value[start + i]);
                        }
                    }
                    1 => value.extend(std::iter::repeat_n(rng.u8(..), rng.usize(1..400))),
                    _ => value.extend((0..rng.usize(1..100)).map(|_| rng.u8(..))),
                }
            }
            if let Some(c) = compress(&value) {
                assert_eq!(decompress(&c, value.len()).as_deref(), Some(&value[..]));
            }
        }
    }

    #[test]
    fn round_trips_and_rejects_bad_data() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..2000 {
            let n = rng.usize(1..3000);
            // Few distinct bytes (much to compress) up to any byte (little).
            let alphabet = [1, 2, 3, 5, 8, 255][rng.usize(0..6)];
            let value: Vec<u8> = (0..n).map(|_| b'a'.wrapping_add(rng.u8(0..alphabet))).collect();
            if let Some(c) = compress(&value) {
                assert_eq!(decompress(&c, value.len()).as_deref(), Some(&value[..]));
                assert_eq!(decompress(&c, value.len() + 1), None, "wrong length");
                assert_eq!(decompress(&c[..c.len() - 1], value.len()), None, "truncated");
            }
        }
        // A back reference before the start, a literal past the end.
        assert_eq!(decompress(&[0x20, 0x05], 10), None);
        assert_eq!(decompress(&[0x05, b'a'], 6), None);
    }
}
