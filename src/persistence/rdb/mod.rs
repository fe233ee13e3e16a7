//! Redis's RDB format: its numbers (`format`), checksum (`crc64`), string compression (`lzf`), the compact blobs
//! values are saved as (`listpack`, `intset`, and the legacy `ziplist` and `zipmap`), writing values (`encode`:
//! DUMP, DEBUG OBJECT's serializedlength) and reading them back (`decode`, `object`: RESTORE, loading).

pub mod check;
pub mod crc64;
pub mod decode;
pub mod encode;
pub mod file;
pub mod format;
pub mod intset;
pub mod listpack;
pub mod lzf;
pub mod object;
pub mod state;
pub mod ziplist;
pub mod zipmap;
