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
