//! The one source of reference text: the stdlib's `##` doc comments (as `use` loads
//! them), the native functions' [`FnDecl`] docs and examples, the aggregates', window
//! kinds' and peer kinds' tables. `trickle doc` renders it; the language server's hover
//! and completion read it; the REPL's `:functions` reads the same native registry.

use crate::compile::stdlib_modules;
use crate::functions::{registry, FnDecl};
use std::sync::OnceLock;
use trickle_grammar::ast::Stmt;

/// One stdlib module.
#[derive(Debug, Clone)]
pub struct ModuleDoc {
    /// `std::string`
    pub path: String,
    /// The `###` text.
    pub doc: Option<String>,
    pub items: Vec<ItemDoc>,
}

impl ModuleDoc {
    /// The name a `use` gives it by default: the last segment (`string`).
    pub fn alias(&self) -> &str {
        self.path.rsplit("::").next().unwrap_or(&self.path)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Function,
    Const,
}

/// A function or constant of a stdlib module.
#[derive(Debug, Clone)]
pub struct ItemDoc {
    /// The module's path, `std::string`.
    pub module: String,
    pub name: String,
    pub kind: ItemKind,
    pub params: Vec<String>,
    pub variadic: bool,
    /// The docs without the example blocks (the native function's docs when the
    /// stdlib has none).
    pub doc: String,
    /// Runnable examples: each is a tremor expression whose value is `true`, or
    /// whose last line ends in `# VALUE` with the JSON value it gives.
    pub examples: Vec<String>,
    /// The built-in an `intrinsic fn` binds.
    pub native: Option<&'static FnDecl>,
}

impl ItemDoc {
    /// `string::format(format, ...)`, or `logging::severity::DEBUG` for a constant.
    pub fn signature(&self) -> String {
        let alias = self.module.rsplit("::").next().unwrap_or(&self.module);
        if self.kind == ItemKind::Const {
            return format!("{alias}::{}", self.name);
        }
        let mut params = self.params.clone();
        if self.variadic {
            params.push("...".into());
        }
        format!("{alias}::{}({})", self.name, params.join(", "))
    }

    /// The parameters as an editor snippet: `format(${1:format})`.
    pub fn snippet(&self) -> String {
        let args: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| format!("${{{}:{p}}}", i + 1))
            .collect();
        format!("{}({})", self.name, args.join(", "))
    }

    /// Signature, docs and examples as Markdown (hover and `trickle doc` show this).
    pub fn markdown(&self, uses: &str) -> String {
        let mut s = format!("```trickle\n{}\n```\n\n{}\n", self.signature(), self.doc);
        for ex in &self.examples {
            s.push_str(&format!("\n```tremor\n{uses}{ex}\n```\n"));
        }
        s
    }
}

/// The whole stdlib, parsed once.
pub fn stdlib() -> &'static [ModuleDoc] {
    static DOCS: OnceLock<Vec<ModuleDoc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        stdlib_modules()
            .into_iter()
            .map(|(path, text)| module_doc(path, text))
            .collect()
    })
}

/// The module `use`d as `path` (`std::string`).
pub fn module(path: &str) -> Option<&'static ModuleDoc> {
    stdlib().iter().find(|m| m.path == path)
}

/// A function or constant of the stdlib module at `path`.
pub fn item(path: &str, name: &str) -> Option<&'static ItemDoc> {
    module(path)?.items.iter().find(|i| i.name == name)
}

/// Native functions no stdlib module binds: the built-ins called without a module
/// (`source_id()`, `event_id()`, ...).
pub fn unbound_natives() -> Vec<&'static FnDecl> {
    let bound: Vec<*const FnDecl> = stdlib()
        .iter()
        .flat_map(|m| m.items.iter())
        .filter_map(|i| i.native.map(|n| n as *const FnDecl))
        .collect();
    registry()
        .all()
        .into_iter()
        .filter(|d| !bound.contains(&(*d as *const FnDecl)))
        .collect()
}

fn module_doc(path: String, text: &str) -> ModuleDoc {
    // The stdlib compiles (a unit test says so); a parse failure leaves the module empty.
    let Ok(m) = trickle_grammar::parse_module(text, 0) else {
        return ModuleDoc {
            path,
            doc: None,
            items: Vec::new(),
        };
    };
    let alias = path.rsplit("::").next().unwrap_or(&path).to_string();
    let mut items = Vec::new();
    for stmt in &m.stmts {
        let (name, kind, params, variadic, doc, native) = match stmt {
            Stmt::Fn(f) => (
                &f.name,
                ItemKind::Function,
                &f.params,
                f.variadic,
                &f.doc,
                None,
            ),
            Stmt::Intrinsic(i) => {
                let native = i
                    .target
                    .module()
                    .last()
                    .and_then(|m| registry().get(&m.name, i.target.name()));
                (
                    &i.name,
                    ItemKind::Function,
                    &i.params,
                    i.variadic,
                    &i.doc,
                    native,
                )
            }
            Stmt::Const(c) => (&c.name, ItemKind::Const, &Vec::new(), false, &c.doc, None),
            _ => continue,
        };
        let (mut text, mut examples) = split_examples(doc.as_deref().unwrap_or(""));
        if let Some(n) = native {
            if text.trim().is_empty() {
                text = n.doc.to_string();
            }
            // The native's own examples, written as calls through this module.
            if n.name == name.name && n.module == alias {
                for ex in native_examples(&alias, n) {
                    // The module's doc may show the same one.
                    if !examples.contains(&ex) {
                        examples.push(ex);
                    }
                }
            }
        }
        items.push(ItemDoc {
            module: path.clone(),
            name: name.name.clone(),
            kind,
            params: params.iter().map(|p| p.name.clone()).collect(),
            variadic,
            doc: text.trim().to_string(),
            examples,
            native,
        });
    }
    ModuleDoc {
        path,
        doc: m.doc.clone(),
        items,
    }
}

/// Splits `> ```tremor ... > ```` blocks out of a doc text.
fn split_examples(doc: &str) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut examples = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in doc.lines() {
        let quoted = line
            .strip_prefix('>')
            .map(|l| l.strip_prefix(' ').unwrap_or(l));
        match (&mut current, quoted) {
            (None, Some(q)) if q.trim_start().starts_with("```tremor") => {
                current = Some(Vec::new())
            }
            (Some(lines), Some(q)) if q.trim_start().starts_with("```") => {
                examples.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), Some(q)) => lines.push(q),
            (Some(_), None) => {}
            (None, _) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    (text, examples)
}

/// `alias::name(arg, ...) == result` for each of a native function's examples.
fn native_examples(alias: &str, n: &FnDecl) -> Vec<String> {
    n.examples
        .iter()
        .filter_map(|(args, result)| {
            let args = crate::value::parse_json(args).ok()?;
            let args: Vec<String> = args.as_array()?.iter().map(|a| a.to_string()).collect();
            Some(format!(
                "{alias}::{}({}) == {result}",
                n.name,
                args.join(", ")
            ))
        })
        .collect()
}

/// The `use` lines an example needs: its own module, and every other stdlib module
/// whose alias it names (`datetime::formats::RFC3339` needs `std::datetime`).
pub fn uses_for(own: &str, example: &str) -> String {
    let mut uses = vec![own.to_string()];
    let own_alias = own.rsplit("::").next().unwrap_or(own);
    for m in stdlib() {
        let alias = m.alias();
        if alias == own_alias || uses.contains(&m.path) {
            continue;
        }
        let named = example.match_indices(&format!("{alias}::")).any(|(i, _)| {
            !example[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
        });
        // Prefer `std::` when two modules share an alias.
        let taken = uses.iter().any(|u| u.rsplit("::").next() == Some(alias));
        if named && !taken {
            uses.push(m.path.clone());
        }
    }
    uses.iter().map(|u| format!("use {u};\n")).collect()
}

/// A built-in called without a module (`source_id()`): its docs and arity.
pub fn native_markdown(f: &FnDecl) -> String {
    let arity = match (*f.arity.start(), *f.arity.end()) {
        (1, 1) => "1 argument".to_string(),
        (a, b) if a == b => format!("{a} arguments"),
        (a, usize::MAX) => format!("{a} or more arguments"),
        (a, b) => format!("{a} to {b} arguments"),
    };
    format!(
        "```trickle\n{}()\n```\n\n{}\n\nTakes {arity}.\n",
        f.name, f.doc
    )
}

/// The built-in called as `name(...)` without a module, if there is one.
pub fn builtin(name: &str) -> Option<&'static FnDecl> {
    unbound_natives().into_iter().find(|f| f.name == name)
}

/// The signature of an aggregate: `aggr::stats::mean(x)`.
pub fn aggregate_signature(d: &crate::aggr::AggrDecl) -> String {
    let params = match (*d.arity.start(), *d.arity.end()) {
        (0, 0) => String::new(),
        (0, 1) => "[x]".into(),
        (1, 1) => "x".into(),
        (a, b) => format!("{a}..={b} arguments"),
    };
    format!("aggr::{}::{}({params})", d.module, d.name)
}

/// The doc of an aggregate: signature, meaning and (for the collect ones) the warning.
pub fn aggregate_markdown(d: &crate::aggr::AggrDecl) -> String {
    let mut s = format!("```trickle\n{}\n```\n\n{}\n", aggregate_signature(d), d.doc);
    if let Some(w) = d.warning {
        s.push_str(&format!("\nWarning: {w}\n"));
    }
    s
}

/// The doc of a window kind with its settings.
pub fn window_kind_markdown(kind: &str) -> Option<String> {
    let (_, doc) = crate::window::KIND_DOCS.iter().find(|(k, _)| *k == kind)?;
    let mut s = format!("**window kind `{kind}`**\n\n{doc}\n\nSettings (`with`):\n\n");
    for (k, d) in crate::window::SETTING_DOCS {
        if crate::window::takes_setting(kind, k) {
            s.push_str(&format!("- `{k}`: {d}\n"));
        }
    }
    if kind == "tumbling" {
        s.push_str("\nA `tumbling` window may instead have `state = CONST` and a `script` that decides when it emits.\n");
    }
    Some(s)
}

/// The doc of a peer kind with its config keys.
pub fn peer_kind_markdown(kind: &str) -> Option<String> {
    let d = crate::peer::kind_docs::kind_doc(kind)?;
    let mut s = format!("**peer kind `{kind}`** ({})\n\n{}\n", d.nature, d.summary);
    if d.keys.is_empty() {
        s.push_str("\nNo `config` keys.\n");
    } else {
        s.push_str("\n`config` keys:\n\n");
        for (k, doc) in d.keys {
            s.push_str(&format!("- `{k}`: {doc}\n"));
        }
    }
    Some(s)
}
