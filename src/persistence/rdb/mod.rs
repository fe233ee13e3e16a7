//! Redis's RDB format: the pieces its files and DUMP payloads are made of: the checksum (`crc64`), the string
//! compression (`lzf`) and the writing of values (`encode`: DUMP, DEBUG OBJECT's serializedlength). The reader,
//! RESTORE and RDB files build on them (issue 17).

pub mod crc64;
// For RESTORE and the RDB loader (issue 17); tested now.
#[allow(dead_code)]
pub mod decode;
pub mod encode;
pub mod lzf;
