//! Redis's glob matcher (`stringmatchlen` in util.c), used by KEYS, SCAN MATCH, CONFIG GET and Pub/Sub patterns.
//!
//! Ported rule for rule rather than written from a glob spec, because clients depend on Redis's quirks: an
//! unterminated `[` matches up to the end of the pattern, `[z-a]` is the same range as `[a-z]`, ranges compare
//! bytes as C's signed `char`, and a `\` at the very end of the pattern matches a literal `\`.

/// Does `string` match `pattern`? Binary-safe.
pub fn matches(pattern: &[u8], string: &[u8]) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, false, &mut skip_longer, 0)
}

/// Case-insensitive variant (CONFIG GET uses it).
pub fn matches_nocase(pattern: &[u8], string: &[u8]) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, true, &mut skip_longer, 0)
}

fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn match_impl(pat: &[u8], s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: u32) -> bool {
    // Protection against abusive patterns, as Redis.
    if nesting > 1000 {
        return false;
    }
    let at = |i: usize| pat.get(i).copied().unwrap_or(0);
    let (mut p, mut i) = (0usize, 0usize);
    while p < pat.len() && i < s.len() {
        match pat[p] {
            b'*' => {
                while p + 1 < pat.len() && pat[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pat.len() {
                    return true;
                }
                while i < s.len() {
                    if match_impl(&pat[p + 1..], &s[i..], nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    i += 1;
                }
                // No match for the rest of the pattern anywhere in the rest of the string: an earlier `*`
                // matching more cannot help either.
                *skip_longer = true;
                return false;
            }
            b'?' => i += 1,
            b'[' => {
                p += 1;
                let negate = at(p) == b'^';
                if negate {
                    p += 1;
                }
                let c = s[i];
                let mut matched = false;
                loop {
                    if at(p) == b'\\' && pat.len() - p >= 2 {
                        p += 1;
                        if pat[p] == c {
                            matched = true;
                        }
                    } else if at(p) == b']' {
                        break;
                    } else if p >= pat.len() {
                        // Unterminated class: step back so the outer loop ends on the last byte.
                        p -= 1;
                        break;
                    } else if pat.len() - p >= 3 && pat[p + 1] == b'-' {
                        // C compares `char`, which is signed on the platforms Redis ships on.
                        let mut start = fold(pat[p], nocase) as i8;
                        let mut end = fold(pat[p + 2], nocase) as i8;
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        let ch = fold(c, nocase) as i8;
                        p += 2;
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if fold(pat[p], nocase) == fold(c, nocase) {
                        matched = true;
                    }
                    p += 1;
                }
                if negate {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                i += 1;
            }
            b => {
                let mut b = b;
                if b == b'\\' && pat.len() - p >= 2 {
                    p += 1;
                    b = pat[p];
                }
                if fold(b, nocase) != fold(s[i], nocase) {
                    return false;
                }
                i += 1;
            }
        }
        p += 1;
        if i == s.len() {
            while at(p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= pat.len() && i == s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        matches(p.as_bytes(), s.as_bytes())
    }

    #[test]
    fn stars_and_questions() {
        assert!(!m("*", ""), "Redis never matches an empty string (KEYS * special-cases it)");
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(!m("a*b*c", "aXXbYY"));
        assert!(m("user:*", "user:1"));
        assert!(!m("user:*", "session:1"));
        assert!(m("**", "x"));
        assert!(m("a**", "a"));
    }

    #[test]
    fn classes_ranges_and_negation() {
        assert!(m("h[ae]llo", "hello"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"), "reversed ranges are accepted as Redis does");
        assert!(m("[\\]]", "]"));
        assert!(m("[abc", "c"), "an unterminated class runs to the end of the pattern");
    }

    #[test]
    fn escapes_and_binary() {
        assert!(m("h\\*llo", "h*llo"));
        assert!(!m("h\\*llo", "hello"));
        assert!(m("a\\", "a\\"));
        assert!(matches(b"\xff*", b"\xff\x00\x01"));
        assert!(!matches(b"\x00", b"\x01"));
    }

    #[test]
    fn nocase() {
        assert!(matches_nocase(b"MAXMEM*", b"maxmemory"));
        assert!(!matches(b"MAXMEM*", b"maxmemory"));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let s = "a".repeat(30);
        assert!(!m("a*a*a*a*a*a*a*a*a*a*a*a*b", &s));
    }
}
