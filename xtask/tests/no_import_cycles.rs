//! No module of xtask imports one that imports it back, directly or around a loop. A module
//! imports another when a path it writes names it (`use crate::a`, `super::b::f()`, `xtask::c`,
//! a child's `d::Item`); declaring a child (`mod d;`) is not importing it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use syn::buffer::Cursor;
use syn::parse::{ParseStream, Parser};

/// One crate's modules (path from its root → the file that holds it), and the paths its files
/// write: (file, the module the path is written in, the path's segments).
#[derive(Default)]
struct Crate {
    modules: BTreeMap<Vec<String>, PathBuf>,
    paths: Vec<(PathBuf, Vec<String>, Vec<String>)>,
}

impl Crate {
    fn read(root: &Path) -> Crate {
        let mut krate = Crate::default();
        krate.file(root, Vec::new());
        krate
    }

    fn file(&mut self, file: &Path, module: Vec<String>) {
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        self.modules.insert(module.clone(), file.to_path_buf());
        let mut children = Vec::new();
        let parser = |input: ParseStream| {
            input.step(|cursor| {
                self.scan(*cursor, file, &module, &mut children);
                let mut end = *cursor;
                while let Some((_, next)) = end.token_tree() {
                    end = next;
                }
                Ok(((), end))
            })
        };
        parser
            .parse_str(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let stem = file.file_stem().unwrap().to_string_lossy();
        let dir = match stem.as_ref() {
            "lib" | "main" | "mod" => file.parent().unwrap().to_path_buf(),
            _ => file.with_extension(""),
        };
        for child in children {
            let name = child.last().unwrap();
            let flat = dir.join(format!("{name}.rs"));
            let path = if flat.exists() {
                flat
            } else {
                dir.join(name).join("mod.rs")
            };
            self.file(&path, child);
        }
    }

    /// Records the paths written from `c` on, and the child modules declared (`mod x;`).
    fn scan(
        &mut self,
        mut c: Cursor,
        file: &Path,
        module: &[String],
        children: &mut Vec<Vec<String>>,
    ) {
        while !c.eof() {
            if let Some((ident, next)) = c.ident() {
                c = next;
                if ident == "mod" {
                    if let Some((name, after)) = next.ident() {
                        let inner = [module, &[name.to_string()]].concat();
                        c = after;
                        match after.any_group() {
                            Some((body, _, _, after)) => {
                                self.modules.insert(inner.clone(), file.to_path_buf());
                                self.scan(body, file, &inner, children);
                                c = after;
                            }
                            None => children.push(inner),
                        }
                    }
                } else if colons(next).is_some() {
                    let (paths, after) = continued(vec![ident.to_string()], next);
                    for path in paths {
                        self.paths.push((file.to_path_buf(), module.to_vec(), path));
                    }
                    c = after;
                }
            } else if let Some((inner, _, _, after)) = c.any_group() {
                self.scan(inner, file, module, children);
                c = after;
            } else {
                c = c.token_tree().expect("not at the end").1;
            }
        }
    }

    /// The file of the module a path names: its start (`crate`, `xtask`, `self`, `super` or a
    /// child module), then as many segments as name modules. `None` for other crates' paths.
    fn target<'k>(
        &'k self,
        lib: &'k Crate,
        module: &[String],
        path: &[String],
    ) -> Option<&'k PathBuf> {
        let supers = path.iter().take_while(|s| *s == "super").count();
        let (krate, mut at, rest) = match path[0].as_str() {
            "crate" => (self, Vec::new(), &path[1..]),
            "xtask" => (lib, Vec::new(), &path[1..]),
            "self" => (self, module.to_vec(), &path[1..]),
            "super" => (
                self,
                module[..module.len().checked_sub(supers)?].to_vec(),
                &path[supers..],
            ),
            _ => (self, module.to_vec(), path),
        };
        let start = at.len();
        for segment in rest {
            at.push(segment.clone());
            if !krate.modules.contains_key(&at) {
                at.pop();
                break;
            }
        }
        // Any other start must be a child module: else the path is an item's or another crate's.
        let anchored = supers > 0 || matches!(path[0].as_str(), "crate" | "xtask" | "self");
        krate
            .modules
            .get(&at)
            .filter(|_| anchored || at.len() > start)
    }
}

/// After `::`, the cursor past it.
fn colons(c: Cursor) -> Option<Cursor> {
    let (first, c) = c.punct()?;
    let (second, c) = c.punct()?;
    (first.as_char() == ':' && second.as_char() == ':').then_some(c)
}

/// The paths that continue `prefix` (`::a::b`, or a `use` group `::{a, b::c}`), and where they end.
fn continued(prefix: Vec<String>, c: Cursor) -> (Vec<Vec<String>>, Cursor) {
    let Some(c) = colons(c) else {
        return (vec![prefix], c);
    };
    if let Some((ident, next)) = c.ident() {
        return continued([prefix, vec![ident.to_string()]].concat(), next);
    }
    let Some((mut inner, _, _, next)) = c.any_group() else {
        return (vec![prefix], c);
    };
    let mut paths = Vec::new();
    while let Some((ident, after)) = inner.ident() {
        let (found, after) = continued([prefix.clone(), vec![ident.to_string()]].concat(), after);
        paths.extend(found);
        inner = after.punct().map_or(after, |(_, past_comma)| past_comma);
    }
    (paths, next)
}

/// One line per loop (`a.rs → b.rs → a.rs`): each edge a depth-first walk finds closing one.
fn loops(imports: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    fn walk(
        node: &str,
        imports: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<String>,
    ) {
        stack.push(node.to_string());
        for next in &imports[node] {
            if let Some(at) = stack.iter().position(|n| n == next) {
                found.push(format!("{} → {next}", stack[at..].join(" → ")));
            } else if !done.contains(next) {
                walk(next, imports, stack, done, found);
            }
        }
        stack.pop();
        done.insert(node.to_string());
    }
    let (mut stack, mut done, mut found) = (Vec::new(), BTreeSet::new(), Vec::new());
    for node in imports.keys() {
        if !done.contains(node) {
            walk(node, imports, &mut stack, &mut done, &mut found);
        }
    }
    found
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let name = |file: &Path| file.strip_prefix(&src).unwrap().display().to_string();
    let lib = Crate::read(&src.join("lib.rs"));
    let bin = Crate::read(&src.join("main.rs"));
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for krate in [&lib, &bin] {
        for file in krate.modules.values() {
            imports.entry(name(file)).or_default();
        }
        for (file, module, path) in &krate.paths {
            match krate.target(&lib, module, path) {
                Some(to) if to != file => imports.entry(name(file)).or_default().insert(name(to)),
                _ => false,
            };
        }
    }
    // The walk sees imports at all (main runs `e2e::run`): else it would pass on anything.
    assert!(imports["main.rs"].contains("e2e/mod.rs"), "{imports:#?}");
    let found = loops(&imports);
    assert!(
        found.is_empty(),
        "modules that import each other, directly or around a loop:\n  {}",
        found.join("\n  ")
    );
}
