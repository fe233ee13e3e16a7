//! The request parser: inline commands, multibulk framing, Redis's limits, and the protocol errors that close
//! the connection (the `!raw` lines report whether it stayed open). Limits from Redis 7.0's networking.c:
//! multibulk count <= INT_MAX, bulk length <= proto-max-bulk-len (512 MB), a line without its CRLF may not
//! pass 64 KB; before AUTH (requirepass set) a multibulk may have 10 arguments and a bulk 16384 bytes.

use super::{diff_script, diff_script_with};
use crate::support::ServerOptions;

/// One byte past PROTO_INLINE_MAX_SIZE (64 KB) and then some, never terminated.
fn oversized_line() -> String {
    "1".repeat(65 * 1024)
}

fn with_password() -> ServerOptions {
    ServerOptions { requirepass: Some("pw".into()) }
}

#[test]
fn inline_commands_are_split_like_redis_cli() {
    diff_script(
        "inline_commands",
        r#"
        !raw PING\r\n
        !raw PING\n
        !raw \x20 PING \x20\r\n
        !raw SET "a b" 'c'\r\n
        GET "a b"
        !raw ECHO "\\x41\\n\\t\\"q\\""\r\n
        !raw ECHO 'it\\'s'\r\n
        !raw ECHO "\\xZZ"\r\n
        # Empty lines are no command at all.
        !raw \r\n
        !raw \n
        !raw PING\r\nECHO two\r\n
        !raw FOO bar baz\r\n
        "#,
    );
}

#[test]
fn a_nul_byte_hides_the_end_of_an_inline_request() {
    // Redis looks for the inline newline with strchr, which stops at a NUL: the request never ends, and
    // everything after it waits for the 64 KB limit.
    diff_script(
        "inline_nul",
        r#"
        !raw \x00\r\n
        !raw PING\r\n
        !reconnect
        !raw PI\x00NG\r\n
        "#,
    );
}

#[test]
fn unbalanced_inline_quotes_close_the_connection() {
    diff_script(
        "unbalanced_quotes",
        r#"
        !raw GET "a\r\n
        !raw GET 'a\r\n
        !raw ECHO "a"b\r\n
        !raw ECHO 'a'b\r\n
        PING
        "#,
    );
}

#[test]
fn multibulk_count_is_limited_to_int_max() {
    diff_script(
        "multibulk_count",
        r#"
        # Accepted: the server waits for the arguments.
        !raw *2147483647\r\n
        !reconnect
        !raw *1048577\r\n
        !reconnect
        !raw *2147483648\r\n
        !raw *\r\n
        !raw *abc\r\n
        !raw *1x\r\n
        !raw *-1x\r\n
        # Zero and negative counts are empty requests, skipped.
        !raw *0\r\n
        !raw *-5\r\n
        !raw *-5\r\nPING\r\n
        !raw *-1\r\n*0\r\nECHO ok\r\n
        "#,
    );
}

#[test]
fn bulk_length_errors_close_the_connection() {
    diff_script(
        "bulk_length",
        r#"
        !raw *1\r\n$536870912\r\n
        !reconnect
        !raw *1\r\n$536870913\r\n
        !raw *1\r\n$-1\r\n
        !raw *1\r\n$abc\r\n
        !raw *1\r\n$\r\n
        !raw *1\r\nx\r\n
        !raw *2\r\n$4\r\nECHO\r\n:1\r\n
        !raw *1\r\n$0\r\n\r\n
        !raw *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n
        GET k
        "#,
    );
}

#[test]
fn requests_may_arrive_in_pieces() {
    diff_script(
        "split_requests",
        r#"
        !raw *1\r\n$4\r\nPI
        !raw NG\r\n
        !raw *2\r\n$4\r\nECHO\r\n
        !raw $3\r\nabc\r\n
        !raw PI
        !raw NG\r\n
        # An unfinished header is not yet an error: only its completion is.
        !raw *1\r\nx
        !raw \r\n
        "#,
    );
}

#[test]
fn bulk_payload_is_followed_by_two_unchecked_bytes() {
    // Redis skips the two bytes after a bulk payload without checking they are CRLF.
    diff_script(
        "bulk_terminator",
        r#"
        !raw *1\r\n$3\r\nPINGx\r\n
        !raw *2\r\n$4\r\nECHO\r\n$2\r\nabXY
        PING
        "#,
    );
}

#[test]
fn pipelined_replies_precede_a_protocol_error() {
    diff_script(
        "pipeline_then_error",
        r#"
        !raw PING\r\nSET k v\r\n*abc\r\nGET k\r\n
        GET k
        "#,
    );
}

#[test]
fn lines_longer_than_64k_without_newline_are_rejected() {
    let line = oversized_line();
    diff_script(
        "too_big_lines",
        &format!(
            r#"
            !raw {line}
            !raw *{line}
            !raw *1\r\n${line}
            !raw *2\r\n$4\r\nECHO\r\n${line}
            PING
            "#
        ),
    );
}

#[test]
fn unauthenticated_clients_get_tighter_limits() {
    let line = oversized_line();
    diff_script_with(
        "unauthenticated_limits",
        &with_password(),
        &format!(
            r#"
            !raw *11\r\n
            !raw *10\r\n
            !reconnect
            !raw *2147483648\r\n
            !raw *1\r\n$16385\r\n
            !raw *1\r\n$16384\r\n
            !reconnect
            !raw *1\r\n$536870913\r\n
            !raw *-5\r\nPING\r\n
            # Inline requests have no argument limit; unknown commands fail before NOAUTH.
            !raw a b c d e f g h i j k l\r\n
            !raw ECHO 1 2 3 4 5 6 7 8 9 10 11\r\n
            !raw {line}
            !raw GET "a\r\n
            AUTH pw
            !raw *11\r\n
            !reconnect
            AUTH pw
            !raw *1\r\n$16385\r\n
            "#
        ),
    );
}

#[test]
fn auth_in_a_pipeline_lifts_the_limits_for_the_next_request() {
    diff_script_with(
        "auth_then_big_request",
        &with_password(),
        r#"
        !raw AUTH pw\r\n*11\r\n
        !reconnect
        !raw AUTH wrong\r\n*11\r\n
        "#,
    );
}

#[test]
fn the_unexpected_byte_of_a_bulk_header_is_shown_as_redis_shows_it() {
    // `%c` writes the byte raw; CR and LF become spaces (the error must stay one line). A NUL cannot get
    // there: it hides the header's CR, so the request waits.
    diff_script(
        "expected_dollar_bytes",
        r#"
        !raw *1\r\n\x80\r\n
        !raw *1\r\n\xff\r\n
        !raw *1\r\n\x01\r\n
        !raw *1\r\n\r\r\n
        !raw *1\r\n\n\r\n
        !raw *1\r\n\x00\r\n
        "#,
    );
}

#[test]
fn inline_words_end_only_where_sdssplitargs_ends_them() {
    // isspace (\v and \f too) separates words and may follow a closing quote, but only space, \t, \r and \n
    // end an unquoted word.
    diff_script(
        "inline_vertical_tab",
        r#"
        !raw ECHO a\x0bb\r\n
        !raw ECHO a\x0cb\r\n
        !raw ECHO \x0b\x0ca\x0b\r\n
        !raw ECHO "a"\x0bb\r\n
        !raw ECHO 'a'\x0c\r\n
        !raw a\x0bb\r\n
        !raw ECHO a\tb\r\n
        "#,
    );
}

#[test]
fn names_in_error_texts_end_at_a_nul_byte() {
    // Redis formats user text with %s: a NUL ends it. Other bytes are copied raw.
    diff_script(
        "error_names_nul",
        r#"
        !raw *3\r\n$5\r\nab\x00cd\r\n$3\r\nx\x00y\r\n$1\r\nz\r\n
        !raw *1\r\n$4\r\nGET\x00\r\n
        !raw *1\r\n$2\r\n\xff\xfe\r\n
        !raw *2\r\n$6\r\nCONFIG\r\n$4\r\nGE\x00T\r\n
        !raw *3\r\n$6\r\nCONFIG\r\n$4\r\nGE\x00T\r\n$1\r\nx\r\n
        !raw *2\r\n$6\r\nCONFIG\r\n$2\r\n\x80\x00\r\n
        !raw *2\r\n$6\r\nOBJECT\r\n$3\r\nx\x00y\r\n
        !raw *1\r\n$3\r\nGET\r\n
        !raw *2\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n
        !raw *4\r\n$6\r\nCLIENT\r\n$4\r\nLIST\r\n$4\r\nTYPE\r\n$4\r\nab\x00c\r\n
        !raw *4\r\n$6\r\nCLIENT\r\n$4\r\nLIST\r\n$4\r\nTYPE\r\n$2\r\n\xffa\r\n
        !raw *3\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nfo\x00o\r\n
        !raw *3\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$1\r\n\xff\r\n
        !raw *4\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$2\r\n10\r\n$3\r\nN\x00X\r\n
        !raw *4\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$2\r\n10\r\n$1\r\n\xff\r\n
        # Text that ends an error has CR and LF trimmed off its end (inside, they become spaces).
        !raw *4\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$2\r\n10\r\n$6\r\n\r\nab\r\n\r\n
        !raw *3\r\n$4\r\nEVAL\r\n$44\r\nreturn redis.call('expire','k','1','\\nab\\n')\r\n$1\r\n0\r\n
        !raw *4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$4\r\nUSER\r\n$3\r\nn\x00o\r\n
        !raw *4\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$4\r\nUSER\r\n$1\r\n\xff\r\n
        !raw *2\r\n$3\r\na\rb\r\n$3\r\nc\nd\r\n
        !raw *2\r\n$6\r\nDEBUG\r\n$4\r\nfo\x00o\r\n
        !raw *4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$4\r\nfo\x00o\r\n$1\r\nx\r\n
        !raw *4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$2\r\n\xffa\r\n$1\r\nx\r\n
        !raw *6\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$2\r\nhz\r\n$2\r\n10\r\n$1\r\n\xe9\r\n$1\r\nx\r\n
        "#,
    );
}
