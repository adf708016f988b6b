//! No function of an emitted crate takes more than [`MAX_POSITIONAL`] positional parameters
//! (`self` aside): past that, call sites stop reading as prose and two arguments of one type
//! swap unnoticed.

use syn::{ImplItem, Item, Signature, TraitItem};

pub const MAX_POSITIONAL: usize = 7;

/// `path: name(n parameters)` for every function in the Rust files among `files` (path, text)
/// that takes more than [`MAX_POSITIONAL`]; a file that does not parse is named too.
pub fn too_long<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        if !path.ends_with(".rs") {
            continue;
        }
        match syn::parse_file(text) {
            Ok(file) => items(path, &file.items, &mut found),
            Err(e) => found.push(format!("{path}: does not parse ({e})")),
        }
    }
    found
}

fn items(path: &str, items: &[Item], found: &mut Vec<String>) {
    for item in items {
        match item {
            Item::Fn(f) => check(path, &f.sig, found),
            Item::Impl(i) => i.items.iter().for_each(|member| {
                if let ImplItem::Fn(f) = member {
                    check(path, &f.sig, found);
                }
            }),
            Item::Trait(t) => t.items.iter().for_each(|member| {
                if let TraitItem::Fn(f) = member {
                    check(path, &f.sig, found);
                }
            }),
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    self::items(path, inner, found);
                }
            }
            _ => {}
        }
    }
}

fn check(path: &str, sig: &Signature, found: &mut Vec<String>) {
    let positional = sig
        .inputs
        .iter()
        .filter(|input| matches!(input, syn::FnArg::Typed(_)))
        .count();
    if positional > MAX_POSITIONAL {
        found.push(format!("{path}: {}({positional} parameters)", sig.ident));
    }
}

/// The files below `dir` as (path relative to `dir`, text).
pub fn read_tree(dir: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let entries = std::fs::read_dir(&next).map_err(|e| format!("{}: {e}", next.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                out.push((relative.display().to_string(), text));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::too_long;

    #[test]
    fn counts_positional_parameters_in_every_kind_of_function() {
        let text = "fn seven(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8) {}
            impl X { fn eight(&self, a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8) {} }
            trait T { fn nine(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8, i: u8); }
            mod inner { fn also_eight(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8) {} }";
        let found = too_long([("lib.rs", text), ("README.md", "fn x(")]);
        assert_eq!(
            found,
            [
                "lib.rs: eight(8 parameters)",
                "lib.rs: nine(9 parameters)",
                "lib.rs: also_eight(8 parameters)"
            ]
        );
    }
}
