//! Connection commands: PING, ECHO, SELECT, HELLO, CLIENT, RESET, QUIT, and how unknown commands and wrong
//! arities are reported.

use super::{diff_resp3_script, diff_script, diff_script_with};
use crate::support::ServerOptions;

#[test]
fn ping_and_echo() {
    diff_script(
        "ping_echo",
        r#"
        PING
        ping
        PING hello
        PING "a b"
        PING ""
        PING a b
        ECHO hi
        ECHO ""
        ECHO "\x00\xff\r\n"
        ECHO
        ECHO a b
        "#,
    );
}

#[test]
fn unknown_commands_and_wrong_arity() {
    diff_script(
        "unknown_and_arity",
        r#"
        FOO
        FOO bar
        foo bar "baz qux" ''
        FOO a b c d e f g h i j k l m n o p q r s t u v w x y z
        FOO aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        "FOO\r\nBAR" "x\ny"
        ""
        GET
        SET k
        get
        GETRANGE k 0
        CLIENT
        CLIENT FOO
        client foo bar
        OBJECT FOO
        CONFIG FOO
        COMMAND FOO
        "#,
    );
}

#[test]
fn select_checks_the_index() {
    diff_script(
        "select",
        r#"
        SELECT 0
        SELECT 15
        SET k in15
        SELECT 16
        SELECT -1
        SELECT abc
        SELECT 1.5
        SELECT " 1"
        SELECT 99999999999999999999
        SELECT
        SELECT 1 2
        GET k
        SELECT 0
        GET k
        SELECT 15
        GET k
        "#,
    );
}

#[test]
fn hello_negotiates_the_protocol() {
    diff_script(
        "hello",
        r#"
        ~ HELLO
        ~ HELLO 2
        HELLO 4
        HELLO 1
        HELLO 0
        HELLO -1
        HELLO abc
        # The default user has no password: any password is accepted.
        ~ HELLO 3 AUTH default pw
        HELLO 2 AUTH default
        HELLO 2 AUTH
        HELLO 2 SETNAME
        HELLO 2 SETNAME "bad name"
        HELLO 2 FOO
        ~ HELLO 2 SETNAME conn1
        CLIENT GETNAME
        ~ HELLO 3
        PING
        GET missing
        ~ HELLO
        ~ HELLO 2
        GET missing
        "#,
    );
}

#[test]
fn client_name_id_and_flags() {
    diff_script(
        "client_name",
        r#"
        CLIENT GETNAME
        CLIENT SETNAME foo
        CLIENT GETNAME
        CLIENT SETNAME "a b"
        CLIENT SETNAME "a\nb"
        CLIENT GETNAME
        CLIENT SETNAME ""
        CLIENT GETNAME
        CLIENT SETNAME
        CLIENT SETNAME a b
        CLIENT GETNAME x
        ~ CLIENT ID
        CLIENT ID x
        CLIENT NO-EVICT on
        CLIENT NO-EVICT OFF
        CLIENT NO-EVICT maybe
        CLIENT NO-EVICT
        # CLIENT SETINFO is answered as Redis 7.2 does (clients send it at connect), so it is not compared with
        # the 7.0 oracle here: see integration::connections::client_setinfo_is_answered_as_redis_7_2.
        "#,
    );
}

#[test]
fn reset_restores_a_fresh_connection() {
    diff_script(
        "reset",
        r#"
        SELECT 3
        SET k in3
        CLIENT SETNAME named
        ~ HELLO 3
        RESET
        CLIENT GETNAME
        GET k
        GET missing
        RESET extra
        "#,
    );
}

#[test]
fn quit_closes_the_connection() {
    diff_script(
        "quit",
        r#"
        SET k v
        QUIT
        PING
        GET k
        QUIT extra
        PING
        "#,
    );
}

#[test]
fn resp3_replies_of_connection_commands() {
    diff_resp3_script(
        "connection_resp3",
        r#"
        PING
        PING hi
        ECHO hi
        CLIENT GETNAME
        CLIENT SETNAME n
        CLIENT GETNAME
        ~ CLIENT ID
        FOO bar
        SELECT 99
        ~ HELLO 2
        GET missing
        ~ HELLO 3
        GET missing
        RESET
        GET missing
        "#,
    );
}

#[test]
fn authentication_with_requirepass() {
    diff_script_with(
        "requirepass",
        &ServerOptions { requirepass: Some("pw".into()) },
        r#"
        PING
        GET k
        FOO bar
        HELLO
        HELLO 3
        HELLO 2 AUTH default wrong
        AUTH wrong
        AUTH foo pw
        AUTH a b c
        PING
        AUTH default pw
        PING
        RESET
        PING
        AUTH pw
        CLIENT SETNAME x
        RESET
        CLIENT GETNAME
        ~ HELLO 2 AUTH default pw
        ~ HELLO 3 AUTH default pw SETNAME conn1
        CLIENT GETNAME
        QUIT
        "#,
    );
}
