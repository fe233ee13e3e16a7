//! Turns a raw reply into the form that is compared, per the line's markers (shape only, sorted, masked).
//! Replies were already framed by redis-protocol's decoder, so this parser only splits valid RESP.

use super::script::Check;

/// A reply split into its RESP parts: the type byte, the rest of the first line, and a blob payload or
/// aggregate children.
#[derive(Clone, Debug)]
struct Node {
    kind: u8,
    head: Vec<u8>,
    blob: Option<Vec<u8>>,
    children: Vec<Node>,
}

/// The bytes to compare for `reply` under `check`: the reply itself when no marker applies.
pub fn compared_form(reply: &[u8], check: &Check) -> Vec<u8> {
    if !check.shape_only && !check.sorted && check.masks.is_empty() {
        return reply.to_vec();
    }
    let Some((mut node, _)) = parse(reply) else {
        return reply.to_vec(); // Not RESP: compared as is, and reported as such.
    };
    for text in &check.masks {
        mask(&mut node, text.as_bytes());
    }
    if check.sorted {
        sort(&mut node);
    }
    if check.shape_only {
        return format!("shape {}", shape(&node)).into_bytes();
    }
    render(&node)
}

fn parse(bytes: &[u8]) -> Option<(Node, usize)> {
    let line_end = bytes.windows(2).position(|pair| pair == b"\r\n")?;
    let kind = *bytes.first()?;
    let head = bytes[1..line_end].to_vec();
    let mut pos = line_end + 2;
    let mut node = Node { kind, head, blob: None, children: Vec::new() };
    let len = std::str::from_utf8(&node.head).ok().and_then(|text| text.parse::<i64>().ok());
    match (kind, len) {
        (b'$' | b'!' | b'=', Some(len)) if len >= 0 => {
            let len = len as usize;
            node.blob = Some(bytes.get(pos..pos + len)?.to_vec());
            pos += len + 2;
        }
        (b'*' | b'~' | b'>' | b'%' | b'|', Some(count)) if count >= 0 => {
            let children = if matches!(kind, b'%' | b'|') { count * 2 } else { count };
            for _ in 0..children {
                let (child, used) = parse(&bytes[pos..])?;
                node.children.push(child);
                pos += used;
            }
        }
        _ => {} // A one-line reply, or a RESP2 null ($-1, *-1).
    }
    Some((node, pos))
}

fn render(node: &Node) -> Vec<u8> {
    let mut out = vec![node.kind];
    out.extend_from_slice(&node.head);
    out.extend_from_slice(b"\r\n");
    if let Some(blob) = &node.blob {
        out.extend_from_slice(blob);
        out.extend_from_slice(b"\r\n");
    }
    for child in &node.children {
        out.extend(render(child));
    }
    out
}

/// Replaces the digits that follow each occurrence of `text` with `#`, in every string of the reply.
fn mask(node: &mut Node, text: &[u8]) {
    match &mut node.blob {
        Some(blob) => {
            *blob = mask_digits_after(blob, text);
            node.head = blob.len().to_string().into_bytes();
        }
        None if matches!(node.kind, b'+' | b'-') => node.head = mask_digits_after(&node.head, text),
        None => {}
    }
    for child in &mut node.children {
        mask(child, text);
    }
}

fn mask_digits_after(bytes: &[u8], text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if !text.is_empty() && bytes[i..].starts_with(text) {
            out.extend_from_slice(text);
            i += text.len();
            let digits = bytes[i..].iter().take_while(|byte| byte.is_ascii_digit()).count();
            if digits > 0 {
                out.push(b'#');
            }
            i += digits;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Sorts every aggregate's elements (a map's entries as key/value pairs), innermost first.
fn sort(node: &mut Node) {
    for child in &mut node.children {
        sort(child);
    }
    if matches!(node.kind, b'%' | b'|') {
        let mut pairs: Vec<Vec<Node>> = node.children.chunks(2).map(<[Node]>::to_vec).collect();
        pairs.sort_by_key(|pair| pair.iter().flat_map(render).collect::<Vec<u8>>());
        node.children = pairs.into_iter().flatten().collect();
    } else {
        node.children.sort_by_key(render);
    }
}

/// Types and aggregate lengths only, e.g. `*2[$ :]`; nulls stay visible (`$-1`, `_`).
fn shape(node: &Node) -> String {
    let kind = node.kind as char;
    let is_null = node.head == b"-1";
    match node.kind {
        b'*' | b'~' | b'>' | b'%' | b'|' if !is_null => {
            let children: Vec<String> = node.children.iter().map(shape).collect();
            format!("{kind}{}[{}]", children.len(), children.join(" "))
        }
        b'$' | b'*' if is_null => format!("{kind}-1"),
        _ => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(shape_only: bool, sorted: bool, masks: &[&str]) -> Check {
        Check { shape_only, sorted, masks: masks.iter().map(|m| m.to_string()).collect() }
    }

    #[test]
    fn shape_keeps_types_and_lengths_only() {
        let reply = b"*3\r\n$3\r\nabc\r\n:5\r\n$-1\r\n";
        assert_eq!(compared_form(reply, &check(true, false, &[])), b"shape *3[$ : $-1]");
    }

    #[test]
    fn sorted_orders_nested_elements() {
        let scan = b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n";
        let other = b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n";
        let sorted = check(false, true, &[]);
        assert_eq!(compared_form(scan, &sorted), compared_form(other, &sorted));
    }

    #[test]
    fn mask_rewrites_digits_and_bulk_length() {
        let info = b"$23\r\ndb0:keys=1,avg_ttl=1234\r\n";
        assert_eq!(compared_form(info, &check(false, false, &["avg_ttl="])), b"$20\r\ndb0:keys=1,avg_ttl=#\r\n");
    }
}
