//! What the session knows by name, for completion: locals and their values, the
//! current event, `$` and `state`, the functions and constants of `use`d modules
//! and of the session itself. A snapshot, refreshed after every input.

use crate::compile::{Modules, ScopeId};
use crate::value::Value;

/// A snapshot of the names in scope.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Locals and their current values.
    pub locals: Vec<(String, Value)>,
    pub event: Value,
    pub meta: Value,
    pub state: Value,
    /// `use`d modules by alias, with their function and constant names.
    pub modules: Vec<(String, Vec<String>)>,
    /// Functions and constants declared in the session.
    pub session: Vec<String>,
}

impl Names {
    /// Takes the modules and declarations visible from the session's root scope.
    pub fn update_modules(&mut self, modules: &Modules, root: ScopeId) {
        let scope = modules.scope(root);
        self.session = sorted(scope.fns.keys().chain(scope.consts.keys()).cloned());
        let mut aliases: Vec<&String> = scope.aliases.keys().collect();
        aliases.sort();
        self.modules = aliases
            .into_iter()
            .map(|alias| {
                let names = modules
                    .resolve_module(root, &[alias.as_str()])
                    .map(|id| {
                        let m = modules.scope(id);
                        sorted(m.fns.keys().chain(m.consts.keys()).cloned())
                    })
                    .unwrap_or_default();
                (alias.clone(), names)
            })
            .collect();
    }

    /// Takes the values paths can be completed from.
    pub fn update_locals(
        &mut self,
        locals: &[(String, Value)],
        event: &Value,
        meta: &Value,
        state: &Value,
    ) {
        self.locals = locals.to_vec();
        self.event = event.clone();
        self.meta = meta.clone();
        self.state = state.clone();
    }

    /// The value a path root names: `event`, `$`, `state` or a local.
    pub fn root(&self, name: &str) -> Option<&Value> {
        match name {
            "event" => Some(&self.event),
            "$" => Some(&self.meta),
            "state" => Some(&self.state),
            _ => self.locals.iter().find(|(n, _)| n == name).map(|(_, v)| v),
        }
    }

    /// Function and constant names of the module `use`d as `alias`.
    pub fn module(&self, alias: &str) -> Option<&[String]> {
        self.modules
            .iter()
            .find(|(a, _)| a == alias)
            .map(|(_, n)| n.as_slice())
    }
}

fn sorted(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = it.collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::ModulePath;
    use crate::diag::SourceMap;

    #[test]
    fn modules_and_session_declarations_are_listed() {
        let mut sources = SourceMap::new();
        let file = sources.add(
            "s",
            "use std::string;\nfn twice(x) with x * 2 end;\nconst LIMIT = 3;\n",
        );
        let mut modules = Modules::new(&ModulePath::default());
        let (root, _) = modules.load_root(&mut sources, file).unwrap();
        let mut names = Names::default();
        names.update_modules(&modules, root);
        assert_eq!(
            names.session,
            vec!["LIMIT".to_string(), "twice".to_string()]
        );
        let string = names.module("string").expect("string is used");
        assert!(string.iter().any(|n| n == "format"), "{string:?}");
        assert!(names.module("array").is_none());
    }

    #[test]
    fn roots_resolve_to_values() {
        let mut names = Names::default();
        let ev = crate::value::parse_json(r#"{"a":1}"#).unwrap();
        names.update_locals(
            &[("x".into(), Value::from(2i64))],
            &ev,
            &Value::Null,
            &Value::Null,
        );
        assert_eq!(names.root("event"), Some(&ev));
        assert_eq!(names.root("x"), Some(&Value::from(2i64)));
        assert!(names.root("y").is_none());
    }
}
