//! The interactive loop at a terminal: rustyline with the REPL's helper, a
//! history file in the user's data directory.

use super::helper::ReplHelper;
use super::indent::IndentOnEnter;
use super::print::{self, Style};
use super::session::{Reply, Session};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor, EventHandler, KeyCode, KeyEvent, Modifiers};
use std::path::PathBuf;

const PROMPT: &str = "trickle> ";

/// Runs the session until `:quit` or Ctrl-D; returns the exit code.
pub fn run(session: &mut Session, style: Style) -> i32 {
    let config = Config::builder().auto_add_history(false).build();
    let mut editor: Editor<ReplHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            crate::diag::say(format_args!("cannot open the terminal: {e}"));
            return crate::exit::EXIT_RUNTIME;
        }
    };
    editor.set_helper(Some(ReplHelper::new(style.color)));
    // Enter (and Ctrl-J, what a pasted or scripted `\n` reads as) indents the
    // next line of unfinished input.
    for key in [
        KeyEvent(KeyCode::Enter, Modifiers::NONE),
        KeyEvent::ctrl('J'),
    ] {
        editor.bind_sequence(key, EventHandler::Conditional(Box::new(IndentOnEnter)));
    }
    let history = history_path();
    if let Some(p) = &history {
        // A first session has no history yet.
        let _ = editor.load_history(p);
    }
    let _ = crate::diag::stdout_text(
        "trickle repl: `:help` lists the commands, `:quit` or Ctrl-D leaves\n",
    );
    let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
    let mut code = crate::exit::EXIT_OK;
    loop {
        if let Some(h) = editor.helper_mut() {
            h.names = session.names().clone();
        }
        match editor.readline(PROMPT) {
            Ok(text) => {
                if !text.trim().is_empty() {
                    let _ = editor.add_history_entry(text.as_str());
                }
                let replies = super::handle(session, &text, "<repl>");
                print::replies(&replies, style, &mut stdout, &mut stderr);
                if replies.iter().any(|r| matches!(r, Reply::Quit)) {
                    break;
                }
            }
            // Ctrl-C abandons the input being typed, as in a shell.
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                crate::diag::say(format_args!("cannot read the terminal: {e}"));
                code = crate::exit::EXIT_RUNTIME;
                break;
            }
        }
    }
    if let Some(p) = &history {
        // Failing to keep the history is not worth an error.
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(p);
    }
    code
}

/// `$XDG_DATA_HOME/trickle/history`, else `~/.local/share/trickle/history`.
pub fn history_path() -> Option<PathBuf> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let data = non_empty("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".local").join("share")))?;
    Some(data.join("trickle").join("history"))
}
