//! The request parser (RESP multibulk + inline): never panics, never allocates by a claimed length
//! (`-malloc_limit_mb` catches that), and parsing the input in two pieces yields what parsing it whole does.
#![no_main]

use embedis::internals::protocol::{Limits, Next, RequestParser};
use libfuzzer_sys::fuzz_target;

/// Commands and the final state from feeding `data` in pieces cut at `cuts`, as a connection receives them.
fn parse_in_pieces(data: &[u8], cuts: &[usize], limits: &Limits) -> (Vec<Vec<Vec<u8>>>, Next) {
    let mut parser = RequestParser::new();
    let mut buf = Vec::new();
    let mut commands = Vec::new();
    let mut fed = 0;
    for &cut in cuts.iter().chain(std::iter::once(&data.len())) {
        buf.extend_from_slice(&data[fed..cut]);
        fed = cut;
        loop {
            match parser.parse(&buf, limits) {
                Next::Command => {
                    let mut argv = Vec::new();
                    parser.argv(&buf, &mut argv);
                    commands.push(argv.iter().map(|a| a.to_vec()).collect());
                }
                Next::Incomplete => break,
                error @ Next::Error(_) => return (commands, error),
            }
        }
        let consumed = parser.take_consumed();
        buf.drain(..consumed);
    }
    (commands, Next::Incomplete)
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, data)) = input.split_first() else { return };
    let limits = Limits { max_bulk: 512 << 20, unauthenticated: control & 1 == 1 };
    let whole = parse_in_pieces(data, &[], &limits);
    // Inputs stay far below the 64 KB line limit, the only rule that depends on how input is cut.
    let cut = (control as usize >> 1) * data.len() / 128;
    let pieces = parse_in_pieces(data, &[cut.min(data.len())], &limits);
    assert_eq!(whole, pieces, "cut at {cut}");
});
