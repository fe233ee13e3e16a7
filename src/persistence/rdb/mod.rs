//! Redis's RDB format: the pieces its files and DUMP payloads are made of: the checksum (`crc64`), the string
//! compression (`lzf`) and the writing of lengths and strings (`encode`, which DEBUG OBJECT's serializedlength
//! uses already). The reader and writer of files and payloads build on them (issue 17).

// The checksum closes DUMP payloads and RDB files: used once those are written (issue 17); tested now.
#[allow(dead_code)]
pub mod crc64;
pub mod encode;
pub mod lzf;
