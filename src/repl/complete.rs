//! Completion and hints: `:commands`, keywords, locals, session functions,
//! `module::function` (for `use`d modules and the native registry, also right
//! after the `::`), and the keys of paths into the current event, `$`, `state` and
//! locals (`event.user.na` → `name`).

use super::commands::COMMANDS;
use super::names::Names;
use crate::functions::registry;
use crate::value::Value;

/// Keywords of LANGUAGE.md §6.1 that start or continue expressions and statements.
pub const KEYWORDS: &[&str] = &[
    "let",
    "const",
    "match",
    "of",
    "end",
    "case",
    "when",
    "for",
    "null",
    "true",
    "false",
    "and",
    "or",
    "xor",
    "not",
    "drop",
    "emit",
    "default",
    "patch",
    "insert",
    "upsert",
    "update",
    "erase",
    "move",
    "copy",
    "merge",
    "event",
    "state",
    "present",
    "absent",
    "fn",
    "intrinsic",
    "mod",
    "select",
    "from",
    "where",
    "with",
    "group",
    "by",
    "having",
    "into",
    "create",
    "tumbling",
    "window",
    "stream",
    "operator",
    "script",
    "set",
    "each",
    "define",
    "args",
    "use",
    "as",
    "recur",
    "pipeline",
];

/// Where the completed word starts, and what may replace it.
pub fn complete(names: &Names, line: &str, pos: usize) -> (usize, Vec<String>) {
    let pos = floor(line, pos);
    let before = &line[..pos];
    if let Some(rest) = before.trim_start().strip_prefix(':') {
        return command(before, rest);
    }
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | ':' | '.' | '$'))
        .last()
        .map_or(pos, |(i, _)| i);
    let word = &before[start..];
    if let Some((module, prefix)) = word.rsplit_once("::") {
        let names = module_names(names, module);
        return (pos - prefix.len(), matching(names, prefix));
    }
    if let Some(path) = word.strip_prefix('$') {
        return keys(Some(&names.meta), path, pos);
    }
    if let Some((root, path)) = word.split_once('.') {
        return keys(names.root(root), path, pos);
    }
    if word.is_empty() {
        return (pos, Vec::new());
    }
    let mut all: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
    all.extend(names.locals.iter().map(|(n, _)| n.clone()));
    all.extend(names.session.iter().cloned());
    all.extend(names.modules.iter().map(|(a, _)| format!("{a}::")));
    all.push("core::".into());
    let mut found = matching(all, word);
    found.sort();
    found.dedup();
    (start, found)
}

/// A hint shown after the cursor: the rest of the only completion, a command's
/// arguments, or the one-line doc of a native function just typed.
pub fn hint(names: &Names, line: &str, pos: usize) -> Option<String> {
    if pos != line.len() || line.is_empty() || line.ends_with(char::is_whitespace) {
        return None;
    }
    if let Some((_, args, _)) = COMMANDS.iter().find(|c| c.0 == line.trim()) {
        return (!args.is_empty()).then(|| format!(" {args}"));
    }
    if let Some(doc) = function_doc(names, line) {
        return Some(doc);
    }
    let (start, found) = complete(names, line, pos);
    match &found[..] {
        // One typed character matches too much to be worth a hint.
        [only] if pos - start >= 2 => {
            let typed = &line[start..];
            only.strip_prefix(typed)
                .filter(|rest| !rest.is_empty())
                .map(str::to_string)
        }
        _ => None,
    }
}

/// `  — doc` when the line ends with a complete `module::function`.
fn function_doc(names: &Names, line: &str) -> Option<String> {
    let word = line
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .next()?;
    let (module, name) = word.rsplit_once("::")?;
    let native = module.strip_prefix("core::").unwrap_or(module);
    // A `use`d module's functions bind the native functions of its last segment.
    let used = names
        .module(module)
        .is_some_and(|n| n.iter().any(|f| f == name));
    let decl = registry().get(native, name)?;
    if !used && !module.starts_with("core::") {
        return None;
    }
    let doc = decl.doc.lines().next().unwrap_or("").trim();
    Some(format!("  # {doc}"))
}

/// Completion of a `:command` or its argument.
fn command(before: &str, rest: &str) -> (usize, Vec<String>) {
    match rest.split_once(char::is_whitespace) {
        None => {
            let start = before.len() - rest.len() - 1;
            let typed = &before[start..];
            let found = COMMANDS
                .iter()
                .map(|c| c.0.to_string())
                .filter(|c| c.starts_with(typed))
                .collect();
            (start, found)
        }
        Some((cmd, arg)) if cmd == "functions" || cmd == "f" => {
            let arg = arg.trim_start();
            let mut modules: Vec<String> = registry()
                .all()
                .iter()
                .map(|d| d.module.to_string())
                .collect();
            modules.dedup();
            (before.len() - arg.len(), matching(modules, arg))
        }
        Some(_) => (before.len(), Vec::new()),
    }
}

/// Names after `module::`: a `use`d module's functions, or the native registry's.
fn module_names(names: &Names, module: &str) -> Vec<String> {
    let natives = |m: &str| -> Vec<String> {
        registry()
            .names_in(m)
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    let modules = || -> Vec<String> {
        let mut v: Vec<String> = registry()
            .all()
            .iter()
            .map(|d| d.module.to_string())
            .collect();
        v.dedup();
        v
    };
    if module == "core" || module == "std" {
        return modules();
    }
    if let Some(m) = module.strip_prefix("core::") {
        return natives(m);
    }
    match names.module(module) {
        Some(n) => n.to_vec(),
        None => natives(module),
    }
}

/// Keys of the record at `path` (dotted, its last segment being typed) under `root`.
fn keys(root: Option<&Value>, path: &str, pos: usize) -> (usize, Vec<String>) {
    let (walk, prefix) = match path.rsplit_once('.') {
        Some((w, p)) => (w, p),
        None => ("", path),
    };
    let mut v = root;
    for seg in walk.split('.').filter(|s| !s.is_empty()) {
        v = v.and_then(|v| v.get(seg));
    }
    let found = match v.and_then(Value::as_record) {
        Some(r) => r
            .keys()
            .filter(|k| is_ident(k))
            .map(|k| k.to_string())
            .collect(),
        None => Vec::new(),
    };
    (pos - prefix.len(), matching(found, prefix))
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn matching(all: Vec<String>, prefix: &str) -> Vec<String> {
    all.into_iter().filter(|n| n.starts_with(prefix)).collect()
}

/// The largest char boundary at or below `i`.
fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::parse_json;

    fn names() -> Names {
        let mut n = Names::default();
        let ev = parse_json(r#"{"user":{"name":"x","nick":"y"},"count":1,"bad key":2}"#).unwrap();
        n.update_locals(
            &[("total".into(), Value::from(1i64))],
            &ev,
            &Value::record(),
            &Value::Null,
        );
        n.modules = vec![("string".into(), vec!["format".into(), "len".into()])];
        n.session = vec!["twice".into()];
        n
    }

    #[test]
    fn keywords_locals_and_session_functions() {
        let n = names();
        assert_eq!(complete(&n, "mat", 3), (0, vec!["match".to_string()]));
        assert_eq!(complete(&n, "1 + tot", 7), (4, vec!["total".to_string()]));
        assert_eq!(complete(&n, "twi", 3).1, vec!["twice".to_string()]);
        assert_eq!(complete(&n, "stri", 4).1, vec!["string::".to_string()]);
        assert!(complete(&n, "", 0).1.is_empty());
    }

    #[test]
    fn functions_after_double_colon() {
        let n = names();
        assert_eq!(
            complete(&n, "string::", 8),
            (8, vec!["format".into(), "len".into()])
        );
        assert_eq!(
            complete(&n, "string::fo", 10),
            (8, vec!["format".to_string()])
        );
        let (_, natives) = complete(&n, "core::array::", 13);
        assert!(natives.iter().any(|f| f == "len"), "{natives:?}");
        let (_, modules) = complete(&n, "core::", 6);
        assert!(modules.iter().any(|m| m == "string"), "{modules:?}");
    }

    #[test]
    fn paths_of_the_current_event() {
        let n = names();
        let (start, found) = complete(&n, "event.", 6);
        assert_eq!(start, 6);
        assert_eq!(found, vec!["user".to_string(), "count".to_string()]);
        assert_eq!(
            complete(&n, "event.user.n", 12),
            (11, vec!["name".into(), "nick".into()])
        );
        assert!(complete(&n, "event.nope.", 11).1.is_empty());
    }

    #[test]
    fn commands_and_their_arguments() {
        let n = names();
        assert_eq!(complete(&n, ":ev", 3), (0, vec![":event".to_string()]));
        let (start, found) = complete(&n, ":functions str", 14);
        assert_eq!(start, 11);
        assert_eq!(found, vec!["string".to_string()]);
    }

    #[test]
    fn hints() {
        let n = names();
        assert_eq!(hint(&n, "matc", 4), Some("h".to_string()));
        assert_eq!(hint(&n, ":event", 6), Some(" JSON".to_string()));
        assert_eq!(hint(&n, ":help", 5), None);
        let doc = hint(&n, "string::format", 14).expect("a doc hint");
        assert!(doc.starts_with("  # "), "{doc}");
        assert_eq!(hint(&n, "event.user.na", 13), Some("me".to_string()));
        assert_eq!(hint(&n, "1 ", 2), None);
        assert_eq!(hint(&n, "é", 1), None);
    }
}
