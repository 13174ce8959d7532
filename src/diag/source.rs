//! The files a compilation read, so spans can be turned into lines and columns.

use codespan_reporting::files::SimpleFiles;

/// Index of a file in a [`SourceMap`]; stored in every `Span` as `file`.
pub type FileId = u32;

/// Every file a compilation read (the main file, modules, REPL lines).
pub struct SourceMap {
    files: SimpleFiles<String, String>,
    names: Vec<String>,
}

impl Default for SourceMap {
    fn default() -> Self {
        SourceMap {
            files: SimpleFiles::new(),
            names: Vec::new(),
        }
    }
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let name = name.into();
        self.names.push(name.clone());
        self.files.add(name, text.into()) as FileId
    }
    /// Adds a program read from disk. Bytes that are not UTF-8 are a compile error
    /// (E0015) at the first bad one; the file is still added, with the bad bytes
    /// replaced, so the diagnostic shows the lines before it as they are.
    pub fn add_bytes(
        &mut self,
        name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> Result<FileId, Box<crate::diag::Diagnostic>> {
        let name = name.into();
        match String::from_utf8(bytes) {
            Ok(text) => Ok(self.add(name, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bad = e.as_bytes()[at];
                let file = self.add(
                    name.clone(),
                    String::from_utf8_lossy(e.as_bytes()).into_owned(),
                );
                let (line, col) = self.line_col(file, at as u32);
                // The replacement character that stands for the bad bytes is 3 bytes long.
                let span = crate::diag::Span::new(file, at, at + '\u{fffd}'.len_utf8());
                Err(Box::new(
                    crate::diag::Diagnostic::error(
                        crate::diag::codes::INVALID_UTF8,
                        format!(
                        "{name} is not valid UTF-8: byte 0x{bad:02x} at line {line}, column {col}"
                    ),
                        span,
                    )
                    .with_label("not UTF-8")
                    .with_help("programs are UTF-8 text: save the file as UTF-8"),
                ))
            }
        }
    }
    pub fn text(&self, id: FileId) -> &str {
        self.files
            .get(id as usize)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }
    pub fn name(&self, id: FileId) -> &str {
        self.names
            .get(id as usize)
            .map(String::as_str)
            .unwrap_or("")
    }
    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, id: FileId, offset: u32) -> (usize, usize) {
        let text = self.text(id);
        let offset = (offset as usize).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
    /// `file:line:col` of where `span` starts, as runtime error texts begin.
    pub fn position(&self, span: crate::diag::Span) -> String {
        let (line, col) = self.line_col(span.file, span.start);
        format!("{}:{line}:{col}", self.name(span.file))
    }
    /// The ids of every file, in the order they were added.
    pub fn ids(&self) -> impl Iterator<Item = FileId> {
        0..self.names.len() as FileId
    }
    pub(crate) fn files(&self) -> &SimpleFiles<String, String> {
        &self.files
    }
}
