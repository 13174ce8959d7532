//! Finding case folders: every folder at or below a root that holds
//! `query.trickle` or `script.tremor`, sorted by path. Below a case folder,
//! whose subfolders hold its modules, a folder is a case only when it also holds
//! an input (`in` or `steps`).

use std::path::{Path, PathBuf};

/// What a case folder runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    /// `query.trickle`
    Query,
    /// `script.tremor`
    Script,
}

impl CaseKind {
    /// The program file of this kind of case.
    pub fn file_name(self) -> &'static str {
        match self {
            CaseKind::Query => "query.trickle",
            CaseKind::Script => "script.tremor",
        }
    }
}

/// One case folder.
#[derive(Debug, Clone)]
pub struct Case {
    pub dir: PathBuf,
    /// The folder's path as reached from the root the user gave (`tests/scripts/x`).
    pub name: String,
    pub kind: CaseKind,
}

impl Case {
    /// The case at `dir`, if it is a case folder. A folder holding both program files is a query case.
    pub fn at(dir: &Path) -> Option<Case> {
        let kind = [CaseKind::Query, CaseKind::Script]
            .into_iter()
            .find(|k| dir.join(k.file_name()).is_file())?;
        Some(Case {
            dir: dir.to_path_buf(),
            name: dir.display().to_string(),
            kind,
        })
    }
    /// The program file's path.
    pub fn program(&self) -> PathBuf {
        self.dir.join(self.kind.file_name())
    }
}

/// Every case folder at or below `root`, sorted by path. A case's program file
/// (`x/query.trickle`) stands for its folder.
pub fn discover(root: &Path) -> Result<Vec<Case>, String> {
    if root.is_file() {
        let is_program = [CaseKind::Query, CaseKind::Script]
            .iter()
            .any(|k| root.file_name().is_some_and(|n| n == k.file_name()));
        return match root.parent().filter(|_| is_program).and_then(Case::at) {
            Some(case) => Ok(vec![case]),
            None => Err(format!("not a case folder: {}", root.display())),
        };
    }
    if !root.is_dir() {
        return Err(format!("no such folder: {}", root.display()));
    }
    let mut cases = Vec::new();
    walk(root, false, &mut cases)?;
    cases.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(cases)
}

fn walk(dir: &Path, in_case: bool, cases: &mut Vec<Case>) -> Result<(), String> {
    let case = Case::at(dir).filter(|_| !in_case || has_input(dir));
    let in_case = in_case || case.is_some();
    cases.extend(case);
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut subdirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        walk(&sub, in_case, cases)?;
    }
    Ok(())
}

fn has_input(dir: &Path) -> bool {
    ["in", "steps"].iter().any(|f| dir.join(f).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testcase::tests::tempdir;
    use std::fs;

    #[test]
    fn finds_nested_cases_sorted_and_inside_cases_only_with_input() {
        let root = tempdir("discover");
        for (d, f) in [
            ("b/two", "query.trickle"),
            ("a/one", "script.tremor"),
            ("a/one/mods/inner", "script.tremor"),
            ("a/one/nested", "query.trickle"),
            ("a/one/nested", "steps"),
            ("c/empty", "README"),
        ] {
            fs::create_dir_all(root.join(d)).unwrap();
            fs::write(root.join(d).join(f), "").unwrap();
        }
        let cases = discover(&root).unwrap();
        let names: Vec<_> = cases
            .iter()
            .map(|c| c.dir.strip_prefix(&root).unwrap().to_path_buf())
            .collect();
        let want = ["a/one", "a/one/nested", "b/two"].map(PathBuf::from);
        assert_eq!(names, want);
        assert_eq!(cases[0].kind, CaseKind::Script);
        assert_eq!(cases[2].kind, CaseKind::Query);
        assert!(discover(&root.join("missing")).is_err());
    }

    #[test]
    fn a_case_folder_is_its_own_root() {
        let root = tempdir("discover-self");
        fs::write(root.join("query.trickle"), "").unwrap();
        let cases = discover(&root).unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].name, root.display().to_string());
        let by_file = discover(&root.join("query.trickle")).unwrap();
        assert_eq!(by_file[0].dir, root);
        fs::write(root.join("notes.txt"), "").unwrap();
        assert!(discover(&root.join("notes.txt")).is_err());
    }
}
