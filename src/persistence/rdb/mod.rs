//! Redis's RDB format: the pieces its files and DUMP payloads are made of. For now the checksum (`crc64`) and
//! the string compression (`lzf`, which DEBUG OBJECT's serializedlength already uses); the reader and writer of
//! files and payloads build on them (issue 17).

// The checksum waits for the RDB reader and writer (issue 17); its tests check it against Redis's payloads.
#[allow(dead_code)]
pub mod crc64;
pub mod lzf;
