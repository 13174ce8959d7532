//! The language server's stdio. lsp-server's own transport stops reading at the
//! first framed message that is not JSON-RPC, and the server with it; an editor
//! (or a fuzzing client) that sends one must not take the server down, so this
//! one says so on stderr and reads on. Messages are framed as lsp-server frames
//! them (`Content-Length` headers), so only a broken header stops the reading.

use crossbeam_channel::{bounded, Sender};
use lsp_server::{Connection, Message};
use std::io::{self, BufRead};
use std::thread::JoinHandle;

/// The thread writing the server's messages to stdout.
pub struct Writer(JoinHandle<()>);

impl Writer {
    /// Waits until everything sent is written (the connection must be dropped first).
    pub fn join(self) {
        let _ = self.0.join();
    }
}

/// A connection on stdin and stdout.
pub fn stdio() -> (Connection, Writer) {
    let (sender, to_write) = bounded::<Message>(0);
    let writer = std::thread::spawn(move || {
        let stdout = io::stdout();
        let mut w = stdout.lock();
        for msg in to_write {
            if msg.write(&mut w).is_err() {
                return;
            }
        }
    });
    let (read, receiver) = bounded::<Message>(0);
    // Not joined: at the end it may still wait on stdin, which the process's exit closes.
    std::thread::spawn(move || {
        let stdin = io::stdin();
        read_all(&mut stdin.lock(), &read);
    });
    (Connection { sender, receiver }, Writer(writer))
}

/// Reads messages from `r` into `tx` until the input ends, `exit` comes or the
/// framing breaks; a body that is not a JSON-RPC message is skipped.
fn read_all(r: &mut impl BufRead, tx: &Sender<Message>) {
    loop {
        match Message::read(r) {
            Ok(Some(msg)) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if tx.send(msg).is_err() || exit {
                    return;
                }
            }
            Ok(None) => return,
            Err(e) if e.to_string().starts_with("malformed LSP payload") => {
                crate::diag::say(format_args!(
                    "lsp: skipped a message that is not JSON-RPC: {e}"
                ));
            }
            Err(e) => {
                crate::diag::say(format_args!("lsp: cannot read from the client: {e}"));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn a_body_that_is_not_json_rpc_is_skipped() {
        let mut input = String::new();
        for body in [
            r#"{"jsonrpc":"2.0","id":1,"method":"x","params":"#,
            "hello",
            "42",
            "[]",
        ] {
            input.push_str(&framed(body));
        }
        input.push_str(&framed(r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#));
        let (tx, rx) = crossbeam_channel::unbounded();
        read_all(&mut io::Cursor::new(input), &tx);
        let got: Vec<Message> = rx.try_iter().collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(matches!(&got[0], Message::Request(r) if r.method == "shutdown"));
    }
}
