//! The language server's transport: JSON-RPC on stdin/stdout (`lsp-server`), each
//! request and notification dispatched to the modules that answer it.

use super::{actions, complete, convert, format, hover, navigate, outline, Document, Workspace};
use crate::diag::LineIndex;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde_json::Value as Json;

impl Document {
    /// Applies one change of `didChange` (a range edit, or the whole text) without
    /// analysing; the caller analyses once after the last change.
    fn apply(&mut self, change: lsp::TextDocumentContentChangeEvent) {
        match change.range {
            Some(r) => {
                let start = convert::offset(&self.lines, &self.text, r.start);
                let end = convert::offset(&self.lines, &self.text, r.end).max(start);
                self.text.replace_range(start..end, &change.text);
            }
            None => self.text = change.text,
        }
        self.lines = LineIndex::new(&self.text);
    }
}

/// What the server can do.
pub fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
            lsp::TextDocumentSyncKind::INCREMENTAL,
        )),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![
                ":".into(),
                ".".into(),
                "$".into(),
                " ".into(),
                "\"".into(),
            ]),
            ..Default::default()
        }),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensOptions {
                legend: outline::legend(),
                full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                range: None,
                ..Default::default()
            }
            .into(),
        ),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Simple(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    }
}

/// Runs the server on stdio until `exit`; returns the process exit code (0 after a
/// `shutdown`, 1 when the client exits without one, as the protocol asks).
pub fn main() -> i32 {
    let (connection, writer) = super::transport::stdio();
    let code = match serve(&connection) {
        Ok(code) => code,
        Err(e) => {
            crate::diag::say(format_args!("lsp: {e}"));
            1
        }
    };
    drop(connection);
    writer.join();
    code
}

fn serve(connection: &Connection) -> Result<i32, Box<dyn std::error::Error + Send + Sync>> {
    let caps = serde_json::to_value(capabilities())?;
    let init = serde_json::json!({
        "capabilities": caps,
        "serverInfo": {"name": "trickle", "version": env!("CARGO_PKG_VERSION")},
    });
    let (id, _params) = connection.initialize_start()?;
    connection.initialize_finish(id, init)?;
    let mut ws = Workspace::default();
    let mut shut_down = false;
    while let Ok(msg) = connection.receiver.recv() {
        match msg {
            Message::Request(req) => {
                if shut_down {
                    // After `shutdown` only `exit` is answered (the protocol's rule).
                    let e = error(
                        req.id,
                        ErrorCode::InvalidRequest,
                        "the server is shut down".into(),
                    );
                    connection.sender.send(e.into())?;
                    continue;
                }
                if req.method == lsp::request::Shutdown::METHOD {
                    shut_down = true;
                    connection
                        .sender
                        .send(Response::new_ok(req.id, Json::Null).into())?;
                    continue;
                }
                let resp = handle_request(&ws, req);
                connection.sender.send(resp.into())?;
            }
            Message::Notification(n) => {
                if n.method == lsp::notification::Exit::METHOD {
                    return Ok(if shut_down { 0 } else { 1 });
                }
                for publish in handle_notification(&mut ws, n) {
                    connection.sender.send(publish.into())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(if shut_down { 0 } else { 1 })
}

/// Answers one request; malformed parameters and unknown methods are errors, never panics.
pub fn handle_request(ws: &Workspace, req: Request) -> Response {
    use lsp::request as r;
    let id = req.id.clone();
    let result: Result<Json, String> = match req.method.as_str() {
        r::Completion::METHOD => call(req, |p| complete::completion(ws, p)),
        r::HoverRequest::METHOD => call(req, |p| hover::hover(ws, p)),
        r::GotoDefinition::METHOD => call(req, |p| navigate::definition(ws, p)),
        r::References::METHOD => call(req, |p| navigate::references(ws, p)),
        r::PrepareRenameRequest::METHOD => call(req, |p| navigate::prepare_rename(ws, p)),
        r::Rename::METHOD => match parse::<lsp::RenameParams>(req) {
            Ok(p) => match navigate::rename(ws, p) {
                Ok(edit) => serde_json::to_value(edit).map_err(|e| e.to_string()),
                Err(msg) => return error(id, ErrorCode::RequestFailed, msg),
            },
            Err(e) => Err(e),
        },
        r::DocumentSymbolRequest::METHOD => call(req, |p| outline::symbols(ws, p)),
        r::FoldingRangeRequest::METHOD => call(req, |p| outline::folding(ws, p)),
        r::SemanticTokensFullRequest::METHOD => call(req, |p| outline::semantic_tokens(ws, p)),
        r::CodeActionRequest::METHOD => call(req, |p| actions::code_actions(ws, p)),
        r::Formatting::METHOD => call(req, |p| format::formatting(ws, p)),
        other => {
            return error(
                id,
                ErrorCode::MethodNotFound,
                format!("unknown method {other}"),
            )
        }
    };
    match result {
        Ok(v) => Response::new_ok(id, v),
        Err(e) => error(id, ErrorCode::InvalidParams, e),
    }
}

fn error(id: RequestId, code: ErrorCode, msg: String) -> Response {
    Response::new_err(id, code as i32, msg)
}

fn parse<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, String> {
    serde_json::from_value(req.params).map_err(|e| format!("bad parameters: {e}"))
}

fn call<P, R>(req: Request, f: impl FnOnce(P) -> R) -> Result<Json, String>
where
    P: serde::de::DeserializeOwned,
    R: serde::Serialize,
{
    let p = parse::<P>(req)?;
    serde_json::to_value(f(p)).map_err(|e| e.to_string())
}

/// Handles a notification; returns the `publishDiagnostics` to send.
pub fn handle_notification(ws: &mut Workspace, n: Notification) -> Vec<Notification> {
    use lsp::notification as nt;
    let uri = match n.method.as_str() {
        nt::DidOpenTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params) else {
                return Vec::new();
            };
            let d = p.text_document;
            let doc = Document::new(d.uri.clone(), d.text, &d.language_id);
            ws.docs.insert(d.uri.as_str().to_string(), doc);
            d.uri
        }
        nt::DidChangeTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params) else {
                return Vec::new();
            };
            let Some(doc) = ws.docs.get_mut(p.text_document.uri.as_str()) else {
                return Vec::new();
            };
            for c in p.content_changes {
                doc.apply(c);
            }
            let text = std::mem::take(&mut doc.text);
            doc.set_text(text);
            p.text_document.uri
        }
        nt::DidSaveTextDocument::METHOD => {
            // A module beside it may have changed on disk: analyse every open document again.
            let mut out = Vec::new();
            for doc in ws.docs.values_mut() {
                let text = std::mem::take(&mut doc.text);
                doc.set_text(text);
                out.push(publish(doc));
            }
            return out;
        }
        nt::DidCloseTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params) else {
                return Vec::new();
            };
            ws.docs.remove(p.text_document.uri.as_str());
            // Clear what the editor shows for it.
            let params = lsp::PublishDiagnosticsParams::new(p.text_document.uri, Vec::new(), None);
            return vec![Notification::new(
                nt::PublishDiagnostics::METHOD.into(),
                params,
            )];
        }
        _ => return Vec::new(),
    };
    ws.docs.get(uri.as_str()).map(publish).into_iter().collect()
}

fn publish(doc: &Document) -> Notification {
    let diags = convert::diagnostics(&doc.uri, &doc.lines, &doc.text, &doc.analysis);
    let params = lsp::PublishDiagnosticsParams::new(doc.uri.clone(), diags, None);
    Notification::new(lsp::notification::PublishDiagnostics::METHOD.into(), params)
}
