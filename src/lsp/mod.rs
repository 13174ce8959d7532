//! `trickle lsp`: a language server on stdin/stdout (JSON-RPC, synchronous). Every
//! answer comes from the compiler's own parse and diagnostics ([`analysis`]) and the
//! reference text of [`crate::doc::catalog`].
//!
//! | module | holds |
//! |---|---|
//! | `analysis` | compile + recovered parse + module files, per change |
//! | `index` | definitions, references and hover marks from the AST |
//! | `convert` | byte spans ↔ protocol positions, diagnostics, URIs |
//! | `complete`, `hover`, `navigate`, `outline`, `actions`, `format` | the requests |
//! | `server` | the JSON-RPC transport on stdio (feature `runtime`) |

// Without the stdio transport (`runtime`) the request handlers are reached only
// through the pieces the playground calls (completion items, hover, fmt).
#![cfg_attr(not(feature = "runtime"), allow(dead_code))]

mod actions;
pub mod analysis;
pub mod complete;
mod convert;
mod format;
pub mod hover;
pub mod index;
mod navigate;
mod outline;
#[cfg(feature = "runtime")]
mod server;
#[cfg(feature = "runtime")]
mod transport;

#[cfg(feature = "runtime")]
pub use server::{capabilities, handle_notification, handle_request, main};

use crate::diag::LineIndex;
use analysis::{analyse, Analysis, Kind};
use lsp_types as lsp;
use std::collections::HashMap;
use std::path::PathBuf;

/// One open document.
pub struct Document {
    pub uri: lsp::Uri,
    /// The file, for `file://` URIs (modules and sample events are found beside it).
    pub path: Option<PathBuf>,
    pub kind: Kind,
    pub text: String,
    pub lines: LineIndex,
    pub analysis: Analysis,
}

impl Document {
    pub fn new(uri: lsp::Uri, text: String, language: &str) -> Self {
        let path = convert::uri_to_path(&uri);
        let kind = if language == "tremor" || uri.as_str().ends_with(".tremor") {
            Kind::Script
        } else {
            Kind::Query
        };
        let mut d = Document {
            uri,
            path,
            kind,
            lines: LineIndex::new(""),
            text: String::new(),
            analysis: Analysis::default(),
        };
        d.set_text(text);
        d
    }

    /// Replaces the text and analyses it again.
    pub fn set_text(&mut self, text: String) {
        self.lines = LineIndex::new(&text);
        self.analysis = analyse(&text, self.path.as_deref(), self.kind);
        self.text = text;
    }

    /// The protocol range of a byte range of this document.
    pub fn range(&self, span: (u32, u32)) -> lsp::Range {
        convert::range(&self.lines, &self.text, span)
    }

    /// The byte offset of a protocol position in this document.
    pub fn offset(&self, pos: lsp::Position) -> usize {
        convert::offset(&self.lines, &self.text, pos)
    }
}

/// The open documents, by URI.
#[derive(Default)]
pub struct Workspace {
    pub docs: HashMap<String, Document>,
}

impl Workspace {
    pub fn doc(&self, uri: &lsp::Uri) -> Option<&Document> {
        self.docs.get(uri.as_str())
    }
}
