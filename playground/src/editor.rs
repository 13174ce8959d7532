//! What the editor asks while typing: completion and hover from the language
//! server's own logic (`trickle::lsp`, without its transport), and `fmt`.

use crate::diagnostics::Editor;
use crate::program::{Kind, QUERY_FILE, SCRIPT_FILE};
use crate::utf16::Utf16;
use serde_json::{json, Value as Json};
use trickle::diag::SourceMap;
use trickle::lsp::{complete, hover, Document};

/// The document the language server would hold for the editor's text.
fn document(text: &str) -> Option<Document> {
    let (uri, language) = match Kind::of(text) {
        Kind::Query => (QUERY_FILE, "trickle"),
        Kind::Script => (SCRIPT_FILE, "tremor"),
    };
    let uri = format!("untitled:{uri}").parse().ok()?;
    Some(Document::new(uri, text.to_string(), language))
}

/// `complete(text, offset)`: `[{"label", "kind", "detail", "insert"}]`.
pub fn completions(text: &str, offset: usize) -> Vec<Json> {
    let Some(doc) = document(text) else {
        return Vec::new();
    };
    let at = Utf16::new(text).to_byte(offset);
    complete::items(&doc, at)
        .into_iter()
        .map(|it| {
            let insert = match (&it.insert_text, it.insert_text_format) {
                (Some(t), Some(f)) if f == lsp_snippet() => plain(t),
                (Some(t), _) => t.clone(),
                (None, _) => it.label.clone(),
            };
            let kind = it
                .kind
                .map(|k| format!("{k:?}").to_lowercase())
                .unwrap_or_else(|| "text".into());
            json!({"label": it.label, "kind": kind, "detail": it.detail, "insert": insert})
        })
        .collect()
}

fn lsp_snippet() -> lsp_types::InsertTextFormat {
    lsp_types::InsertTextFormat::SNIPPET
}

/// A snippet as plain text: `${1:x}` becomes `x`, `$1` and `$0` nothing, `\$` `$`.
fn plain(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                // `${N:default}` or `${N}`: keep the default.
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                if chars.peek() == Some(&':') {
                    chars.next();
                }
                let mut depth = 1;
                for c in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    out.push(c);
                }
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `hover(text, offset)`: `{"markdown"}` or `null`.
pub fn hover(text: &str, offset: usize) -> Json {
    let Some(doc) = document(text) else {
        return Json::Null;
    };
    let at = Utf16::new(text).to_byte(offset);
    let at = u32::try_from(at).unwrap_or(u32::MAX);
    match hover::at(&doc.analysis, &doc.text, at) {
        Some((_, markdown)) => json!({ "markdown": markdown }),
        None => Json::Null,
    }
}

/// `format(text)`: `{"text"}`, or `{"diagnostics"}` when the text does not parse.
pub fn format(text: &str) -> Json {
    let kind = Kind::of(text);
    match trickle::fmt::format(text, kind.fmt()) {
        Ok(text) => json!({ "text": text }),
        Err(diags) => {
            let mut sources = SourceMap::new();
            let file = sources.add(kind.file_name(), text);
            let editor = Editor::new(text, file);
            json!({ "diagnostics": editor.diagnostics(&diags, &sources) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_plain_text() {
        assert_eq!(plain("len(${1:s})$0"), "len(s)");
        assert_eq!(plain("a \\$ ${2}b"), "a $ b");
    }

    #[test]
    fn completes_module_functions_at_a_utf16_offset() {
        let text = "use std::string;\nselect string::";
        let got = completions(text, text.encode_utf16().count());
        assert!(got.iter().any(|c| c["label"] == "len"), "{got:?}");
        // A non-ASCII character before the cursor counts as UTF-16 units.
        let text = "# é😀\nselect ";
        let got = completions(text, text.encode_utf16().count());
        assert!(got.iter().any(|c| c["label"] == "event"), "{got:?}");
    }

    #[test]
    fn hovers_over_a_function_and_nothing_over_space() {
        let text = "use std::string;\nselect string::len(event) from in into out;";
        let at = text.find("len").unwrap();
        let h = hover(text, at);
        assert!(h["markdown"].as_str().unwrap().contains("len"), "{h}");
        assert_eq!(hover("select event from in into out;   ", 31), Json::Null);
    }

    #[test]
    fn formats_or_says_why_not() {
        let f = format("select   event from in   into out;");
        assert_eq!(f["text"], "select event from in into out;\n");
        let f = format("select from");
        assert_eq!(f["diagnostics"][0]["severity"], "error");
    }
}
